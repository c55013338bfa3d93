"""Scheduler leadership: of several bot processes, one at a time runs the scheduler jobs.

- Redis (REDIS_URL): a lease key `SET NX PX` holding a random token; the leader renews it every
  third of the lease and deletes it on shutdown, both through compare-and-act Lua scripts so a
  process never extends or deletes a lease that is no longer its own. A dead leader's lease
  expires and the next `acquire()` of another process takes it.
- PostgreSQL without Redis: `pg_try_advisory_lock` on a connection the leader keeps open; the
  server releases the lock the moment that connection (or its process) dies.
- SQLite: one process by design, so it is always the leader.

`acquire()` is called periodically (try to become the leader, or stay it); `is_leader()` is the
cheap check every job makes before it does anything.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import is_sqlite

log = logging.getLogger("bot.jobs.leader")

REDIS_KEY = "smmbot:scheduler:leader"
# Any constant 64-bit number; the same in every process of one shop database.
ADVISORY_LOCK_ID = 0x534D4D_5343_4844  # "SMM" "SC" "HD"

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Leader(Protocol):
    async def acquire(self) -> bool:
        """Become or stay the leader if possible; returns whether this process now leads."""
        ...

    async def is_leader(self) -> bool: ...

    async def release(self) -> None: ...


class SoleLeader:
    """SQLite: a single process, always in charge."""

    async def acquire(self) -> bool:
        return True

    async def is_leader(self) -> bool:
        return True

    async def release(self) -> None:
        pass


class RedisLeader:
    def __init__(
        self, redis: Any, *, lease_seconds: float, key: str = REDIS_KEY, owns_client: bool = False
    ) -> None:
        self.redis = redis
        self.key = key
        self.lease_ms = max(int(lease_seconds * 1000), 1)
        self.token = secrets.token_hex(16)
        self._owns_client = owns_client
        self._valid_until = 0.0  # monotonic; never trust a lease past its own expiry

    @classmethod
    def from_url(cls, url: str, *, lease_seconds: float, key: str = REDIS_KEY) -> RedisLeader:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), lease_seconds=lease_seconds, key=key, owns_client=True)

    async def acquire(self) -> bool:
        started = time.monotonic()
        try:
            if self._valid_until > started:
                held = await self.redis.eval(_RENEW, 1, self.key, self.token, self.lease_ms)
            else:
                held = await self.redis.set(self.key, self.token, nx=True, px=self.lease_ms)
                if not held:  # maybe it is still ours from a renewal that timed out locally
                    held = await self.redis.eval(_RENEW, 1, self.key, self.token, self.lease_ms)
        except Exception:
            log.exception("leader lease: Redis is unreachable")
            held = False
        was = self._valid_until > started
        # Count the lease from before the call: the key may expire that much sooner.
        self._valid_until = started + self.lease_ms / 1000 if held else 0.0
        if bool(held) != was:
            log.info("scheduler leadership %s", "acquired" if held else "lost")
        return bool(held)

    async def is_leader(self) -> bool:
        return self._valid_until > time.monotonic()

    async def release(self) -> None:
        was = self._valid_until > time.monotonic()
        self._valid_until = 0.0
        try:
            if was:
                await self.redis.eval(_RELEASE, 1, self.key, self.token)
        except Exception:
            log.warning("leader lease: could not release (it will expire)")
        finally:
            if self._owns_client:
                await self.redis.aclose()


class PostgresLeader:
    def __init__(self, engine: AsyncEngine, *, lock_id: int = ADVISORY_LOCK_ID) -> None:
        self.engine = engine
        self.lock_id = lock_id
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._connection is not None:
            try:  # still holding it, as long as the connection lives
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()  # never sit "idle in transaction"
                return True
            except Exception:
                log.warning("scheduler leadership lost: the lock connection died")
                await self._drop_connection()
        connection = await self.engine.connect()
        try:
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:id)"), {"id": self.lock_id}
            )
            await connection.commit()  # no idle open transaction; session locks outlive it
        except Exception:
            await connection.close()
            log.exception("scheduler leadership: could not ask PostgreSQL")
            return False
        if not got:
            await connection.close()
            return False
        self._connection = connection
        log.info("scheduler leadership acquired")
        return True

    async def is_leader(self) -> bool:
        return self._connection is not None

    async def release(self) -> None:
        if self._connection is None:
            return
        with contextlib.suppress(Exception):
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id}
            )
            await self._connection.commit()
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                # Invalidate rather than return it to the pool: a pooled connection would keep
                # the session lock alive in this process.
                await connection.invalidate()
                await connection.close()


def make_leader(redis_url: str | None, engine: AsyncEngine, *, lease_seconds: float) -> Leader:
    if redis_url:
        return RedisLeader.from_url(redis_url, lease_seconds=lease_seconds)
    if not is_sqlite(str(engine.url)):
        return PostgresLeader(engine)
    return SoleLeader()
