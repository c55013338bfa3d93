"""My orders: the paginated list, one order's details, refresh, refill and cancel.

Every action passes the pressing customer's id to the domain, which filters by it: a forged
or foreign order id is answered "order not found", never shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.panel import ErrorKind
from bot.shop import aftersale, panel_alerts
from bot.shop.aftersale import OrderView
from bot.shop.catalog import display_name
from bot.telegram.i18n import order_number, order_status
from bot.telegram.notify import Notifier, tell_referral_reward
from handlers.common import show
from keyboards.menu import Menu
from keyboards.orders import (
    OrderAction,
    OrderCb,
    cancel_confirm,
    no_orders,
    order_details,
    order_list,
)
from storage.models import User

PAGE_SIZE = 5
# Telegram refuses a callback answer longer than 200 characters (the customer then sees
# nothing); counted here in UTF-16 code units, as Telegram counts, which is never less.
ALERT_LIMIT = 200


# -- rendering --------------------------------------------------------------------------------


def _date(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


def _count(value: int | None) -> str | None:
    return f"{value:,}" if value is not None else None


def details_text(i18n: I18nContext, shop: Shop, view: OrderView) -> str:
    text = _details(i18n, shop, view)
    if view.cancel_requested and view.state in aftersale.OPEN_STATES:
        text += "\n" + i18n.get("order-cancel-pending")  # why Cancel is no longer offered
    return text


def _details(i18n: I18nContext, shop: Shop, view: OrderView) -> str:
    order, unknown = view.order, i18n.get("order-unknown-value")
    return i18n.get(
        "order-details",
        number=order_number(order.id),
        service=display_name(view.service, i18n.locale),
        link=order.link or unknown,
        quantity=_count(order.quantity) or unknown,
        charge=shop.money(order.charge),
        status=order_status(i18n, view.state),
        start_count=_count(order.start_count) or unknown,
        remains=_count(order.remains) or unknown,
        refunded=shop.money(order.refunded),
        created=_date(order.created_at) or unknown,
        updated=_date(order.updated_at) or unknown,
    )


async def _render_list(
    shop: Shop, user: User, i18n: I18nContext, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    result = await aftersale.order_page(shop.sessions, user.id, page, PAGE_SIZE)
    if result.total == 0:
        return i18n.get("orders-empty"), no_orders(i18n)
    labels = [
        (
            v.order.id,
            i18n.get(
                "orders-button",
                number=order_number(v.order.id),
                status=order_status(i18n, v.state),
                service=display_name(v.service, i18n.locale),
            ),
        )
        for v in result.views
    ]
    text = "\n".join(
        [
            i18n.get("orders-title", count=result.total),
            i18n.get("orders-page", page=result.page + 1, pages=result.pages),
        ]
    )
    return text, order_list(i18n, labels, result.page, result.pages)


async def _show_details(
    query: CallbackQuery,
    shop: Shop,
    i18n: I18nContext,
    view: OrderView,
    page: int,
    *,
    answer: bool = True,
) -> None:
    allowed = aftersale.allowed_actions(view, shop.panels)
    markup = order_details(i18n, view.order.id, page, refill=allowed.refill, cancel=allowed.cancel)
    await show(query, details_text(i18n, shop, view), markup, answer=answer)


def fit_alert(text: str, limit: int = ALERT_LIMIT) -> str:
    """The text cut to what an alert can carry, on a character boundary, marked with "…".
    Every message is written to fit (tests/e2e/test_hostile_orders.py renders them all with
    worst-case arguments); this is the guard for what a test cannot foresee."""
    if _utf16_len(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        size = _utf16_len(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + "…"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def alert(query: CallbackQuery, text: str) -> None:
    await query.answer(fit_alert(text), show_alert=True)


def panel_reason(i18n: I18nContext, kind: ErrorKind | None) -> str:
    """Why the panel refused, in the customer's language, chosen by the error's kind: never the
    panel's own words (another language, possibly a secret, possibly too long for an alert)."""
    return i18n.get("panel-reason", kind=(kind or ErrorKind.OTHER).value)


async def _not_found(query: CallbackQuery, i18n: I18nContext) -> None:
    await alert(query, i18n.get("order-not-found"))


# -- handlers ---------------------------------------------------------------------------------


async def orders_command(message: Message, user: User, shop: Shop, i18n: I18nContext) -> None:
    text, markup = await _render_list(shop, user, i18n, 0)
    await message.answer(text, reply_markup=markup)


async def orders_button(query: CallbackQuery, user: User, shop: Shop, i18n: I18nContext) -> None:
    text, markup = await _render_list(shop, user, i18n, 0)
    await show(query, text, markup)


