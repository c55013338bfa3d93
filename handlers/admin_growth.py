"""Admins: promo codes and the referral reward percent.

Commands (from anywhere): `/newpromo CODE AMOUNT|PERCENT% [uses=N] [days=N]`, `/promos`. The
console's "🎟 Promo codes" screen lists codes with their uses, disables them, creates one step
by step (code, value, uses, days) and sets the referral percent. Admins only (IsAdmin on the
router); every change is audited by the domain (bot.shop.promos, bot.shop.referrals).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import promos, referrals
from bot.shop.promos import NewPromo, Problem
from handlers.admin import admin_router
from handlers.common import show
from handlers.filters import NOT_TEXT, TYPED_TEXT
from handlers.growth import percent_text
from keyboards.admin import AdminCb, admin_menu
from keyboards.growth import PromoCb, admin_cancel, admin_promos
from storage.models import PromoCode, PromoKind
from storage.types import utcnow


class PromoAdminInput(StatesGroup):
    code = State()
    value = State()  # data: code
    uses = State()  # data: code, kind, value
    days = State()  # data: code, kind, value, uses
    referral = State()


def promo_line(i18n: I18nContext, shop: Shop, promo: PromoCode) -> str:
    if promo.kind == PromoKind.BONUS.value:
        value = i18n.get("admin-promo-bonus", percent=percent_text(promo.value))
    else:
        value = i18n.get("admin-promo-credit", amount=shop.money(promo.value))
    if promo.expires_at is None:
        expiry = i18n.get("admin-promo-no-expiry")
    else:
        expiry = i18n.get("admin-promo-expires", date=promo.expires_at.strftime("%Y-%m-%d %H:%M"))
    return i18n.get(
        "admin-promo-line",
        code=promo.code,
        value=value,
        uses=str(promo.uses),
        max=i18n.get("admin-promo-max", max=str(promo.max_uses)) if promo.max_uses else "",
        expiry=expiry,
        state=i18n.get("admin-promo-disabled-mark") if promo.disabled else "",
    )


async def _screen(shop: Shop, i18n: I18nContext) -> tuple[str, Any]:
    codes = await promos.list_codes(shop.sessions)
    lines = [i18n.get("admin-promos-title"), ""]
    lines += [promo_line(i18n, shop, promo) for promo in codes] or [i18n.get("admin-promos-empty")]
    percent = await referrals.current_percent(shop.sessions, shop.settings.referral_percent)
    now = utcnow()
    active = [
        (promo.id, promo.code)
        for promo in codes
        if not promo.disabled and (promo.expires_at is None or promo.expires_at > now)
    ]
    return "\n".join(lines), admin_promos(i18n, active[:20], percent_text(percent))


def problem_text(i18n: I18nContext, shop: Shop, problem: Problem, code: str = "") -> str:
    if problem is Problem.SYNTAX:
        return i18n.get("admin-promo-syntax") + "\n" + i18n.get("admin-newpromo-usage")
    return i18n.get(
        f"admin-promo-{problem.value}", code=code, precision=shop.settings.currency_precision
    )


async def _create(shop: Shop, i18n: I18nContext, admin_id: int, new: NewPromo) -> str:
    created = await promos.create(shop.sessions, admin_id, new)
    if isinstance(created, Problem):
        return problem_text(i18n, shop, created, new.code)
    return i18n.get("admin-promo-created") + "\n" + promo_line(i18n, shop, created)


async def newpromo_command(
    message: Message, command: CommandObject, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    parsed = promos.parse_newpromo(command.args, shop.settings.currency_precision)
    if isinstance(parsed, Problem):
        await message.answer(problem_text(i18n, shop, parsed))
        return
    assert message.from_user is not None
    await message.answer(await _create(shop, i18n, message.from_user.id, parsed))


async def promos_command(
    message: Message, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    text, markup = await _screen(shop, i18n)
    await message.answer(text, reply_markup=markup)


async def promos_button(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    text, markup = await _screen(shop, i18n)
    await show(query, text, markup)


async def disable_button(
    query: CallbackQuery, callback_data: PromoCb, shop: Shop, i18n: I18nContext
) -> None:
    promo = await promos.disable(shop.sessions, query.from_user.id, callback_data.id)
    if promo is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    await query.answer(i18n.get("admin-promo-disabled", code=promo.code))
    text, markup = await _screen(shop, i18n)
    await show(query, text, markup, answer=False)


async def cancel_button(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.clear()
    await show(query, i18n.get("admin-menu-title"), admin_menu(i18n))


# -- guided creation ----------------------------------------------------------------------------


async def new_button(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(PromoAdminInput.code)
    await state.set_data({})
    await show(query, i18n.get("admin-promo-ask-code"), admin_cancel(i18n))


async def typed_code(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    code = promos.normalize_code(message.text or "")
    if code is None:
        await message.answer(
            problem_text(i18n, shop, Problem.BAD_CODE), reply_markup=admin_cancel(i18n)
        )
        return
    await state.update_data(code=code)
    await state.set_state(PromoAdminInput.value)
    await message.answer(i18n.get("admin-promo-ask-value"), reply_markup=admin_cancel(i18n))


async def typed_value(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    parsed = promos.parse_value(message.text or "", shop.settings.currency_precision)
    if isinstance(parsed, Problem):
        await message.answer(problem_text(i18n, shop, parsed), reply_markup=admin_cancel(i18n))
        return
    await state.update_data(kind=parsed[0].value, value=str(parsed[1]))
    await state.set_state(PromoAdminInput.uses)
    await message.answer(i18n.get("admin-promo-ask-uses"), reply_markup=admin_cancel(i18n))


def _limit(text: str, upper: int) -> int | Problem | None:
    if text.strip() == "-":
        return None
    value = promos.parse_limit(text, upper)
    return Problem.SYNTAX if value is None else value


async def typed_uses(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    uses = _limit(message.text or "", promos.MAX_USES)
    if isinstance(uses, Problem):
        await message.answer(
            problem_text(i18n, shop, Problem.BAD_USES), reply_markup=admin_cancel(i18n)
        )
        return
    await state.update_data(uses=uses)
    await state.set_state(PromoAdminInput.days)
    await message.answer(i18n.get("admin-promo-ask-days"), reply_markup=admin_cancel(i18n))


async def typed_days(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    days = _limit(message.text or "", promos.MAX_DAYS)
    if isinstance(days, Problem):
        await message.answer(
            problem_text(i18n, shop, Problem.BAD_DAYS), reply_markup=admin_cancel(i18n)
        )
        return
    data = await state.get_data()
    await state.clear()
    new = NewPromo(
        code=data["code"],
        kind=PromoKind(data["kind"]),
        value=Decimal(data["value"]),
        max_uses=data["uses"],
        days=days,
    )
    assert message.from_user is not None
    await message.answer(await _create(shop, i18n, message.from_user.id, new))
    text, markup = await _screen(shop, i18n)
    await message.answer(text, reply_markup=markup)


# -- the referral percent -----------------------------------------------------------------------


async def referral_button(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    percent = await referrals.current_percent(shop.sessions, shop.settings.referral_percent)
    await state.set_state(PromoAdminInput.referral)
    await show(
        query,
        i18n.get(
            "admin-referral-prompt",
            percent=percent_text(percent),
            default=percent_text(shop.settings.referral_percent),
        ),
        admin_cancel(i18n),
    )


async def typed_referral(
    message: Message, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    parsed = referrals.parse_percent(message.text or "")
    if parsed is None:
        await message.answer(i18n.get("admin-referral-invalid"), reply_markup=admin_cancel(i18n))
        return
    await state.clear()
    assert message.from_user is not None
    percent = await referrals.set_percent(
        shop.sessions,
        admin_id=message.from_user.id,
        percent=None if parsed == referrals.RESET else Decimal(parsed),
        default=shop.settings.referral_percent,
    )
    await message.answer(i18n.get("admin-referral-set", percent=percent_text(percent)))
    text, markup = await _screen(shop, i18n)
    await message.answer(text, reply_markup=markup)


async def not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("admin-send-text"), reply_markup=admin_cancel(i18n))


def router() -> Router:
    r = admin_router(name="admin-growth")
    r.message.register(newpromo_command, Command("newpromo"))
    r.message.register(promos_command, Command("promos"))
    r.callback_query.register(promos_button, AdminCb.filter(F.action == "promos"))
    r.callback_query.register(promos_button, PromoCb.filter(F.action == "list"))
    r.callback_query.register(disable_button, PromoCb.filter(F.action == "off"))
    r.callback_query.register(new_button, PromoCb.filter(F.action == "new"))
    r.callback_query.register(referral_button, PromoCb.filter(F.action == "ref"))
    r.callback_query.register(cancel_button, PromoCb.filter(F.action == "x"))
    r.message.register(typed_code, StateFilter(PromoAdminInput.code), TYPED_TEXT)
    r.message.register(typed_value, StateFilter(PromoAdminInput.value), TYPED_TEXT)
    r.message.register(typed_uses, StateFilter(PromoAdminInput.uses), TYPED_TEXT)
    r.message.register(typed_days, StateFilter(PromoAdminInput.days), TYPED_TEXT)
    r.message.register(typed_referral, StateFilter(PromoAdminInput.referral), TYPED_TEXT)
    r.message.register(not_text, StateFilter(PromoAdminInput), NOT_TEXT)
    return r
