from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram_i18n import I18nContext

from bot.cache import Cache
from bot.rate import TokenBucket
from bot.telegram.middlewares.ban import is_payment_update


class ThrottlingMiddleware(BaseMiddleware):
    """Per-customer flood limit: a burst of `burst` updates, then `rate` per second.

    Excess updates are dropped; the customer is told once per flood, and a pressed button is
    always answered so its spinner stops.
    """

    def __init__(
        self,
        rate: float = 4.0,
        burst: float = 12.0,
        max_users: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.max_users, self.clock = rate, burst, max_users, clock
        # A bucket left alone for burst/rate seconds is full again, the same as a new one: so
        # it is forgotten then, and the least recently used goes first beyond max_users.
        self._buckets: Cache[int, TokenBucket] = Cache(max_users, burst / rate, clock)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = data.get("event_from_user")
        inner = event.event if isinstance(event, Update) else event
        if sender is None or is_payment_update(inner):  # a dropped payment is lost money
            return await handler(event, data)
        now = self.clock()
        bucket = self._buckets.get(sender.id)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst, now)
        if bucket.take(now):
            self._buckets.put(sender.id, bucket)  # kept burst/rate seconds from its last pass
            return await handler(event, data)
        await self._tell(event, data, bucket)
        return None

    async def _tell(self, event: TelegramObject, data: dict[str, Any], bucket: TokenBucket) -> None:
        i18n: I18nContext | None = data.get("i18n")
        inner = event.event if isinstance(event, Update) else event
        text = i18n.get("throttled") if i18n else "Too many requests, slow down."
        warned, bucket.warned = bucket.warned, True  # before awaiting: updates run concurrently
        if isinstance(inner, CallbackQuery):
            await inner.answer(text)
        elif isinstance(inner, Message) and not warned:
            await inner.answer(text)
