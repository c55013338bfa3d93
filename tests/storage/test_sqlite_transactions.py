"""SQLite through stock aiosqlite, with SQLAlchemy's recipe for transactions: every transaction
begins with BEGIN IMMEDIATE, so whatever it writes — a `WITH … UPDATE` included — commits or
rolls back with it, and two processes never deadlock upgrading a read to a write. Statements run
on aiosqlite's worker thread: a writer waiting for another process's lock must not freeze the
loop, else every other customer of this process would wait with it."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import ShopSetting

INSERT = text(
    "INSERT INTO shop_settings (key, value, updated_at) VALUES (:key, :value, CURRENT_TIMESTAMP)"
)

# Another process takes the write lock, says so, and keeps it until its stdin says "go".
LOCK_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO shop_settings (key, value, updated_at) "
                   "VALUES ('holder', 'x', CURRENT_TIMESTAMP)")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


@pytest.fixture
async def database(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "shop.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade_to_head(engine)
    await engine.dispose()
    return url, path


async def _keys(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as reader:
        return sorted((await reader.execute(text("SELECT key FROM shop_settings"))).scalars())


async def test_stock_aiosqlite_runs_statements_off_the_loop(database: tuple[str, Path]) -> None:
    engine = create_engine(database[0])
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert type(driver) is aiosqlite.Connection  # the library's own, not a subclass
            threads: list[int] = []
            await driver.create_function(
                "where_am_i", 0, lambda: threads.append(threading.get_ident()) or 1
            )
            assert (await connection.execute(text("SELECT where_am_i()"))).scalar() == 1
        assert threads and threads[0] != threading.get_ident()
    finally:
        await engine.dispose()


async def test_connections_keep_the_shops_pragmas(database: tuple[str, Path]) -> None:
    engine = create_engine(database[0])
    try:
        async with engine.connect() as connection:

            async def pragma(name: str) -> object:
                return (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()

            assert await pragma("journal_mode") == "wal"
            assert await pragma("foreign_keys") == 1
            assert await pragma("synchronous") == 1  # NORMAL
            assert await pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
    finally:
        await engine.dispose()


@pytest.mark.parametrize("form", ["text", "core"])
async def test_a_cte_write_rolls_back_with_its_transaction(
    database: tuple[str, Path], form: str
) -> None:
    """`WITH … UPDATE` starts like a query; it must still be inside the session's transaction."""
    engine = create_engine(database[0])
    sessions = create_session_factory(engine)
    try:
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"key": "greeting", "value": "hello"})
        if form == "text":
            statement = text(
                "WITH new(value) AS (SELECT 'changed') UPDATE shop_settings "
                "SET value = (SELECT value FROM new) WHERE key = 'greeting'"
            )
        else:
            new = select(literal("changed").label("value")).cte("new")
            statement = (
                update(ShopSetting)
                .where(ShopSetting.key == "greeting")
                .values(value=select(new.c.value).scalar_subquery())
                .add_cte(new)
            )

        class Undo(Exception):
            pass

        with pytest.raises(Undo):
            async with sessions() as session, session.begin():
                await session.execute(statement)
                assert (
                    await session.scalar(
                        select(ShopSetting.value).where(ShopSetting.key == "greeting")
                    )
                    == "changed"
                )
                raise Undo
        async with sessions() as session:
            assert (
                await session.scalar(select(ShopSetting.value).where(ShopSetting.key == "greeting"))
                == "hello"
            )
    finally:
        await engine.dispose()


async def test_a_write_that_starts_like_a_read_rolls_back_too(
    database: tuple[str, Path],
) -> None:
    """No statement is classified by its first word: a PRAGMA that writes is transactional."""
    engine = create_engine(database[0])
    try:
        connection = await engine.connect()
        await connection.exec_driver_sql("PRAGMA user_version = 7")
        await connection.rollback()
        assert (await connection.exec_driver_sql("PRAGMA user_version")).scalar() == 0
        await connection.close()
    finally:
        await engine.dispose()


async def test_nothing_commits_between_a_transactions_reads(database: tuple[str, Path]) -> None:
    """A transaction that reads, then decides, then writes sees one state throughout: another
    connection's write waits for it (what makes read-check-write safe across processes)."""
    url = database[0]
    engine, other = create_engine(url), create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"key": "greeting", "value": "hello"})

        async def change() -> None:
            async with other.begin() as writer:
                await writer.execute(
                    text("UPDATE shop_settings SET value = 'changed' WHERE key = 'greeting'")
                )

        read = text("SELECT value FROM shop_settings WHERE key = 'greeting'")
        async with engine.begin() as connection:
            assert (await connection.execute(read)).scalar() == "hello"
            changing = asyncio.create_task(change())
            await asyncio.sleep(0.3)
            assert (await connection.execute(read)).scalar() == "hello"
            assert not changing.done()
        await asyncio.wait_for(changing, 10)
        async with engine.connect() as connection:
            assert (await connection.execute(read)).scalar() == "changed"
    finally:
        await engine.dispose()
        await other.dispose()


async def test_the_loop_keeps_turning_while_another_process_holds_the_write_lock(
    database: tuple[str, Path],
) -> None:
    url, path = database
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCK_HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    engine = create_engine(url)
    try:
        assert holder.stdout and holder.stdin
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"locked\n"

        async def write() -> None:
            async with engine.begin() as connection:
                await connection.execute(INSERT, {"key": "waiter", "value": "x"})

        waiting = asyncio.create_task(write())
        worst = 0.0
        for _ in range(15):  # the loop keeps its pace while the writer waits for the lock
            started = time.monotonic()
            await asyncio.sleep(0.02)
            worst = max(worst, time.monotonic() - started)
        assert not waiting.done()
        assert worst < 1.0  # a loop blocked on the lock would stall here for the busy timeout
        holder.stdin.write(b"go\n")
        await holder.stdin.drain()
        await asyncio.wait_for(waiting, 10)  # the lock's release lets it through
        assert await _keys(engine) == ["holder", "waiter"]
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()
        await engine.dispose()


async def test_read_then_write_in_two_connections_never_deadlocks(
    database: tuple[str, Path],
) -> None:
    """Both read first, then write: with a deferred BEGIN the second writer's snapshot is stale
    and SQLite refuses its upgrade at once ("database is locked"), whatever the busy timeout."""
    url = database[0]
    engines = [create_engine(url), create_engine(url)]  # two connections to one file
    both_read = asyncio.Barrier(2)

    async def read_then_write(engine: AsyncEngine, key: str) -> None:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT count(*) FROM shop_settings"))
            try:  # the second one cannot read yet: the first holds the lock from its BEGIN
                await asyncio.wait_for(both_read.wait(), 0.3)
            except (TimeoutError, asyncio.BrokenBarrierError):
                pass
            await connection.execute(INSERT, {"key": key, "value": "x"})

    try:
        await asyncio.gather(*(read_then_write(e, k) for e, k in zip(engines, "ab", strict=True)))
        assert await _keys(engines[0]) == ["a", "b"]
    finally:
        for engine in engines:
            await engine.dispose()
