"""Admin: customers. /user ID|@name (or typed after "Users"), their card, credit or debit with
a reason (amount, then reason; bot.shop.credits does the ledger work), ban and unban."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import credits, payments
from bot.shop.admin import people
from bot.shop.admin.people import BanStatus, UserCard
from bot.shop.catalog import display_name
from bot.shop.credits import CreditCommand, CreditStatus
from bot.shop.payments import RefundLine
from bot.telegram.i18n import order_number
from bot.telegram.notify import Notifier
from handlers.admin_credit import admin_reply, notify_customer
from handlers.admin_states import AdminInput, leave_prompt
from handlers.common import show
from handlers.filters import TYPED_TEXT, IsAdmin
from keyboards import admin_console as kb
from keyboards.admin_console import AdminX, Ax
from storage.models import LedgerEntry, LedgerKind, OrderState

REASON_LIMIT = 500


def date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def card_text(
    i18n: I18nContext, shop: Shop, card: UserCard, refunds: dict[str, RefundLine] | None = None
) -> str:
    user, none = card.user, i18n.get("admin-none")
    if user.is_banned:
        status = i18n.get("admin-user-banned")
    elif not user.is_active:
        status = i18n.get("admin-user-inactive")
    else:
        status = i18n.get("admin-user-active")
    lines = [
        i18n.get(
            "admin-user-card",
            name=user.first_name or none,
            telegram_id=user.telegram_id,
            username=f"@{user.username}" if user.username else none,
            language=user.language or none,
            balance=shop.money(user.balance),
            status=status,
            joined=date(user.created_at),
            orders=card.order_count,
        ),
        "",
        i18n.get("admin-user-orders"),
    ]
    lines += [
        i18n.get(
            "admin-user-order-line",
            number=order_number(order.id),
            status=i18n.get(f"order-status-{OrderState(order.state).value}"),
            charge=shop.money(order.charge),
            service=display_name(service, i18n.locale),
        )
        for order, service in card.orders
    ] or [none]
    lines += ["", i18n.get("admin-user-ledger")]
    lines += [
        i18n.get(
            "admin-user-ledger-line",
            date=date(entry.created_at),
            amount=("+" if entry.amount > 0 else "") + shop.money(entry.amount),
            kind=_kind(i18n, entry, refunds or {}),
            reference=entry.reference or "",
        )
        for entry in card.ledger
    ] or [none]
    return "\n".join(lines)


def _kind(i18n: I18nContext, entry: LedgerEntry, refunds: dict[str, RefundLine]) -> str:
    refund = refunds.get(entry.idempotency_key)
    if refund is not None and refund is not RefundLine.REFUNDED:  # Telegram has not confirmed
        return i18n.get(f"ledger-stars-refund-{refund.value}")
    return i18n.get(f"admin-ledger-{LedgerKind(entry.kind).value}")


async def render(
    shop: Shop, i18n: I18nContext, user_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await people.user_card(shop.sessions, user_id)
    if card is None:
        return None
    refunds = await payments.refund_lines(
        shop.sessions,
        [entry.idempotency_key for entry in card.ledger if entry.kind == LedgerKind.PAYMENT_REFUND],
    )
    return (card_text(i18n, shop, card, refunds), kb.user_card(i18n, user_id, card.user.is_banned))


async def lookup(message: Message, text: str, shop: Shop, i18n: I18nContext) -> bool:
    """Answer with the customer's card; False when `text` finds nobody."""
    query = people.parse_query(text)
    found = await people.find_user(shop.sessions, query) if query is not None else None
    rendered = await render(shop, i18n, found.id) if found is not None else None
    if rendered is None:
        await message.answer(i18n.get("admin-user-not-found", query=text.strip()[:64]))
        return False
    await message.answer(rendered[0], reply_markup=rendered[1])
    return True


