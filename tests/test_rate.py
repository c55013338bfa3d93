"""bot.rate, the one token bucket: it refuses (the flood limit) and paces (broadcasts) alike."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.rate import TokenBucket
from bot.telegram.middlewares.throttling import ThrottlingMiddleware


def test_take_and_reserve_are_one_bucket() -> None:
    bucket = TokenBucket(rate=4.0, capacity=2.0, now=10.0)
    assert [bucket.take(10.0) for _ in range(3)] == [True, True, False]
    assert bucket.reserve(10.0) == 10.25  # the next token, a quarter second on
    assert bucket.take(10.25) is False  # reserved already
    assert bucket.take(10.5) is True


def test_a_bucket_that_starts_empty_paces_from_now() -> None:
    bucket = TokenBucket(rate=10.0, capacity=3.0, now=0.0, full=False)
    assert [round(bucket.reserve(0.0), 6) for _ in range(3)] == [0.0, 0.1, 0.2]
    bucket.hold(5.0)
    assert round(bucket.reserve(0.0), 6) == 5.1


def test_flood_limit_forgets_idle_customers_and_stays_bounded() -> None:
    now = [0.0]
    limit = ThrottlingMiddleware(rate=1.0, burst=2.0, max_users=3, clock=lambda: now[0])
    passed: list[int] = []

    async def handler(event: Any, data: dict[str, Any]) -> None:
        passed.append(data["event_from_user"].id)

    async def send(user_id: int) -> None:
        data = {"event_from_user": SimpleNamespace(id=user_id)}
        await limit(handler, SimpleNamespace(), data)

    async def scenario() -> None:
        for _ in range(2):
            await send(1)
        now[0] += 2.0  # idle for burst/rate seconds: full again, so nothing to keep
        for user_id in (1, 1, 2, 3, 4, 5):
            await send(user_id)

    asyncio.run(scenario())
    assert passed == [1, 1, 1, 1, 2, 3, 4, 5]
    assert len(limit._buckets) == 3  # bounded: the least recently used went
