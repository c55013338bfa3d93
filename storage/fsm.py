"""aiogram FSM storage on the shop database: wizard state survives a restart without Redis."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmState


class DatabaseStorage(BaseStorage):
    """Writes go to the database; reads are served from memory after the first one.

    aiogram reads the state on every update and handlers read the data on most, so the
    in-memory copy removes most of the FSM's database work. It is exact for one process, which
    is what this storage is for; several processes share wizard state through Redis instead
    (REDIS_URL).
    """

    CACHE_SIZE = 50_000

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessions = sessions
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any]]] = OrderedDict()

    async def _load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cache.get(key)
        if cached is None:
            async with self.sessions() as session:
                row = await session.get(FsmState, key)
                cached = (row.state, dict(row.data)) if row else (None, {})
            self._keep(key, cached)
        return cached

    def _keep(self, key: str, value: tuple[str | None, dict[str, Any]]) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        current_state, data = await self._load(self._key(key))
        if current_state == value:
            return
        self._keep(self._key(key), (value, data))
        async with self.sessions() as session, session.begin():
            row = await session.get(FsmState, self._key(key))
            if row is None:
                if value is None:
                    return
                session.add(FsmState(key=self._key(key), state=value, data={}))
            elif value is None and not row.data:
                await session.delete(row)  # a finished conversation leaves nothing behind
            else:
                row.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self._key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        state, current = await self._load(self._key(key))
        if current == data:
            return
        self._keep(self._key(key), (state, copy.deepcopy(dict(data))))
        async with self.sessions() as session, session.begin():
            row = await session.get(FsmState, self._key(key))
            if row is None:
                if not data:
                    return
                session.add(FsmState(key=self._key(key), state=None, data=dict(data)))
            elif row.state is None and not data:
                await session.delete(row)
            else:
                row.data = dict(data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A deep copy: handlers mutate nested values, which must not leak into the cache
        # (set_data compares against it to skip unchanged writes).
        return copy.deepcopy((await self._load(self._key(key)))[1])

    async def close(self) -> None:
        pass
