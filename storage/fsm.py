"""aiogram FSM storage on the shop database: wizard state survives a restart without Redis."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Mapping
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import Insert, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cache import Cache
from storage.models import FsmState
from storage.types import utcnow

log = logging.getLogger("bot.fsm")

Conversation = tuple[str | None, dict[str, Any]]  # (state, data)


class DatabaseStorage(BaseStorage):
    """Reads are served from memory; writes go to memory at once and to the database behind.

    aiogram reads the state on every update and a wizard step writes state and data, so doing
    that in the database on each update would be most of the bot's database work. Instead every
    change made within FLUSH_DELAY seconds is written in one transaction, latest value per
    conversation, and close() (a graceful stop) writes what is pending. A crash loses at most
    the last FLUSH_DELAY seconds of wizard progress, never money: orders and balances are
    written in their own transactions, and Confirm is idempotent on the wizard's token. Exact
    for one process, which is what this storage is for; several processes share wizard state
    through Redis instead (REDIS_URL).
    """

    CACHE_SIZE = 50_000
    FLUSH_DELAY = 0.25
    RETRY_DELAY = 2.0

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessions = sessions
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cached: Cache[str, Conversation] | None = None  # made on first use, of CACHE_SIZE
        self._pending: dict[str, Conversation] = {}  # written to memory, not yet to the DB
        self._writer: asyncio.Task[None] | None = None

    # -- aiogram's storage interface ---------------------------------------------------------

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        name = self._key(key)
        current_state, data = await self._load(name)
        if current_state != value:
            self._change(name, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self._key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self._key(key)
        state, current = await self._load(name)
        if current != data:
            self._change(name, (state, _copied(dict(data))))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A deep copy: handlers mutate nested values, which must not leak into the cache
        # (set_data compares against it to skip unchanged writes).
        data: dict[str, Any] = _copied((await self._load(self._key(key)))[1])
        return data

    async def close(self) -> None:
        """Write what is pending now (called on shutdown, after updates in flight finished)."""
        writer, self._writer = self._writer, None
        if writer is not None and not writer.done():
            writer.cancel()  # a batch interrupted mid-write goes back to pending
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        await self.flush()

    # -- memory ------------------------------------------------------------------------------

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def _load(self, key: str) -> Conversation:
        cached = self._pending.get(key) or self._memory().get(key)
        if cached is None:
            async with self.sessions() as session:
                row = (
                    await session.execute(
                        select(FsmState.state, FsmState.data).where(FsmState.key == key)
                    )
                ).first()
            cached = (row.state, dict(row.data)) if row else (None, {})
            self._remember(key, cached)
        return cached

    def _memory(self) -> Cache[str, Conversation]:
        # Built on first use rather than in __init__, so CACHE_SIZE can be set per instance.
        if self._cached is None:
            self._cached = Cache(self.CACHE_SIZE)
        return self._cached

    def _remember(self, key: str, value: Conversation) -> None:
        # The least recently used goes first; pending values are kept in _pending meanwhile.
        self._memory().put(key, value)

    def _change(self, key: str, value: Conversation) -> None:
        self._remember(key, value)
        self._pending[key] = value
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_later(self.FLUSH_DELAY))

    # -- the database ------------------------------------------------------------------------

    async def _write_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await self.flush()
        except Exception as exc:  # the database is unavailable: keep the values and retry
            log.warning(
                "wizard state not saved yet (%s); retrying in %ss",
                type(exc).__name__,
                self.RETRY_DELAY,
            )
            self._writer = asyncio.create_task(self._write_later(self.RETRY_DELAY))

    async def flush(self) -> None:
        """Write every pending change, one transaction per batch."""
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                await self._write(batch)
            except BaseException:
                # Newer values written to memory meanwhile win over the batch's.
                self._pending = {**batch, **self._pending}
                raise

    async def _write(self, batch: Mapping[str, Conversation]) -> None:
        finished = [key for key, (state, data) in batch.items() if state is None and not data]
        now = utcnow()
        rows = [
            {"key": key, "state": state, "data": data, "updated_at": now}
            for key, (state, data) in batch.items()
            if state is not None or data
        ]
        async with self.sessions() as session, session.begin():
            if finished:  # a finished conversation leaves nothing behind
                await session.execute(delete(FsmState).where(FsmState.key.in_(finished)))
            if rows:
                await session.execute(_upsert(session.get_bind().dialect.name), rows)


def _upsert(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The declarative stubs type __table__ as any FromClause; a mapped class's is a Table.
    statement = insert(cast(Table, FsmState.__table__))
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={column: statement.excluded[column] for column in ("state", "data", "updated_at")},
    )


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def _copied(value: Any) -> Any:
    """A deep copy of JSON-shaped data, which is what wizard data is (it is stored as JSON):
    dicts and lists rebuilt, immutable scalars shared; anything else goes to copy.deepcopy.
    Several times cheaper than deepcopy's memo for every read and write of a step."""
    cls = type(value)
    if cls is dict:
        return {key: _copied(item) for key, item in value.items()}
    if cls is list:
        return [_copied(item) for item in value]
    if cls in _IMMUTABLE:
        return value
    return copy.deepcopy(value)
