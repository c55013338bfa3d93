"""Manual transfers, the admins' side: receipts sent to every admin with Approve / Edit amount /
Reject, the reason a rejection asks for, and the console screen (pending receipts, the methods,
adding one). Thin: bot.shop.transfers decides and audits.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import transfers, users
from bot.shop.digits import parse_decimal
from bot.shop.transfers import MethodSpec, Request, Verdict
from handlers.common import show
from handlers.filters import TYPED_TEXT, IsAdmin
from keyboards import topups as kb
from keyboards.admin import AdminCb
from keyboards.topups import TransferAdmin

log = logging.getLogger("bot.shop.transfers")


class TransferReview(StatesGroup):
    reason = State()  # data: ta_id
    amount = State()  # data: ta_id
    method = State()  # the new method's lines


def _fields(shop: Shop, request: Request) -> dict[str, object]:
    return {
        "id": request.id,
        "user_id": request.telegram_id,
        "method": request.method_name,
        "paid": request.paid,
        "amount": shop.money(request.amount),
    }


async def send_to_admins(bot: Bot, shop: Shop, payment_id: int) -> int:
    """A copy of the receipt to every admin, in their language, with the review buttons."""
    request = await transfers.request(shop.sessions, payment_id)
    if request is None or request.receipt_file_id is None:
        return 0
    reached = 0
    for admin_id in sorted(shop.settings.admin_ids):
        user = await users.by_telegram_id(shop.sessions, admin_id)
        language = (user.language if user else None) or shop.settings.default_language

        def translate(key: str, language: str = language) -> str:
            return shop.translate(language, key)

        caption = shop.translate(language, "transfer-admin-receipt", **_fields(shop, request))
        markup = kb.review(translate, payment_id)
        try:
            if request.receipt_kind == "photo":
                await bot.send_photo(
                    admin_id, request.receipt_file_id, caption=caption, reply_markup=markup
                )
            else:
                await bot.send_document(
                    admin_id, request.receipt_file_id, caption=caption, reply_markup=markup
                )
            reached += 1
        except TelegramAPIError as exc:  # a blocked bot, a deleted chat: the console lists it
            log.warning("receipt %d not sent to admin %d: %s", payment_id, admin_id, exc)
    return reached


async def _tell_customer(
    bot: Bot, shop: Shop, request: Request, key: str, **kwargs: object
) -> None:
    language = request.language or shop.settings.default_language
    try:
        await bot.send_message(request.telegram_id, shop.translate(language, key, **kwargs))
    except TelegramAPIError as exc:
        log.warning(
            "customer %d not told about transfer %d: %s", request.telegram_id, request.id, exc
        )


async def _answer(query: CallbackQuery, bot: Bot, text: str) -> None:
    """A new message under the receipt (a photo's caption is not edited into text)."""
    await query.answer()
    try:
        await bot.send_message(query.from_user.id, text)
    except TelegramAPIError as exc:
        log.warning("admin %d not told: %s", query.from_user.id, exc)


async def approve(
    query: CallbackQuery, callback_data: TransferAdmin, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    decision = await transfers.approve(
        shop.sessions, callback_data.id, query.from_user.id, shop.settings.currency_precision
    )
    request = decision.request
    if decision.verdict is Verdict.NOT_FOUND or request is None:
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    if decision.verdict is Verdict.ALREADY:
        await query.answer(
            i18n.get("transfer-admin-already", status=request.status), show_alert=True
        )
        return
    await _answer(query, bot, i18n.get("transfer-admin-approved", **_fields(shop, request)))
    await _tell_customer(
        bot,
        shop,
        request,
        "transfer-approved",
        amount=shop.money(request.amount),
        balance=shop.money(decision.balance),
        id=request.id,
    )


async def _still_pending(
    query: CallbackQuery, shop: Shop, i18n: I18nContext, payment_id: int
) -> Request | None:
    """The receipt a button is about, while it still waits for a decision; otherwise the button
    is stale and the admin is told so."""
    request = await transfers.request(shop.sessions, payment_id)
    if request is None or request.status != "pending":
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return None
    return request


async def ask_reason(
    query: CallbackQuery,
    callback_data: TransferAdmin,
    state: FSMContext,
    bot: Bot,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    request = await _still_pending(query, shop, i18n, callback_data.id)
    if request is None:
        return
    await state.set_state(TransferReview.reason)
    await state.update_data(ta_id=request.id)
    await _answer(query, bot, i18n.get("transfer-admin-ask-reason", id=request.id))


async def reason_typed(
    message: Message, state: FSMContext, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    data = await state.get_data()
    await state.clear()
    if message.from_user is None:
        return
    decision = await transfers.reject(
        shop.sessions, int(data.get("ta_id", 0)), message.from_user.id, message.text or ""
    )
    request = decision.request
    if request is None:
        return
    if decision.verdict is Verdict.ALREADY:
        await message.answer(i18n.get("transfer-admin-already", status=request.status))
        return
    await message.answer(i18n.get("transfer-admin-rejected", **_fields(shop, request)))
    await _tell_customer(
        bot, shop, request, "transfer-rejected", id=request.id, reason=request.reason or ""
    )


async def ask_amount(
    query: CallbackQuery,
    callback_data: TransferAdmin,
    state: FSMContext,
    bot: Bot,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    request = await _still_pending(query, shop, i18n, callback_data.id)
    if request is None:
        return
    await state.set_state(TransferReview.amount)
    await state.update_data(ta_id=request.id)
    await _answer(query, bot, i18n.get("transfer-admin-ask-amount", **_fields(shop, request)))


async def amount_typed(
    message: Message, state: FSMContext, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    amount = parse_decimal(message.text or "")
    quantum = Decimal(1).scaleb(-shop.settings.currency_precision)
    if amount is None or amount <= 0 or amount != amount.quantize(quantum) or amount > 10**9:
        await message.answer(i18n.get("transfer-admin-amount-invalid"))
        return  # stay in the step
    data = await state.get_data()
    await state.clear()
    if message.from_user is None:
        return
    payment_id = int(data.get("ta_id", 0))
    decision = await transfers.set_amount(shop.sessions, payment_id, message.from_user.id, amount)
    request = decision.request
    if request is None:
        return
    if decision.verdict is Verdict.ALREADY:
        await message.answer(i18n.get("transfer-admin-already", status=request.status))
        return

    def translate(key: str) -> str:
        return i18n.get(key)

    await message.answer(
        i18n.get("transfer-admin-amount-set", **_fields(shop, request)),
        reply_markup=kb.review(translate, payment_id),
    )


# -- the console ------------------------------------------------------------------------------


async def console(query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    await state.clear()
    pending = await transfers.pending(shop.sessions)
    methods = await transfers.methods(shop.sessions, enabled_only=False)
    await show(
        query,
        i18n.get("transfer-console", count=len(pending), methods=len(methods)),
        kb.console(i18n, pending, methods, shop.money),
    )


async def show_request(
    query: CallbackQuery, callback_data: TransferAdmin, bot: Bot, shop: Shop, i18n: I18nContext
) -> None:
    request = await _still_pending(query, shop, i18n, callback_data.id)
    if request is None:
        return
    await query.answer()
    if await send_to_admins_one(bot, shop, request, query.from_user.id, i18n) is False:
        await _answer(query, bot, i18n.get("transfer-admin-receipt", **_fields(shop, request)))


async def send_to_admins_one(
    bot: Bot, shop: Shop, request: Request, admin_id: int, i18n: I18nContext
) -> bool:
    def translate(key: str) -> str:
        return i18n.get(key)

    caption = i18n.get("transfer-admin-receipt", **_fields(shop, request))
    markup = kb.review(translate, request.id)
    try:
        if request.receipt_kind == "photo" and request.receipt_file_id:
            await bot.send_photo(
                admin_id, request.receipt_file_id, caption=caption, reply_markup=markup
            )
        elif request.receipt_file_id:
            await bot.send_document(
                admin_id, request.receipt_file_id, caption=caption, reply_markup=markup
            )
        return True
    except TelegramAPIError as exc:
        log.warning("receipt %d not shown to %d: %s", request.id, admin_id, exc)
        return False


async def toggle(
    query: CallbackQuery,
    callback_data: TransferAdmin,
    state: FSMContext,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    await transfers.set_enabled(
        shop.sessions, query.from_user.id, callback_data.id, callback_data.act == "on"
    )
    await console(query, state, shop, i18n)


async def ask_method(query: CallbackQuery, state: FSMContext, bot: Bot, i18n: I18nContext) -> None:
    await state.set_state(TransferReview.method)
    await _answer(query, bot, i18n.get("transfer-admin-method-help"))


async def method_typed(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    spec = transfers.parse_spec(message.text or "")
    if not isinstance(spec, MethodSpec):
        await message.answer(i18n.get(f"transfer-admin-method-{spec.value}"))
        return  # stay in the step
    await state.clear()
    if message.from_user is None:
        return
    method = await transfers.add_method(shop.sessions, message.from_user.id, spec)
    await message.answer(i18n.get("transfer-admin-method-added", name=method.name(i18n.locale)))


def router() -> Router:
    r = Router(name="admin_transfers")
    r.callback_query.filter(IsAdmin())
    r.message.filter(IsAdmin())
    r.callback_query.register(console, AdminCb.filter(F.action == "transfers"))
    r.callback_query.register(console, TransferAdmin.filter(F.act == "list"))
    r.callback_query.register(approve, TransferAdmin.filter(F.act == "ok"))
    r.callback_query.register(ask_reason, TransferAdmin.filter(F.act == "no"))
    r.callback_query.register(ask_amount, TransferAdmin.filter(F.act == "edit"))
    r.callback_query.register(show_request, TransferAdmin.filter(F.act == "show"))
    r.callback_query.register(toggle, TransferAdmin.filter(F.act.in_({"on", "off"})))
    r.callback_query.register(ask_method, TransferAdmin.filter(F.act == "add"))
    r.message.register(reason_typed, StateFilter(TransferReview.reason), TYPED_TEXT)
    r.message.register(amount_typed, StateFilter(TransferReview.amount), TYPED_TEXT)
    r.message.register(method_typed, StateFilter(TransferReview.method), TYPED_TEXT)
    return r