async def user_command(
    message: Message, command: CommandObject, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await leave_prompt(state)
    if not command.args:
        await message.answer(i18n.get("admin-user-usage"))
        return
    await lookup(message, command.args, shop, i18n)


async def typed_user(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    if await lookup(message, message.text or "", shop, i18n):
        await state.clear()  # on a miss the prompt stays: type again or cancel


async def open_user(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    rendered = await render(shop, i18n, callback_data.id)
    if rendered is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    await show(query, *rendered)


# -- credit / debit: amount, then reason --------------------------------------------------------


async def ask_amount(
    query: CallbackQuery, callback_data: AdminX, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    card = await people.user_card(shop.sessions, callback_data.id)
    if card is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    sign = 1 if callback_data.act == Ax.CREDIT else -1
    await state.set_state(AdminInput.amount)
    await state.set_data({"user": card.user.id, "tg": card.user.telegram_id, "sign": sign})
    key = "admin-credit-amount" if sign > 0 else "admin-debit-amount"
    await show(
        query,
        i18n.get(
            key,
            user=str(card.user.telegram_id),
            balance=shop.money(card.user.balance),
            decimals=shop.settings.currency_precision,
        ),
        kb.cancel_input(i18n),
    )


async def typed_amount(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    precision = shop.settings.currency_precision
    amount = credits.parse_amount(message.text or "", precision)
    if amount is None or amount <= 0:
        await message.answer(
            i18n.get("admin-amount-invalid", decimals=precision), reply_markup=kb.cancel_input(i18n)
        )
        return
    await state.update_data(amount=str(amount))
    await state.set_state(AdminInput.reason)
    await message.answer(
        i18n.get("admin-credit-reason", amount=shop.money(amount)),
        reply_markup=kb.cancel_input(i18n),
    )


async def typed_reason(
    message: Message,
    state: FSMContext,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
    fsm_storage: BaseStorage,
) -> None:
    reason = " ".join((message.text or "").split())
    if not reason or len(reason) > REASON_LIMIT or message.from_user is None:
        await message.answer(
            i18n.get("admin-reason-invalid", limit=REASON_LIMIT), reply_markup=kb.cancel_input(i18n)
        )
        return
    data = await state.get_data()
    await state.clear()
    parsed = CreditCommand(int(data["tg"]), Decimal(data["amount"]) * int(data["sign"]), reason)
    result = await credits.apply_credit(
        shop.sessions,
        admin_telegram_id=message.from_user.id,
        command=parsed,
        # The key of /credit's own scheme: the message that completed the command.
        key=f"credit:{message.chat.id}:{message.message_id}",
    )
    told = True
    if result.status is CreditStatus.APPLIED:
        told = await notify_customer(notifier, shop, parsed, result, fsm_storage)
    rendered = await render(shop, i18n, int(data["user"]))
    await message.answer(
        admin_reply(i18n, shop, parsed, result, told=told),
        reply_markup=rendered[1] if rendered else None,
    )


# -- ban / unban ------------------------------------------------------------------------------


async def ban(query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext) -> None:
    banned = callback_data.act == Ax.BAN
    status, telegram_id = await people.set_banned(
        shop.sessions,
        admin_id=query.from_user.id,
        user_id=callback_data.id,
        banned=banned,
        admin_ids=shop.settings.admin_ids,
    )
    if telegram_id is not None:
        shop.recent_users.forget(telegram_id)  # the ban middleware decides on this row
    if status is BanStatus.NOT_FOUND:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    if status is BanStatus.ADMIN:
        await query.answer(i18n.get("admin-ban-admin"), show_alert=True)
        return
    note = "admin-ban-done" if banned else "admin-unban-done"
    await query.answer(i18n.get(note))
    rendered = await render(shop, i18n, callback_data.id)
    if rendered is not None:
        await show(query, *rendered, answer=False)


def router() -> Router:
    r = Router(name="admin-people")
    r.message.filter(IsAdmin())
    r.callback_query.filter(IsAdmin())
    r.message.register(user_command, Command("user"))
    r.message.register(typed_user, StateFilter(AdminInput.user_query), TYPED_TEXT)
    r.message.register(typed_amount, StateFilter(AdminInput.amount), TYPED_TEXT)
    r.message.register(typed_reason, StateFilter(AdminInput.reason), TYPED_TEXT)
    r.callback_query.register(open_user, AdminX.filter(F.act == Ax.USER))
    r.callback_query.register(ask_amount, AdminX.filter(F.act.in_({Ax.CREDIT, Ax.DEBIT})))
    r.callback_query.register(ban, AdminX.filter(F.act.in_({Ax.BAN, Ax.UNBAN})))
    return r
