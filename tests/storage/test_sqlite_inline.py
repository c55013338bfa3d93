"""SQLite statements run on the event loop's thread (no hop to aiosqlite's worker per call),
except taking the write lock: a writer waiting for another connection's lock must not freeze
the loop — else the lock's holder could never finish, and every other customer would wait."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text

from storage.db import SQLITE_BUSY_TIMEOUT_MS, InlineSQLiteConnection, create_engine
from storage.migrate import upgrade_to_head


async def test_statements_run_on_the_loops_thread(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, InlineSQLiteConnection)
            threads: list[int] = []
            driver._conn.create_function("where_am_i", 0, lambda: threads.append(
                threading.get_ident()) or 1)
            assert (await connection.execute(text("SELECT where_am_i()"))).scalar() == 1
        assert threads == [threading.get_ident()]
    finally:
        await engine.dispose()


async def test_a_writer_waiting_for_the_lock_does_not_block_the_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    first, second = create_engine(url), create_engine(url)  # two connections to one file
    await upgrade_to_head(first)
    insert = text("INSERT INTO shop_settings (key, value, updated_at) "
                  "VALUES (:key, 'x', CURRENT_TIMESTAMP)")
    try:
        async with first.begin() as holder:
            await holder.execute(insert, {"key": "first"})  # holds the write lock

            async def write_second() -> None:
                async with second.begin() as waiter:
                    await waiter.execute(insert, {"key": "second"})

            waiting = asyncio.create_task(write_second())
            ticks = 0
            for _ in range(10):  # the loop keeps turning while the second writer waits
                await asyncio.sleep(0.02)
                ticks += 1
            assert ticks == 10 and not waiting.done()
        await asyncio.wait_for(waiting, 5)  # the lock's release lets it through
        async with first.connect() as reader:
            keys = (await reader.execute(text("SELECT key FROM shop_settings"))).scalars().all()
        assert sorted(keys) == ["first", "second"]
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_free_write_lock_is_taken_without_the_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker thread is only for waiting: a process alone with its database never hands
    BEGIN over (each hand-off waited for the GIL behind the busy event loop)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}")
    await upgrade_to_head(engine)
    handed_over: list[object] = []
    original = aiosqlite.Connection._execute

    async def traced(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        handed_over.append(args)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", traced)
    insert = text("INSERT INTO shop_settings (key, value, updated_at) "
                  "VALUES (:key, 'x', CURRENT_TIMESTAMP)")
    try:
        for key in ("a", "b"):
            async with engine.begin() as connection:
                await connection.execute(insert, {"key": key})
        async with engine.connect() as reader:
            keys = (await reader.execute(text("SELECT key FROM shop_settings"))).scalars().all()
            # The busy timeout is back for whoever waits next (the attempt used none).
            timeout = (await reader.execute(text("PRAGMA busy_timeout"))).scalar()
        assert sorted(keys) == ["a", "b"]
        assert timeout == SQLITE_BUSY_TIMEOUT_MS
        assert handed_over == []
    finally:
        await engine.dispose()
