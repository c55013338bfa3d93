"""Admin-only /credit USER_ID AMOUNT [reason]: a manual credit (or debit, when negative).

For anyone else the handler does not match at all, so /credit gets the same answer as any
unknown command.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import credits, users
from bot.shop.credits import CreditCommand, CreditResult, CreditStatus
from bot.telegram.notify import Notifier
from handlers.filters import IsAdmin
from handlers.wizard_view import pending_summary
from keyboards import wizard as wizard_kb


async def credit_command(
    message: Message,
    command: CommandObject,
    shop: Shop,
    notifier: Notifier,
    i18n: I18nContext,
    fsm_storage: BaseStorage,
) -> None:
    precision = shop.settings.currency_precision
    parsed = credits.parse_command(command.args, precision)
    if parsed is None or message.from_user is None:
        await message.answer(i18n.get("credit-usage", decimals=precision))
        return
    result = await credits.apply_credit(
        shop.sessions,
        admin_telegram_id=message.from_user.id,
        command=parsed,
        # One entry per command message: a replayed update finds this key and changes nothing.
        key=f"credit:{message.chat.id}:{message.message_id}",
    )
    told = True
    if result.status is CreditStatus.APPLIED:
        told = await notify_customer(notifier, shop, parsed, result, fsm_storage)
    await message.answer(admin_reply(i18n, shop, parsed, result, told=told))


async def notify_customer(
    notifier: Notifier,
    shop: Shop,
    parsed: CreditCommand,
    result: CreditResult,
    storage: BaseStorage | None = None,
) -> bool:
    """Whether the customer was told (Telegram may not deliver it; the admin hears so).
    A credit to a customer whose order summary waits for money offers to continue it."""
    key = "credit-received" if parsed.amount > 0 else "debit-received"
    extra = {"reason": parsed.reason} if parsed.reason else {}
    markup = None
    if storage is not None and parsed.amount > 0:
        markup = await _resume_markup(notifier, shop, storage, parsed.telegram_id)
    return await notifier.to_user(
        parsed.telegram_id,
        key + ("-note" if parsed.reason else ""),
        markup,
        amount=shop.money(abs(parsed.amount)),
        balance=shop.money(result.balance),
        **extra,
    )


async def _resume_markup(
    notifier: Notifier, shop: Shop, storage: BaseStorage, telegram_id: int
) -> InlineKeyboardMarkup | None:
    # The customer's private chat: chat and user are the same id.
    state = FSMContext(
        storage=storage,
        key=StorageKey(bot_id=notifier.bot.id, chat_id=telegram_id, user_id=telegram_id),
    )
    token = await pending_summary(state)
    if token is None:
        return None
    user = await users.by_telegram_id(shop.sessions, telegram_id)
    language = (user.language if user else None) or shop.settings.default_language
    return wizard_kb.resume(shop.translate(language, "btn-continue-order"), token)


def admin_reply(
    i18n: I18nContext,
    shop: Shop,
    parsed: CreditCommand,
    result: CreditResult,
    *,
    told: bool = True,
) -> str:
    user = str(parsed.telegram_id)
    if result.status is CreditStatus.UNKNOWN_USER:
        return i18n.get("credit-unknown-user", user=user)
    balance = shop.money(result.balance)
    if result.status is CreditStatus.INSUFFICIENT:
        return i18n.get(
            "credit-insufficient", user=user, balance=balance, amount=shop.money(abs(parsed.amount))
        )
    if result.status is CreditStatus.DUPLICATE:
        return i18n.get("credit-duplicate", user=user, balance=balance)
    sign = "+" if parsed.amount > 0 else ""
    done = i18n.get(
        "credit-done", user=user, amount=sign + shop.money(parsed.amount), balance=balance
    )
    return done if told else "\n".join([done, i18n.get("tg-customer-not-told")])


def router() -> Router:
    r = Router(name="admin_credit")
    r.message.filter(IsAdmin())  # customers skip the router at once
    r.message.register(credit_command, Command("credit"))
    return r
