"""Per-customer flood limit: a burst passes, then the rate; the customer is told once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.telegram.middlewares.inflight import InFlight
from bot.telegram.middlewares.throttling import TokenBucket
from tests.e2e.harness import running_shop


def test_bucket_allows_burst_then_rate() -> None:
    now = 100.0
    bucket = TokenBucket(rate=2.0, capacity=3.0, now=now)
    assert [bucket.take(now) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(now + 0.25) is False  # half a token
    assert bucket.take(now + 0.5) is True  # one token after 0.5 s at 2/s
    assert bucket.take(now + 100) is True  # refilled, but never beyond capacity
    assert [bucket.take(now + 100) for _ in range(3)] == [True, True, False]


async def test_flooding_customer_is_slowed_and_told_once(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        flooder, calm = shop.customer(4001), shop.customer(4002)
        await asyncio.gather(*(flooder.send("/help") for _ in range(20)))  # one burst

        def texts() -> list[str]:
            return [m.text for m in flooder.messages]

        assert await shop.tg.wait_until(  # both kinds of answer arrive, in any order
            lambda: (
                any("How it works" in t for t in texts())
                and any("Too many requests" in t for t in texts())
            ),
            10,
        )
        await shop.tg.wait_idle(quiet=0.5)
        answers = texts()
        helps = [t for t in answers if "How it works" in t]
        notices = [t for t in answers if "Too many requests" in t]
        assert 0 < len(helps) < 20, answers  # the burst passed, the rest was dropped
        assert len(notices) == 1
        await calm.send("/help")  # another customer is not affected
        await calm.wait_message(contains="How it works")


async def test_shutdown_drains_updates_in_flight() -> None:
    in_flight = InFlight()
    finished: list[str] = []

    async def slow_handler(event: object, data: dict[str, object]) -> None:
        await asyncio.sleep(0.2)
        finished.append("done")

    handling = asyncio.create_task(in_flight(slow_handler, None, {}))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    await in_flight.drain(seconds=5)
    assert finished == ["done"]
    await handling
    await in_flight.drain(seconds=0.01)  # idle: returns at once
