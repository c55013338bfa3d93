"""Top-ups in Telegram Stars: amounts, invoices, checkout, receipts, refunds, and the
/paysupport and /terms texts Telegram asks of bots that take payments.

Thin on purpose: bot.shop.payments signs, checks and moves the money; this parses and renders.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import payments
from bot.shop.payments import (
    AmountProblem,
    CreditStatus,
    RefundOutcome,
    Refusal,
    ReserveStatus,
    TelegramRefundStatus,
)
from bot.telegram.notify import Notifier
from bot.telegram.telegram_session import describe, is_transient
from handlers import topups
from handlers.common import show
from handlers.filters import TYPED_TEXT, IsAdmin, Magic
from handlers.telegram_errors import reason
from handlers.wizard_view import WIZARD, OrderWizard, pending_summary
from keyboards import wizard as wizard_kb
from keyboards.balance import Balance
from keyboards.payments import CUSTOM, Topup, custom_amount_screen, topup_screen
from keyboards.topups import CRYPTO as CRYPTO_CHOICE
from keyboards.topups import STARS as STARS_CHOICE

log = logging.getLogger("bot.shop.payments")

REFUSALS = {
    Refusal.INVALID: "pay-refused-invalid",
    Refusal.WRONG_USER: "pay-refused-wrong-user",
    Refusal.WRONG_TOTAL: "pay-refused-total",
    Refusal.BANNED: "pay-refused-banned",
}
AMOUNT_PROBLEMS = {
    AmountProblem.INVALID: "topup-amount-invalid",
    AmountProblem.TOO_PRECISE: "topup-amount-too-precise",
    AmountProblem.TOO_SMALL: "topup-amount-too-small",
    AmountProblem.TOO_LARGE: "topup-amount-too-large",
}


class TopupFlow(StatesGroup):
    amount = State()  # waiting for a typed custom amount


# Going back to the top-up screen leaves any of its steps (Stars, crypto, transfer).
LEAVE_ON_BACK = {
    TopupFlow.amount.state,
    topups.CryptoFlow.amount.state,
    topups.TransferFlow.amount.state,
    topups.TransferFlow.receipt.state,
}


def _rate(shop: Shop) -> dict[str, Any]:
    settings = shop.settings
    return {
        "currency": settings.currency,
        "unit": f"1 {settings.currency}",
        "rate": format(settings.stars_per_unit.normalize(), "f"),
        "min": shop.money(settings.topup_min),
        "max": shop.money(settings.topup_max),
    }


# -- choosing an amount -----------------------------------------------------------------------


async def topup_screen_button(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    if await state.get_state() in LEAVE_ON_BACK:
        await _leave_amount_step(state)
    await show(query, *await topup_entry(shop, i18n))


async def topup_entry(shop: Shop, i18n: I18nContext) -> tuple[str, InlineKeyboardMarkup]:
    """The method choice when crypto or a transfer method is offered, else the Stars screen."""
    return await topups.choice_content(shop, i18n) or topup_content(shop, i18n)


def topup_content(shop: Shop, i18n: I18nContext) -> tuple[str, InlineKeyboardMarkup]:
    rate = shop.settings.stars_per_unit
    presets = [
        (amount, payments.stars_for(amount, rate)) for amount in payments.presets(shop.settings)
    ]
    return i18n.get("topup-title", **_rate(shop)), topup_screen(i18n, presets, shop.money)


async def _leave_amount_step(state: FSMContext) -> None:
    """Back to what the customer was doing: an order summary waiting for the money survives
    (its data stayed in the FSM while the amount was asked)."""
    if WIZARD in await state.get_data():
        await state.set_state(OrderWizard.active)
    else:
        await state.clear()


async def amount_button(
    query: CallbackQuery,
    callback_data: Topup,
    state: FSMContext,
    bot: Bot,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    if callback_data.amount == STARS_CHOICE:
        await show(query, *topup_content(shop, i18n))
        return
    if callback_data.amount == CUSTOM:
        await state.set_state(TopupFlow.amount)
        await show(query, i18n.get("topup-enter-amount", **_rate(shop)), custom_amount_screen(i18n))
        return
    amount = payments.parse_topup_amount(callback_data.amount, shop.settings)
    if isinstance(amount, AmountProblem):  # forged, or the bounds changed since
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    await query.answer()
    await _send_invoice(bot, query.from_user.id, amount, shop, i18n)


async def amount_typed(
    message: Message, state: FSMContext, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    amount = payments.parse_topup_amount(message.text or "", shop.settings)
    if isinstance(amount, AmountProblem):  # say why; stay in the step
        example = next(iter(payments.presets(shop.settings)), shop.settings.topup_min)
        await message.answer(
            i18n.get(
                AMOUNT_PROBLEMS[amount],
                example=shop.money(example),
                decimals=shop.settings.currency_precision,
                **_rate(shop),
            ),
            reply_markup=custom_amount_screen(i18n),
        )
        return
    await _leave_amount_step(state)
    await _send_invoice(bot, message.chat.id, amount, shop, i18n)


async def _send_invoice(
    bot: Bot, telegram_id: int, amount: Decimal, shop: Shop, i18n: I18nContext
) -> None:
    stars = payments.stars_for(amount, shop.settings.stars_per_unit)
    payload = payments.sign(payments.payload_key(shop.settings), telegram_id, amount, stars)
    money = shop.money(amount)
    try:
        await bot.send_invoice(
            chat_id=telegram_id,
            title=i18n.get("topup-invoice-title", amount=money)[:32],
            description=i18n.get(
                "topup-invoice-description",
                amount=money,
                stars=i18n.get("pay-stars", stars=stars),
                **_rate(shop),
            )[:255],
            payload=payload,
            currency=payments.STARS,
            prices=[LabeledPrice(label=i18n.get("topup-invoice-label"), amount=stars)],
            provider_token="",  # Stars: no payment provider
        )
    except TelegramAPIError as exc:
        log.warning("invoice for %s not sent: %s", telegram_id, exc)
        try:
            await bot.send_message(telegram_id, i18n.get("topup-invoice-failed"))
        except TelegramAPIError:
            pass


# -- checkout and the money -------------------------------------------------------------------


async def pre_checkout(query: PreCheckoutQuery, shop: Shop, i18n: I18nContext) -> None:
    # Telegram cancels the payment after 10 s: one indexed read, then the answer.
    telegram_id = query.from_user.id
    banned = not shop.is_admin(telegram_id) and await payments.is_banned(shop.sessions, telegram_id)
    verdict = payments.check_checkout(
        payments.payload_key(shop.settings),
        payload=query.invoice_payload,
        telegram_id=telegram_id,
        currency=query.currency,
        total_amount=query.total_amount,
        banned=banned,
    )
    try:
        if isinstance(verdict, Refusal):
            log.info("pre-checkout of %s refused: %s", telegram_id, verdict.value)
            await query.answer(ok=False, error_message=i18n.get(REFUSALS[verdict]))
        else:
            await query.answer(ok=True)
    except TelegramAPIError as exc:  # expired query: Telegram already declined it
        log.warning("pre-checkout answer failed: %s", exc)


async def successful_payment(
    message: Message, state: FSMContext, shop: Shop, notifier: Notifier, i18n: I18nContext
) -> None:
    paid = message.successful_payment
    if paid is None or message.from_user is None:
        return
    charge_id = paid.telegram_payment_charge_id
    result = await payments.credit_payment(
        shop.sessions,
        payments.payload_key(shop.settings),
        telegram_id=message.from_user.id,
        payload=paid.invoice_payload,
        currency=paid.currency,
        total_amount=paid.total_amount,
        charge_id=charge_id,
        provider_charge_id=paid.provider_payment_charge_id,
        precision=shop.settings.currency_precision,
    )
    if result.status is CreditStatus.DUPLICATE:
        log.info("payment %s delivered again: already credited", charge_id)
        return
    if result.status is CreditStatus.UNMATCHED:
        log.error("payment %s could not be matched; not credited", charge_id)
        await notifier.send(message.chat.id, i18n.get("pay-unmatched", charge_id=charge_id))
        await notifier.to_admins(
            "pay-admin-unmatched",
            user_id=message.from_user.id,
            stars=result.stars,
            charge_id=charge_id,
        )
        return
    token = await pending_summary(state)  # the order they were topping up for: one tap away
    await notifier.send(
        message.chat.id,
        i18n.get(
            "pay-receipt",
            amount=shop.money(result.amount),
            balance=shop.money(result.balance),
            stars=i18n.get("pay-stars", stars=result.stars),
            charge_id=charge_id,
        ),
        wizard_kb.resume(i18n.get("btn-continue-order"), token) if token else None,
    )
    if result.bonus:
        await notifier.send(
            message.chat.id, i18n.get("promo-bonus-paid", amount=shop.money(result.bonus))
        )


async def refunded_payment(
    message: Message, shop: Shop, notifier: Notifier, i18n: I18nContext
) -> None:
    refund = message.refunded_payment
    if refund is None:
        return
    charge_id = refund.telegram_payment_charge_id
    result = await payments.apply_telegram_refund(shop.sessions, charge_id=charge_id)
    if result.status is TelegramRefundStatus.NOT_FOUND:
        log.warning("refunded_payment for unknown charge %s", charge_id)
        return
    view = result.payment
    if view is not None and result.status is TelegramRefundStatus.CONFIRMED:
        # Our own refund, whose answer never came (/refundstars said "outcome unknown"):
        # confirmed now, so now, and only now, the customer hears of it.
        await notifier.send(
            message.chat.id,
            i18n.get(
                "pay-refunded-by-shop",
                charge_id=charge_id,
                amount=shop.money(view.credited),
                stars=i18n.get("pay-stars", stars=view.stars),
                balance=shop.money(view.balance),
            ),
        )
        return
    if view is None or result.status not in (
        TelegramRefundStatus.DEBITED,
        TelegramRefundStatus.SHORTFALL,
    ):
        return  # handled before
    await notifier.send(
        message.chat.id,
        i18n.get(
            "pay-refunded-by-telegram",
            charge_id=charge_id,
            stars=i18n.get("pay-stars", stars=view.stars),
            amount=shop.money(result.debited),
            balance=shop.money(view.balance),
        ),
    )
    if result.status is TelegramRefundStatus.SHORTFALL:
        await notifier.to_admins(
            "pay-admin-shortfall",
            charge_id=charge_id,
            user_id=view.telegram_id,
            stars=view.stars,
            credited=shop.money(view.credited),
            debited=shop.money(result.debited),
            shortfall=shop.money(result.shortfall),
        )


# -- texts Telegram asks for ------------------------------------------------------------------


async def paysupport_command(message: Message, i18n: I18nContext) -> None:
    telegram_id = message.from_user.id if message.from_user else message.chat.id
    await message.answer(i18n.get("paysupport-text", telegram_id=telegram_id))


async def terms_command(message: Message, shop: Shop, i18n: I18nContext) -> None:
    await message.answer(i18n.get("terms-text", **_rate(shop)))


# -- admin: /refundstars CHARGE_ID ------------------------------------------------------------


async def refundstars_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    shop: Shop,
    notifier: Notifier,
    i18n: I18nContext,
) -> None:
    args = (command.args or "").split()
    if len(args) != 1 or message.from_user is None:
        await message.answer(i18n.get("refundstars-usage"))
        return
    charge_id, admin_id = args[0], message.from_user.id
    reservation = await payments.reserve_refund(
        shop.sessions, charge_id=charge_id, admin_telegram_id=admin_id
    )
    view = reservation.payment
    if reservation.status is ReserveStatus.NOT_FOUND or view is None:
        await message.answer(i18n.get("refundstars-not-found", charge_id=charge_id))
        return
    if reservation.status is ReserveStatus.SPENT:
        await message.answer(
            i18n.get(
                "refundstars-spent",
                user_id=view.telegram_id,
                balance=shop.money(view.balance),
                amount=shop.money(view.credited),
            )
        )
        return
    if reservation.status is ReserveStatus.DONE:
        await message.answer(i18n.get("refundstars-already", status=view.status.value))
        return
    # The debit is held: now, and only now, ask Telegram (no transaction is open).
    outcome, failure = await _refund_on_telegram(bot, view.telegram_id, charge_id)
    error = describe(failure) if failure is not None else None
    settled = await payments.finish_refund(
        shop.sessions, charge_id=charge_id, admin_telegram_id=admin_id, outcome=outcome, error=error
    )
    view = settled or view
    amount = shop.money(view.credited)
    if outcome is RefundOutcome.UNKNOWN:  # the debit stays held; a retry is safe
        key = (
            "refundstars-flood"
            if isinstance(failure, TelegramRetryAfter)
            else "refundstars-unknown"
        )
        await message.answer(
            i18n.get(
                key,
                amount=amount,
                user_id=view.telegram_id,
                reason=reason(failure, i18n) if failure is not None else "?",
                seconds=getattr(failure, "retry_after", 0),
            )
        )
        return
    if outcome is RefundOutcome.REFUSED:
        await message.answer(
            i18n.get(
                "refundstars-refused",
                amount=amount,
                user_id=view.telegram_id,
                reason=reason(failure, i18n) if failure is not None else "?",
            )
        )
        return
    await message.answer(
        i18n.get(
            "refundstars-done",
            stars=view.stars,
            user_id=view.telegram_id,
            amount=amount,
            balance=shop.money(view.balance),
        )
    )
    language = view.language or shop.settings.default_language
    told = await notifier.to_user(
        view.telegram_id,
        "pay-refunded-by-shop",
        charge_id=charge_id,
        amount=amount,
        stars=shop.translate(language, "pay-stars", stars=view.stars),
        balance=shop.money(view.balance),
    )
    if not told:
        await message.answer(i18n.get("refundstars-customer-not-told", user_id=view.telegram_id))


async def _refund_on_telegram(
    bot: Bot, telegram_id: int, charge_id: str
) -> tuple[RefundOutcome, BaseException | None]:
    """Telegram's verdict on the refund: REFUNDED, REFUSED (a definite 4xx: the failure says
    why), or UNKNOWN — no verdict (timeout, network, 5xx, an unreadable answer: it may or may
    not have happened) or a 429 that outlasts our patience (it did not happen yet)."""
    try:  # a 429 within bounds, a 5xx, a refused connection: retried by the session already
        await bot.refund_star_payment(user_id=telegram_id, telegram_payment_charge_id=charge_id)
        return RefundOutcome.REFUNDED, None
    except TelegramRetryAfter as exc:
        log.warning("refundStarPayment %s: %s", charge_id, describe(exc))
        return RefundOutcome.UNKNOWN, exc
    except TelegramBadRequest as exc:
        if "CHARGE_ALREADY_REFUNDED" in (exc.message or ""):  # an earlier try got through
            return RefundOutcome.REFUNDED, None
        return RefundOutcome.REFUSED, exc
    except Exception as exc:  # whatever else: a verdict only if Telegram gave one
        if isinstance(exc, TelegramAPIError) and not is_transient(exc):
            return RefundOutcome.REFUSED, exc
        log.warning("refundStarPayment %s: no answer: %s", charge_id, describe(exc))
        return RefundOutcome.UNKNOWN, exc


def router() -> Router:
    r = Router(name="payments")
    # Service messages first: they must be seen whatever step the customer is in.
    r.message.register(successful_payment, Magic(F.successful_payment))
    r.message.register(refunded_payment, Magic(F.refunded_payment))
    r.pre_checkout_query.register(pre_checkout)
    r.message.register(paysupport_command, Command("paysupport"))
    r.message.register(terms_command, Command("terms"))
    r.message.register(refundstars_command, Command("refundstars"), IsAdmin())
    r.callback_query.register(topup_screen_button, Balance.filter(F.action == "topup"))
    r.callback_query.register(amount_button, Topup.filter(F.amount != CRYPTO_CHOICE))
    r.message.register(amount_typed, StateFilter(TopupFlow.amount), TYPED_TEXT)
    return r
