"""Top-ups beyond Stars, the customer's side: the choice of method, a Crypto Pay invoice, and a
manual transfer with its receipt. Thin: bot.shop.crypto_topups and bot.shop.transfers decide.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import crypto_topups, payments, transfers
from bot.shop.crypto_pay import CryptoPayError
from bot.shop.payments import AmountProblem
from bot.shop.transfers import SubmitStatus
from handlers.admin_transfers import send_to_admins
from handlers.common import show
from handlers.filters import NOT_TEXT, TYPED_TEXT
from handlers.wizard_view import WIZARD, OrderWizard
from keyboards import topups as kb
from keyboards.payments import Topup
from keyboards.topups import CryptoAmount, TransferPick

log = logging.getLogger("bot.shop.topups")

AMOUNT_PROBLEMS = {
    AmountProblem.INVALID: "topup-amount-invalid",
    AmountProblem.TOO_PRECISE: "topup-amount-too-precise",
    AmountProblem.TOO_SMALL: "topup-amount-too-small",
    AmountProblem.TOO_LARGE: "topup-amount-too-large",
}
TRANSFER_PROBLEMS = {
    transfers.AmountProblem.INVALID: "transfer-amount-invalid",
    transfers.AmountProblem.TOO_SMALL: "transfer-amount-too-small",
    transfers.AmountProblem.TOO_LARGE: "transfer-amount-too-large",
}


class CryptoFlow(StatesGroup):
    amount = State()


class TransferFlow(StatesGroup):
    amount = State()  # data: tm_method
    receipt = State()  # data: tm_method, tm_amount


async def _leave(state: FSMContext) -> None:
    """Out of the top-up step, back to what the customer was doing: an order summary waiting
    for the money survives (its data stayed in the FSM meanwhile)."""
    wizard = (await state.get_data()).get(WIZARD)
    if isinstance(wizard, dict):
        await state.set_state(OrderWizard.active)
        await state.set_data({WIZARD: wizard})
    else:
        await state.clear()


# -- the choice -------------------------------------------------------------------------------


async def choice_content(shop: Shop, i18n: I18nContext) -> tuple[str, InlineKeyboardMarkup] | None:
    """The method choice, or None when Stars are the only method (their screen is shown)."""
    crypto = shop.crypto_pay is not None
    methods = await transfers.methods(shop.sessions)
    if not crypto and not methods:
        return None
    return i18n.get("topup-choose-method"), kb.choice(i18n, crypto, methods)


async def crypto_button(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    if shop.crypto_pay is None:
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    await state.set_state(CryptoFlow.amount)
    settings = shop.settings
    await show(
        query,
        i18n.get(
            "crypto-choose-amount",
            min=shop.money(settings.topup_min),
            max=shop.money(settings.topup_max),
            assets=settings.crypto_pay_assets.replace(",", ", "),
        ),
        kb.crypto_amounts(i18n, payments.presets(settings), shop.money),
    )


async def crypto_amount_button(
    query: CallbackQuery,
    callback_data: CryptoAmount,
    state: FSMContext,
    bot: Bot,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    if callback_data.amount == kb.CUSTOM:
        await query.answer()
        await bot.send_message(
            query.from_user.id,
            i18n.get(
                "crypto-enter-amount",
                min=shop.money(shop.settings.topup_min),
                max=shop.money(shop.settings.topup_max),
            ),
            reply_markup=kb.back_to_choice(i18n),
        )
        await state.set_state(CryptoFlow.amount)
        return
    amount = payments.parse_topup_amount(callback_data.amount, shop.settings)
    if isinstance(amount, AmountProblem):
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    await query.answer()
    await _invoice(bot, query.from_user.id, amount, state, shop, i18n)


async def crypto_amount_typed(
    message: Message, state: FSMContext, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    amount = payments.parse_topup_amount(message.text or "", shop.settings)
    if isinstance(amount, AmountProblem):  # say why; stay in the step
        await message.answer(
            i18n.get(
                AMOUNT_PROBLEMS[amount],
                example=shop.money(shop.settings.topup_min),
                decimals=shop.settings.currency_precision,
                min=shop.money(shop.settings.topup_min),
                max=shop.money(shop.settings.topup_max),
            ),
            reply_markup=kb.back_to_choice(i18n),
        )
        return
    await _invoice(bot, message.chat.id, amount, state, shop, i18n)


async def _invoice(
    bot: Bot, telegram_id: int, amount: Decimal, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    client = shop.crypto_pay
    if client is None:
        return
    money = shop.money(amount)
    try:
        made = await crypto_topups.create(
            shop.sessions,
            client,
            shop.settings,
            telegram_id=telegram_id,
            amount=amount,
            description=i18n.get("crypto-invoice-description", amount=money),
        )
    except CryptoPayError as exc:
        log.warning("crypto invoice for %s not created: %s", telegram_id, exc)
        await bot.send_message(telegram_id, i18n.get("crypto-invoice-failed"))
        return
    await _leave(state)
    settings = shop.settings
    price = money  # the invoice's own fiat, when it is not the shop's currency, too
    if settings.crypto_fiat != settings.currency:
        price = f"{money} = {settings.crypto_invoice_amount(amount)} {settings.crypto_fiat}"
    await bot.send_message(
        telegram_id,
        i18n.get(
            "crypto-invoice",
            amount=price,
            minutes=shop.settings.crypto_pay_invoice_minutes,
            invoice_id=made.invoice_id,
        ),
        reply_markup=kb.pay_link(i18n, made.pay_url),
    )


# -- manual transfer --------------------------------------------------------------------------


def _limits(method: transfers.Method, shop: Shop) -> dict[str, str]:
    unit = method.currency or shop.settings.currency
    return {
        "min": f"{method.min_amount.normalize():f} {unit}",
        "max": f"{method.max_amount.normalize():f} {unit}",
        "currency": unit,
    }


async def transfer_button(
    query: CallbackQuery,
    callback_data: TransferPick,
    state: FSMContext,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    method = await transfers.method(shop.sessions, callback_data.method)
    if method is None or not method.enabled:
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    await state.set_state(TransferFlow.amount)
    await state.update_data(tm_method=method.id)
    await show(
        query,
        i18n.get(
            "transfer-instructions",
            name=method.name(i18n.locale),
            instructions=method.instructions(i18n.locale),
            **_limits(method, shop),
        ),
        kb.back_to_choice(i18n),
    )


async def transfer_amount_typed(
    message: Message, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    data = await state.get_data()
    method = await transfers.method(shop.sessions, int(data.get("tm_method", 0)))
    if method is None or not method.enabled:
        await _leave(state)
        await message.answer(i18n.get("transfer-method-gone"))
        return
    amount = transfers.parse_amount(message.text or "", method, shop.settings.currency_precision)
    if isinstance(amount, transfers.AmountProblem):
        await message.answer(
            i18n.get(TRANSFER_PROBLEMS[amount], **_limits(method, shop)),
            reply_markup=kb.back_to_choice(i18n),
        )
        return
    await state.set_state(TransferFlow.receipt)
    await state.update_data(tm_amount=str(amount))
    credit = transfers.credit_for(amount, method, shop.settings.currency_precision)
    await message.answer(
        i18n.get(
            "transfer-send-receipt",
            paid=f"{amount.normalize():f} {method.currency or shop.settings.currency}",
            amount=shop.money(credit),
        ),
        reply_markup=kb.back_to_choice(i18n),
    )


async def receipt_sent(
    message: Message,
    state: FSMContext,
    bot: Bot,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    if message.photo:
        file_id, kind = message.photo[-1].file_id, "photo"
    elif message.document:
        file_id, kind = message.document.file_id, "document"
    else:  # text, a sticker…: ask again, stay in the step
        await message.answer(
            i18n.get("transfer-receipt-needed"), reply_markup=kb.back_to_choice(i18n)
        )
        return
    data = await state.get_data()
    try:
        amount = Decimal(str(data.get("tm_amount", "")))
    except ArithmeticError:
        await _leave(state)
        return
    result = await transfers.submit(
        shop.sessions,
        telegram_id=message.chat.id,
        method_id=int(data.get("tm_method", 0)),
        amount=amount,
        precision=shop.settings.currency_precision,
        receipt_file_id=file_id,
        receipt_kind=kind,
        max_pending=shop.settings.transfer_max_pending,
    )
    if result.status is SubmitStatus.TOO_MANY:
        await _leave(state)
        await message.answer(
            i18n.get("transfer-too-many", count=shop.settings.transfer_max_pending)
        )
        return
    if result.status is SubmitStatus.METHOD_GONE:
        await _leave(state)
        await message.answer(i18n.get("transfer-method-gone"))
        return
    await _leave(state)
    await message.answer(i18n.get("transfer-received", id=result.payment_id))
    await send_to_admins(bot, shop, result.payment_id)


def router() -> Router:
    r = Router(name="topups")
    r.callback_query.register(crypto_button, Topup.filter(F.amount == kb.CRYPTO))
    r.callback_query.register(crypto_amount_button, CryptoAmount.filter())
    r.message.register(crypto_amount_typed, StateFilter(CryptoFlow.amount), TYPED_TEXT)
    r.callback_query.register(transfer_button, TransferPick.filter())
    r.message.register(transfer_amount_typed, StateFilter(TransferFlow.amount), TYPED_TEXT)
    r.message.register(receipt_sent, StateFilter(TransferFlow.receipt), NOT_TEXT)
    r.message.register(receipt_sent, StateFilter(TransferFlow.receipt), TYPED_TEXT)
    return r
