"""The database FSM storage: state and data survive a restart (close writes what is pending);
changes are written behind, many conversations in one transaction; nested changes are written;
a finished conversation leaves no row; a failed write is retried, never lost."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.fsm import DatabaseStorage
from storage.models import FsmState

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


def key(n: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=n, user_id=n)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, tuple[Any, Any]]:
    async with sessions() as session:
        found = await session.execute(select(FsmState.key, FsmState.state, FsmState.data))
        return {row.key: (row.state, row.data) for row in found}


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
    await first.close()  # a graceful stop writes what is pending

    second = DatabaseStorage(sessions)  # a new process reads from the database
    assert await second.get_state(KEY) == "Wizard:quantity"
    assert await second.get_data(KEY) == {
        "fields": {"link": "https://x", "quantity": 500},
        "token": "t1",
    }


async def test_changes_are_written_behind_in_one_transaction(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    storage = DatabaseStorage(sessions)
    storage.FLUSH_DELAY = 2.0  # far longer than the 100 changes below take, on any engine
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda *args: statements.append(args[2].split()[0].upper()),
    )
    for n in range(1, 51):
        await storage.set_state(key(n), "Wizard:link")
        await storage.set_data(key(n), {"n": n})
    assert await rows(sessions) == {}  # nothing written yet: the answers did not wait for it
    assert await storage.get_data(key(7)) == {"n": 7}  # but every read sees the change
    statements.clear()
    await asyncio.sleep(2.5)  # past FLUSH_DELAY: written without any call
    stored = await rows(sessions)
    assert len(stored) == 50
    assert {state for state, _ in stored.values()} == {"Wizard:link"}
    assert sorted(data["n"] for _, data in stored.values()) == list(range(1, 51))
    assert statements.count("INSERT") == 1  # one executemany for all 50 conversations
    await storage.close()


async def test_finished_conversation_leaves_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    await storage.set_state(KEY, "Wizard:link")
    await storage.set_data(KEY, {"a": 1})
    await storage.flush()
    assert len(await rows(sessions)) == 1
    await storage.set_data(KEY, {})
    await storage.set_state(KEY, None)
    await storage.flush()
    assert await rows(sessions) == {}
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FsmState)) == 0
    assert await DatabaseStorage(sessions).get_state(KEY) is None


async def test_a_failed_write_is_retried_and_newer_values_win(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    storage.FLUSH_DELAY, storage.RETRY_DELAY = 0.02, 0.05
    real_write, failures = storage._write, []

    async def failing_once(batch: Any) -> None:
        if not failures:
            failures.append(dict(batch))
            await storage.set_state(KEY, "Wizard:quantity")  # a newer change during the write
            raise OSError("disk I/O error")
        await real_write(batch)

    storage._write = failing_once  # type: ignore[method-assign]
    await storage.set_state(KEY, "Wizard:link")
    expected = {storage._key(KEY): "Wizard:quantity"}
    for _ in range(60):  # the retry lands within RETRY_DELAY; allow a slow machine 3 s
        stored = {k: v[0] for k, v in (await rows(sessions)).items()}
        if stored == expected:
            break
        await asyncio.sleep(0.05)
    assert failures == [{storage._key(KEY): ("Wizard:link", {})}]
    assert stored == expected
    await storage.close()


async def test_pending_changes_outlive_the_memory_cache(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    storage.CACHE_SIZE = 2
    await storage.set_state(KEY, "Wizard:link")
    await storage.flush()
    await storage.set_state(KEY, "Wizard:quantity")  # pending
    for n in range(100, 110):  # push KEY out of the memory cache
        await storage.set_state(key(n), "Wizard:link")
    assert await storage.get_state(KEY) == "Wizard:quantity"  # not the database's older value
    await storage.close()
    assert await DatabaseStorage(sessions).get_state(KEY) == "Wizard:quantity"


async def test_data_handed_out_and_taken_in_is_a_copy(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    given = {"fields": {"comments": ["a", "b"]}, "runs": 3, "price": "1.50", "x": None}
    await storage.set_data(KEY, given)
    given["fields"]["comments"].append("leaked")  # the caller keeps mutating its dict
    read = await storage.get_data(KEY)
    read["fields"]["comments"].append("leaked too")  # and the reader its copy
    assert await storage.get_data(KEY) == {
        "fields": {"comments": ["a", "b"]},
        "runs": 3,
        "price": "1.50",
        "x": None,
    }
    # A value that is not plain JSON (a tuple holding a list) is still copied deeply.
    await storage.set_data(KEY, {"pair": (1, [2])})
    (await storage.get_data(KEY))["pair"][1].append(3)
    assert (await storage.get_data(KEY))["pair"] == (1, [2])
    await storage.set_data(KEY, {})
    await storage.close()
