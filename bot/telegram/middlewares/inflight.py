from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

log = logging.getLogger("bot")


class InFlight(BaseMiddleware):
    """Counts updates being handled, so a shutdown can let them finish first.

    aiogram stops polling without waiting for the updates it is still handling; one of them
    may be an order between its debit and the panel's answer. Draining them before anything
    else shuts down keeps such an order from being cut off (it would end up held for review).
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def drain(self, seconds: float = 30.0) -> None:
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            log.warning("shutting down with %d updates still being handled", self._count)
