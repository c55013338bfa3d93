from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.telegram_session import results_unread


class ResultsUnread(BaseMiddleware):
    """Handlers display; none reads the Message Telegram returns for a send or an edit.

    Validating that answer into aiogram's models (the message, its chat, sender, entities and
    keyboard, each a pydantic model with its own post-init) was about a tenth of the bot's CPU
    under load, so within a handler such calls return None instead (bot.telegram_session).
    A handler that needs what it sent wraps that call in `results_unread(False)`.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        with results_unread():
            return await handler(event, data)
