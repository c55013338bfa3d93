from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser

from bot.context import Shop
from bot.shop import users
from bot.telegram.i18n import guess_language


class UserMiddleware(BaseMiddleware):
    """Injects `user` (the customer's row), creating it on first contact.

    Rows are kept for a few seconds (bot.shop.users.RecentUsers): a customer clicking through a flow
    sends several updates a second, and re-reading the same row for each one would be most of
    their database work.
    """

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        recent = self.shop.recent_users
        user = recent.get(sender.id, sender.username, sender.first_name)
        if user is None:
            user = await users.touch(
                self.shop.sessions,
                telegram_id=sender.id,
                username=sender.username,
                first_name=sender.first_name,
                language=guess_language(sender.language_code, self.shop.settings.default_language),
            )
            recent.remember(user)
        data["user"] = user
        return await handler(event, data)
