"""The aiogram HTTP session the bot uses, with pydantic's generic-model cache pinned.

aiogram validates every Bot API answer as `Response[<the method's return type>]`. pydantic
caches such parametrized generic models only weakly, and they sit in reference cycles, so the
garbage collector keeps dropping them and the next API call rebuilds the class's schema — a few
milliseconds of CPU per call, most of the bot's time under load. Holding one strong reference
per return type makes each class a one-time cost.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod

_PINNED: dict[Any, type] = {}


class PinnedResponseSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
