from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery, TelegramObject, Update
from aiogram_i18n import I18nContext

from bot.context import Shop
from storage.models import User


def is_payment_update(event: TelegramObject) -> bool:
    """Updates that carry money: never dropped by a middleware."""
    return isinstance(event, PreCheckoutQuery) or (
        isinstance(event, Message)
        and (event.successful_payment is not None or event.refunded_payment is not None)
    )


class BanMiddleware(BaseMiddleware):
    """Banned customers get a short notice and nothing else (admins are never locked out)."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("user")
        if user is None or not user.is_banned or self.shop.is_admin(user.telegram_id):
            return await handler(event, data)
        i18n: I18nContext = data["i18n"]
        inner = event.event if isinstance(event, Update) else event
        if is_payment_update(inner):
            # Money is moving: the payments handlers refuse a banned customer's checkout with
            # a reason, and must record a payment Telegram already took (or refunded).
            return await handler(event, data)
        if isinstance(inner, CallbackQuery):
            await inner.answer(i18n.get("banned"), show_alert=True)
        elif isinstance(inner, Message):
            await inner.answer(i18n.get("banned"))
        return None
