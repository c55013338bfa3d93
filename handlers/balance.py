"""The balance screen: balance and latest ledger entries (Top up: handlers.payments)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import credits, payments
from bot.shop.credits import StatementLine
from bot.shop.payments import RefundLine
from bot.telegram.i18n import order_number
from handlers.common import show
from keyboards.balance import Balance, balance_screen
from keyboards.menu import Menu
from storage.models import LedgerKind, User

TOPUP_METHODS = ("stars", "crypto", "manual")  # the balance history names a top-up's method


def _line(
    i18n: I18nContext, shop: Shop, line: StatementLine, refunds: dict[str, RefundLine]
) -> str:
    sign = "+" if line.amount > 0 else ""  # negatives carry their own "-"
    refund = refunds.get(line.key)
    if refund is not None and refund is not RefundLine.REFUNDED:  # not a refund (yet)
        what = i18n.get(f"ledger-stars-refund-{refund.value}")
    elif line.kind is LedgerKind.TOPUP and line.method in TOPUP_METHODS:
        what = i18n.get(f"ledger-topup-{line.method}")
    else:
        what = i18n.get(
            f"ledger-{line.kind.value}",
            number=order_number(line.order_id) if line.order_id is not None else "",
        )
    return i18n.get(
        "balance-line",
        date=line.created_at.strftime("%Y-%m-%d %H:%M"),
        amount=sign + shop.money(line.amount),
        what=what,
    )


async def _text(shop: Shop, user: User, i18n: I18nContext) -> str:
    result = await credits.statement(shop.sessions, user.id)
    refunds = await payments.refund_lines(
        shop.sessions, [line.key for line in result.lines if line.kind is LedgerKind.PAYMENT_REFUND]
    )
    parts = [
        i18n.get("balance-title", amount=shop.money(result.balance)),
        "",
        i18n.get("balance-history"),
    ]
    parts += [_line(i18n, shop, line, refunds) for line in result.lines] or [
        i18n.get("balance-no-history")
    ]
    return "\n".join(parts)


async def balance_command(message: Message, user: User, shop: Shop, i18n: I18nContext) -> None:
    await message.answer(await _text(shop, user, i18n), reply_markup=balance_screen(i18n))


async def balance_button(query: CallbackQuery, user: User, shop: Shop, i18n: I18nContext) -> None:
    await show(query, await _text(shop, user, i18n), balance_screen(i18n))


def router() -> Router:
    r = Router(name="balance")
    r.message.register(balance_command, Command("balance"))
    r.callback_query.register(balance_button, Menu.filter(F.action == "balance"))
    r.callback_query.register(balance_button, Balance.filter(F.action == "show"))
    # Balance(action="topup") is handled by handlers.payments (Telegram Stars).
    return r
