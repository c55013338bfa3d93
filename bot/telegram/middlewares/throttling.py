from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram_i18n import I18nContext

from bot.telegram.middlewares.ban import is_payment_update


class TokenBucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens", "warned")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity, self.tokens, self.stamp = rate, capacity, capacity, now
        self.warned = False

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.warned = False
            return True
        return False


class ThrottlingMiddleware(BaseMiddleware):
    """Per-customer flood limit: a burst of `burst` updates, then `rate` per second.

    Excess updates are dropped; the customer is told once per flood, and a pressed button is
    always answered so its spinner stops.
    """

    def __init__(self, rate: float = 4.0, burst: float = 12.0, max_users: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.max_users, self.clock = rate, burst, max_users, clock
        self._buckets: dict[int, TokenBucket] = {}

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
            if len(self._buckets) >= self.max_users:
                self._forget_idle(now)
            bucket = self._buckets[sender.id] = TokenBucket(self.rate, self.burst, now)
        if bucket.take(now):
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

    def _forget_idle(self, now: float) -> None:
        full = [uid for uid, b in self._buckets.items() if now - b.stamp > self.burst / self.rate]
        for uid in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[uid]
