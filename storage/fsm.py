"""aiogram FSM storage on the shop database: wizard state survives a restart without Redis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmState


class DatabaseStorage(BaseStorage):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self.sessions = sessions
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
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
        async with self.sessions() as session:
            row = await session.get(FsmState, self._key(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
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
        async with self.sessions() as session:
            row = await session.get(FsmState, self._key(key))
            return dict(row.data) if row else {}

    async def close(self) -> None:
        pass
