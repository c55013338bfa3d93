"""The database FSM storage: state and data survive a new storage (a restart); nested changes
are written; a finished conversation leaves no row."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.fsm import DatabaseStorage
from storage.models import FsmState

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_state_and_nested_data_survive_a_restart(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = DatabaseStorage(sessions)
    await first.set_state(KEY, "Wizard:link")
    await first.set_data(KEY, {"fields": {"link": "https://x"}, "token": "t1"})
    data = await first.get_data(KEY)
    data["fields"]["quantity"] = 500  # a handler mutating a nested value, then saving
    await first.set_data(KEY, data)
    await first.set_state(KEY, "Wizard:quantity")

    second = DatabaseStorage(sessions)  # a new process reads from the database
    assert await second.get_state(KEY) == "Wizard:quantity"
    assert await second.get_data(KEY) == {
        "fields": {"link": "https://x", "quantity": 500}, "token": "t1"
    }


async def test_finished_conversation_leaves_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    await storage.set_state(KEY, "Wizard:link")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_data(KEY, {})
    await storage.set_state(KEY, None)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FsmState)) == 0
    assert await DatabaseStorage(sessions).get_state(KEY) is None
