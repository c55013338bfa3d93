"""Scheduler leadership on real Redis and real PostgreSQL: one leader, failover within one poll
interval when it dies, immediate hand-over when it shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.leader import Leader, PostgresLeader, RedisLeader, SoleLeader, make_leader
from storage.db import create_engine

REDIS_URL = os.environ.get("TEST_REDIS_URL")
INTERVAL = 1.5  # the "status poll interval" of these tests
HEARTBEAT = INTERVAL / 3  # as bot.jobs.scheduler.leader_heartbeat
LEASE = 2 * HEARTBEAT  # as bot.jobs.scheduler.leader_lease


async def heartbeat(leader: Leader) -> None:
    """What the scheduler's "leader" job does, forever."""
    while True:
        await leader.acquire()
        await asyncio.sleep(HEARTBEAT)


async def wait_for(predicate: Callable[[], object], within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await predicate():  # type: ignore[misc]
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def exactly_one_leads(a: Leader, b: Leader) -> None:
    for _ in range(5):  # through several renewals
        assert [await a.is_leader(), await b.is_leader()].count(True) == 1
        await asyncio.sleep(HEARTBEAT / 2)


async def failover(a: Leader, b: Leader, kill_a: Callable[[], object]) -> None:
    beat_a = asyncio.create_task(heartbeat(a))
    await wait_for(a.is_leader, 2)
    beat_b = asyncio.create_task(heartbeat(b))
    try:
        await exactly_one_leads(a, b)
        assert await a.is_leader()
        beat_a.cancel()  # the leader's process dies: no renewal, no release
        await kill_a()  # type: ignore[misc]
        took = await wait_for(b.is_leader, INTERVAL * 2)
        assert took <= INTERVAL, f"takeover took {took:.2f}s, more than one interval"
        assert await b.is_leader()
    finally:
        beat_a.cancel()
        beat_b.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(beat_a, beat_b)


# -- Redis ------------------------------------------------------------------------------------


@pytest.fixture
async def redis_key() -> AsyncIterator[str]:
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it)")
    from redis.asyncio import Redis

    prefix = f"smmbot:test:{uuid.uuid4().hex}"
    yield f"{prefix}:leader"
    client = Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def redis_leader(key: str) -> RedisLeader:
    assert REDIS_URL
    return RedisLeader.from_url(REDIS_URL, lease_seconds=LEASE, key=key)


async def test_redis_failover_within_one_interval(redis_key: str) -> None:
    a, b = redis_leader(redis_key), redis_leader(redis_key)

    async def crash_a() -> None:
        await a.redis.aclose()  # gone without releasing: only the lease expiry frees it

    try:
        await failover(a, b, crash_a)
    finally:
        await b.release()


async def test_redis_release_hands_over_at_once(redis_key: str) -> None:
    a, b = redis_leader(redis_key), redis_leader(redis_key)
    try:
        assert await a.acquire() and not await b.acquire()
        await a.release()  # a graceful shutdown
        assert await b.acquire()
        assert not await a.is_leader()
    finally:
        await b.release()


async def test_redis_stale_leader_cannot_renew_or_delete_anothers_lease(redis_key: str) -> None:
    a, b = redis_leader(redis_key), redis_leader(redis_key)
    try:
        assert await a.acquire()
        await asyncio.sleep(LEASE + 0.1)  # a stalls past its lease (a long GC pause, say)
        assert not await a.is_leader()  # it does not trust an expired lease
        assert await b.acquire()
        assert not await a.acquire()  # the compare-and-renew sees b's token
        await a.release()  # and the compare-and-delete leaves b's lease alone
        assert await b.acquire() and await b.is_leader()
    finally:
        await a.release()
        await b.release()


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
async def pg_engines(database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    a, b = create_engine(database_url), create_engine(database_url)  # two processes' pools
    yield a, b
    await a.dispose()
    await b.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgres_failover_within_one_interval(
    pg_engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    engine_a, engine_b = pg_engines
    a, b = PostgresLeader(engine_a), PostgresLeader(engine_b)

    async def crash_a() -> None:
        # The leader's backend dies with its process; PostgreSQL frees the lock at once.
        assert a._connection is not None
        pid = await a._connection.scalar(text("SELECT pg_backend_pid()"))
        async with engine_b.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        await failover(a, b, crash_a)
        assert not await a.acquire()  # the old leader notices its dead connection, and stays out
    finally:
        await a.release()
        await b.release()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgres_release_hands_over(pg_engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    a, b = PostgresLeader(pg_engines[0]), PostgresLeader(pg_engines[1])
    try:
        assert await a.acquire() and not await b.acquire()
        assert await a.acquire()  # renewing is idempotent
        await a.release()
        assert await b.acquire() and not await a.acquire()
    finally:
        await a.release()
        await b.release()


async def test_make_leader_picks_the_backend(tmp_path: Path) -> None:
    sqlite = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}")
    postgres = create_engine("postgresql+asyncpg://u@127.0.0.1:1/x")  # never connected
    try:
        assert isinstance(make_leader(None, sqlite, lease_seconds=1), SoleLeader)
        assert isinstance(make_leader(None, postgres, lease_seconds=1), PostgresLeader)
        redis = make_leader("redis://127.0.0.1:1/15", sqlite, lease_seconds=1)
        assert isinstance(redis, RedisLeader)
        await redis.release()
    finally:
        await sqlite.dispose()
        await postgres.dispose()
