"""The admin console: /admin, its menu, panel balances, and the prompts' cancel button.

Every admin router carries the IsAdmin filter at router level: for anyone else its commands and
buttons (AdminCb "a:…", AdminX "ax:…") do not match and fall through to the ordinary answers
of an unknown command or a stale button. Areas: admin_people (users, credits, bans),
admin_orders (/refund, /order, review), admin_catalog. Broadcast and stats live elsewhere.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop.admin.balances import PanelBalance, panel_balances
from bot.telegram.i18n import format_panel_money
from handlers.admin_states import AdminInput, leave_prompt
from handlers.common import show
from handlers.filters import NOT_TEXT, IsAdmin
from keyboards import admin_console as kb
from keyboards.admin import AdminCb, admin_menu
from keyboards.admin_console import AdminX, Ax


def admin_router(name: str) -> Router:
    """A Router whose every message and button handler is for admins only."""
    r = Router(name=name)
    r.message.filter(IsAdmin())
    r.callback_query.filter(IsAdmin())
    return r


async def admin_command(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    await state.clear()
    await message.answer(i18n.get("admin-menu-title"), reply_markup=admin_menu(i18n))


async def home(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await leave_prompt(state)
    await show(query, i18n.get("admin-menu-title"), admin_menu(i18n))


async def cancel_prompt(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await leave_prompt(state)
    await show(query, i18n.get("admin-menu-title"), admin_menu(i18n))


# -- panel balances ---------------------------------------------------------------------------


def balance_line(i18n: I18nContext, shop: Shop, item: PanelBalance) -> str:
    unknown = i18n.get("admin-panel-currency-unknown")
    if item.amount is None:
        line = i18n.get("admin-balance-unknown", panel=item.name)
    else:
        amount = format_panel_money(item.amount, item.currency, unknown)
        key = "admin-balance-live" if item.live else "admin-balance-stale"
        line = i18n.get(key, panel=item.name, balance=amount)
    tags = [line]
    if item.low:
        tags.append(
            i18n.get(
                "admin-balance-low",
                threshold=format_panel_money(
                    shop.settings.low_balance_alert, item.currency, unknown
                ),
            )
        )
    if item.sandbox:
        tags.append(i18n.get("admin-balance-sandbox"))
    return " · ".join(tags) + "\n" + profile_line(i18n, item)


def profile_line(i18n: I18nContext, item: PanelBalance) -> str:
    """The panel's dialect: what differs from the documented API, learned or pinned."""
    if not item.profile:
        return i18n.get("panel-profile-documented")
    parts = []
    for row in item.profile:
        value = (
            i18n.get(f"panel-profile-{row.value}")
            if row.value in ("yes", "no", "unknown")
            else row.value
        )
        label = i18n.get(f"panel-profile-{row.field.replace('_', '-')}", value=value)
        origin = i18n.get("panel-profile-pinned" if row.pinned else "panel-profile-learned")
        parts.append(f"{label} {origin}")
    return i18n.get("panel-profile-title") + " " + " · ".join(parts)


async def balances(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    await query.answer()  # asking the panels may take a moment
    items = await panel_balances(shop)
    lines = [balance_line(i18n, shop, item) for item in items] or [i18n.get("admin-balances-none")]
    text = "\n".join([i18n.get("admin-balances-title"), "", *lines])
    await show(query, text, kb.balances(i18n), answer=False)


async def balances_refresh(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    await balances(query, shop, i18n)


# -- typed lookups from the console -----------------------------------------------------------


async def ask_user(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(AdminInput.user_query)
    await show(query, i18n.get("admin-users-prompt"), kb.cancel_input(i18n))


async def ask_order(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(AdminInput.order_query)
    await show(query, i18n.get("admin-orders-prompt"), kb.cancel_input(i18n))


async def not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("admin-send-text"), reply_markup=kb.cancel_input(i18n))


def router() -> Router:
    from handlers import admin_catalog, admin_orders, admin_people

    r = admin_router("admin")
    r.message.register(admin_command, Command("admin"))
    r.callback_query.register(home, AdminCb.filter(F.action == "home"))
    r.callback_query.register(balances, AdminCb.filter(F.action == "balances"))
    r.callback_query.register(balances_refresh, AdminX.filter(F.act == Ax.BALANCES))
    r.callback_query.register(ask_user, AdminCb.filter(F.action == "users"))
    r.callback_query.register(ask_order, AdminCb.filter(F.action == "orders"))
    r.callback_query.register(cancel_prompt, AdminX.filter(F.act == Ax.CANCEL))
    r.include_router(admin_people.router())
    r.include_router(admin_orders.router())
    r.include_router(admin_catalog.router())
    # Anything but text while a console prompt waits: ask again, keep the prompt.
    r.message.register(not_text, StateFilter(AdminInput), NOT_TEXT)
    return r
