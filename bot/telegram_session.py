"""The bot's connection to Telegram: the aiogram HTTP session (with pydantic's generic-model
cache pinned), and waiting for the Bot API at startup.

aiogram validates every Bot API answer as `Response[<the method's return type>]`. pydantic
caches such parametrized generic models only weakly, and they sit in reference cycles, so the
garbage collector keeps dropping them and the next API call rebuilds the class's schema — a few
milliseconds of CPU per call, most of the bot's time under load. Holding one strong reference
per return type makes each class a one-time cost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import User

log = logging.getLogger("bot")
_PINNED: dict[Any, type] = {}


class PinnedResponseSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


async def wait_for_telegram(
    get_me: Callable[[], Awaitable[User]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_delay: float = 60.0,
) -> User:
    """Ask Telegram who we are until it answers: a network outage or a Bot API server that is
    still starting delays the start instead of crashing it. A rejected token is final
    (TelegramUnauthorizedError propagates)."""
    delay = 1.0
    while True:
        try:
            return await get_me()
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
            wait = float(getattr(exc, "retry_after", 0) or delay)
            log.warning("Telegram Bot API unreachable (%s); retrying in %.0f s", exc, wait)
            await sleep(wait)
            delay = min(max_delay, delay * 2)