async def list_page(
    query: CallbackQuery, callback_data: OrderCb, user: User, shop: Shop, i18n: I18nContext
) -> None:
    text, markup = await _render_list(shop, user, i18n, callback_data.page)
    await show(query, text, markup)


async def view_order(
    query: CallbackQuery, callback_data: OrderCb, user: User, shop: Shop, i18n: I18nContext
) -> None:
    view = await aftersale.load_order(shop.sessions, user.id, callback_data.id)
    if view is None:
        await _not_found(query, i18n)
        return
    await _show_details(query, shop, i18n, view, callback_data.page)


async def refresh_order(
    query: CallbackQuery, callback_data: OrderCb, user: User, shop: Shop, i18n: I18nContext
) -> None:
    result = await aftersale.refresh(
        shop.sessions,
        shop.panels,
        user.id,
        callback_data.id,
        shop.settings.currency_precision,
        referral_percent=shop.settings.referral_percent,
    )
    if result is None:
        await _not_found(query, i18n)
        return
    if result.change is not None and result.change.reward is not None and query.bot is not None:
        await tell_referral_reward(Notifier(query.bot, shop), result.change.reward)
    if result.unreachable:
        await alert(query, i18n.get("order-provider-unreachable"))
    elif result.change is not None and result.change.refunded > 0:
        await alert(
            query,
            i18n.get(
                "order-refunded",
                number=order_number(result.view.order.id),
                status=order_status(i18n, result.change.to_state),
                amount=shop.money(result.change.refunded),
            ),
        )
    else:
        await query.answer(fit_alert(i18n.get("order-refreshed")))
    await _show_details(query, shop, i18n, result.view, callback_data.page, answer=False)


async def refill_order(
    query: CallbackQuery,
    callback_data: OrderCb,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
) -> None:
    result = await aftersale.request_refill(shop.sessions, shop.panels, user.id, callback_data.id)
    if result is None:
        await _not_found(query, i18n)
        return
    text = i18n.get(
        f"refill-{result.outcome.value.replace('_', '-')}",
        number=order_number(callback_data.id),
        reason=panel_reason(i18n, result.kind),
    )
    await alert(query, text)
    await panel_alerts.panel_refused(
        notifier,
        result.kind,
        panel=result.panel or "?",
        action="refill",
        message=result.message or "",
    )


async def cancel_order(
    query: CallbackQuery, callback_data: OrderCb, user: User, shop: Shop, i18n: I18nContext
) -> None:
    view = await aftersale.load_order(shop.sessions, user.id, callback_data.id)
    if view is None:
        await _not_found(query, i18n)
        return
    if not aftersale.allowed_actions(view, shop.panels).cancel:
        key = (
            "cancel-already-requested"
            if view.cancel_requested and view.state in aftersale.OPEN_STATES
            else "cancel-not-allowed"
        )
        await alert(query, i18n.get(key, number=order_number(view.order.id)))
        await _show_details(query, shop, i18n, view, callback_data.page, answer=False)
        return
    text = i18n.get("order-cancel-confirm", number=order_number(view.order.id))
    await show(query, text, cancel_confirm(i18n, view.order.id, callback_data.page))


async def cancel_confirmed(
    query: CallbackQuery,
    callback_data: OrderCb,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
) -> None:
    result = await aftersale.request_cancel(shop.sessions, shop.panels, user.id, callback_data.id)
    if result is None:
        await _not_found(query, i18n)
        return
    await alert(
        query,
        i18n.get(
            f"cancel-{result.outcome.value.replace('_', '-')}",
            number=order_number(callback_data.id),
            reason=panel_reason(i18n, result.kind),
        ),
    )
    view = await aftersale.load_order(shop.sessions, user.id, callback_data.id)
    if view is not None:
        await _show_details(query, shop, i18n, view, callback_data.page, answer=False)
    # Last: the customer's screen comes first, admins hear of a bad key or panel funds after.
    await panel_alerts.panel_refused(
        notifier,
        result.kind,
        panel=result.panel or "?",
        action="cancel",
        message=result.message or "",
    )


def router() -> Router:
    r = Router(name="orders")
    r.message.register(orders_command, Command("orders"))
    r.callback_query.register(orders_button, Menu.filter(F.action == "orders"))
    actions: dict[str, Callable[..., Awaitable[None]]] = {
        OrderAction.LIST: list_page,
        OrderAction.VIEW: view_order,
        OrderAction.REFRESH: refresh_order,
        OrderAction.REFILL: refill_order,
        OrderAction.CANCEL: cancel_order,
        OrderAction.CANCEL_YES: cancel_confirmed,
    }
    for action, handler in actions.items():
        r.callback_query.register(handler, OrderCb.filter(F.action == action))
    return r
