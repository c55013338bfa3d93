"""Read sessions beside the writer: a session that never calls `begin()` only reads, and on
SQLite it reads from a pool of read-only connections, so it never queues behind the one writer
(nor behind another process's write lock); a write in it fails loudly. Writes keep their
`BEGIN IMMEDIATE` transaction on the writer, and the ledger keeps its invariants with reads
running beside it."""

from __future__ import annotations

import asyncio
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.shop import ledger
from storage.db import create_engine, create_session_factory, reader_engine
from storage.migrate import upgrade_to_head
from storage.models import LedgerEntry, LedgerKind, ShopSetting, User
from tests.conftest import ENGINES

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


async def _setting(sessions: async_sessionmaker[AsyncSession], key: str) -> str | None:
    async with sessions() as session:  # no begin(): a read session
        return await session.scalar(select(ShopSetting.value).where(ShopSetting.key == key))


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
async def test_a_read_does_not_wait_for_an_open_write_transaction(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """On SQLite the writer is one connection: a read queued behind a write transaction in
    flight would wait for all of it (a customer's menu behind another one's order)."""
    async with sessions() as session, session.begin():
        await session.execute(INSERT, {"key": "greeting", "value": "hello"})
    async with sessions() as writer, writer.begin():
        await writer.execute(text("UPDATE shop_settings SET value = 'changed'"))
        # The writer's connection is held by this open transaction; the read goes on beside
        # it and sees the last committed state.
        assert await asyncio.wait_for(_setting(sessions, "greeting"), 5) == "hello"
    assert await _setting(sessions, "greeting") == "changed"


async def test_a_read_does_not_wait_for_another_process_holding_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessions = create_session_factory(engine)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCK_HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout and holder.stdin
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"locked\n"
        # The busy timeout is 10 s: a read that took the write lock would wait here.
        assert await asyncio.wait_for(_setting(sessions, "holder"), 2) is None

        async def write() -> None:
            async with sessions() as session, session.begin():
                await session.execute(INSERT, {"key": "waiter", "value": "x"})

        waiting = asyncio.create_task(write())  # a write still waits for the lock
        await asyncio.sleep(0.3)
        assert not waiting.done()
        holder.stdin.write(b"go\n")
        await holder.stdin.drain()
        await asyncio.wait_for(waiting, 10)
        assert await _setting(sessions, "holder") == "x"
        assert await _setting(sessions, "waiter") == "x"
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()
        await engine.dispose()


async def test_a_write_in_a_read_session_fails_loudly(tmp_path: Path) -> None:
    """A write outside `begin()` would be rolled back silently at close; on the read-only
    connection it is refused at once instead."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}")
    await upgrade_to_head(engine)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session:
            with pytest.raises(OperationalError, match="readonly"):
                await session.execute(INSERT, {"key": "sneaky", "value": "x"})
        async with sessions() as session:
            await session.scalar(select(ShopSetting.value))  # the session began reading
            session.add(ShopSetting(key="flushed", value="x"))
            with pytest.raises(OperationalError, match="readonly"):
                await session.flush()
        async with sessions() as session, session.begin():
            session.add(ShopSetting(key="written", value="x"))
        assert await _setting(sessions, "sneaky") is None
        assert await _setting(sessions, "flushed") is None
        assert await _setting(sessions, "written") == "x"
    finally:
        await engine.dispose()


async def test_readers_are_read_only_and_disposed_with_the_engine(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}")
    readers = reader_engine(engine)
    assert readers is not None
    async with readers.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA query_only")).scalar() == 1
    assert readers.sync_engine.pool.checkedin() == 1
    await engine.dispose()
    assert readers.sync_engine.pool.checkedin() == 0


async def test_a_transaction_the_pool_did_not_know_of_is_still_rolled_back(
    tmp_path: Path,
) -> None:
    """The pool skips its rollback on return only where no transaction is open: a lock taken
    behind SQLAlchemy's back must not outlive the connection's checkout."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    engine, other = create_engine(url), create_engine(url)
    await upgrade_to_head(engine)
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.execute("BEGIN IMMEDIATE")
            await driver.execute(
                "INSERT INTO shop_settings (key, value, updated_at) "
                "VALUES ('behind', 'x', CURRENT_TIMESTAMP)"
            )
            assert driver.in_transaction
        async with asyncio.timeout(5), other.begin() as writer:  # the lock is free again
            await writer.execute(INSERT, {"key": "after", "value": "x"})
            keys = (await writer.execute(text("SELECT key FROM shop_settings"))).scalars()
            assert sorted(keys) == ["after"]
    finally:
        await engine.dispose()
        await other.dispose()


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
async def test_the_ledger_holds_with_reads_beside_its_writes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Concurrent debits (some sharing a key) with reads between them: each key applies once,
    no balance goes below zero, and every read sees a balance equal to its ledger's sum."""
    async with sessions() as session, session.begin():
        user = User(telegram_id=77)
        session.add(user)
        await session.flush()
        user_id = user.id
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("10"), kind=LedgerKind.TOPUP, key="topup:seed"
        )

    async def debit(n: int) -> None:
        async with sessions() as session, session.begin():
            await ledger.apply(
                session,
                user_id=user_id,
                amount=Decimal("-1.5"),
                kind=LedgerKind.ORDER,
                key=f"order:{n % 9}",
            )

    seen: list[tuple[Decimal, Decimal]] = []

    async def read() -> None:
        async with sessions() as session:
            # One statement: on PostgreSQL (read committed) each statement has its own snapshot.
            total = (
                select(func.sum(LedgerEntry.amount))
                .where(LedgerEntry.user_id == user_id)
                .scalar_subquery()
            )
            row = (
                await session.execute(select(User.balance, total).where(User.id == user_id))
            ).one()
            balance, total = row
            seen.append((balance, Decimal(total)))

    results = await asyncio.gather(
        *(debit(n) for n in range(20)), *(read() for _ in range(20)), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures and all(isinstance(r, ledger.InsufficientFunds) for r in failures)
    assert len(seen) == 20
    assert all(balance == total >= 0 for balance, total in seen)
    async with sessions() as session:
        balance = await ledger.balance_of(session, user_id)
        orders = await session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.user_id == user_id, LedgerEntry.kind == LedgerKind.ORDER)
        )
    assert orders == 6  # six distinct keys fit in 10 at 1.5 each; the others are refused
    assert balance == Decimal("1")
