"""Customers: the invite screen (/invite, "👥 Invite friends") and promo codes (/promo CODE,
the balance screen's "🎟 Promo code"). The rules live in bot.shop.referrals and bot.shop.promos."""

from __future__ import annotations

from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import promos, referrals, shop_settings
from bot.shop.promos import Redeem, Redemption
from handlers.common import show
from handlers.filters import NOT_TEXT, TYPED_TEXT
from keyboards.balance import balance_screen
from keyboards.growth import Invite, PromoCb
from keyboards.menu import back_to_menu
from storage.models import User


class PromoInput(StatesGroup):
    code = State()  # the balance screen's button asked for a code


def percent_text(value: Decimal) -> str:
    """10 rather than 10.000000: a percent as people write it."""
    text = format(value.normalize(), "f")
    return text


async def _invite_text(bot: Bot, shop: Shop, user: User, i18n: I18nContext) -> str:
    stats = await referrals.invite_stats(shop.sessions, user.id)
    async with shop.sessions() as session:
        percent = await shop_settings.referral_percent(session, shop.settings.referral_percent)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={stats.code}"
    parts = [
        i18n.get("invite-screen", link=link, joined=stats.joined, earned=shop.money(stats.earned)),
        "",
        i18n.get("invite-reward-on", percent=percent_text(percent))
        if percent > 0
        else i18n.get("invite-reward-off"),
        i18n.get("invite-help"),
    ]
    return "\n".join(parts)


async def invite_command(
    message: Message, bot: Bot, state: FSMContext, user: User, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    text = await _invite_text(bot, shop, user, i18n)
    await message.answer(text, reply_markup=back_to_menu(i18n), disable_web_page_preview=True)


async def invite_button(
    query: CallbackQuery, bot: Bot, state: FSMContext, user: User, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    await show(query, await _invite_text(bot, shop, user, i18n), back_to_menu(i18n))


def redemption_text(i18n: I18nContext, shop: Shop, result: Redemption) -> str:
    if result.status is Redeem.CREDITED:
        return i18n.get(
            "promo-credited",
            code=result.code,
            amount=shop.money(result.value),
            balance=shop.money(result.balance),
        )
    if result.status is Redeem.BONUS_PENDING:
        return i18n.get("promo-bonus-pending", code=result.code, percent=percent_text(result.value))
    return i18n.get(f"promo-{result.status.value.replace('_', '-')}", code=result.code)


_DONE = (Redeem.CREDITED, Redeem.BONUS_PENDING)
# Worth typing again in the prompt; the rest are final answers about a real code.
_RETRY = (Redeem.INVALID, Redeem.NOT_FOUND)


async def _redeem(shop: Shop, user: User, message: Message, text: str) -> Redemption:
    telegram_id = message.from_user.id if message.from_user else user.telegram_id
    return await promos.redeem(shop.sessions, user_id=user.id, telegram_id=telegram_id, text=text)


async def promo_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    if not command.args:
        await state.set_state(PromoInput.code)
        await message.answer(i18n.get("promo-usage"))
        return
    await state.clear()
    result = await _redeem(shop, user, message, command.args)
    await message.answer(redemption_text(i18n, shop, result), reply_markup=balance_screen(i18n))


async def promo_ask(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(PromoInput.code)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(i18n.get("promo-ask"))


async def promo_typed(
    message: Message, state: FSMContext, user: User, shop: Shop, i18n: I18nContext
) -> None:
    result = await _redeem(shop, user, message, message.text or "")
    if result.status in _RETRY:
        await message.answer(redemption_text(i18n, shop, result))  # the prompt stays
        return
    await state.clear()
    await message.answer(redemption_text(i18n, shop, result), reply_markup=balance_screen(i18n))


async def promo_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("promo-ask"))


def router() -> Router:
    r = Router(name="growth")
    r.message.register(invite_command, Command("invite"))
    r.callback_query.register(invite_button, Invite.filter(F.action == "show"))
    r.message.register(promo_command, Command("promo"))
    r.callback_query.register(promo_ask, PromoCb.filter(F.action == "ask"))
    r.message.register(promo_typed, StateFilter(PromoInput.code), TYPED_TEXT)
    r.message.register(promo_not_text, StateFilter(PromoInput.code), NOT_TEXT)
    return r
