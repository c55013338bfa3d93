"""SQLite → PostgreSQL copy (storage/copy.py, `python -m bot db copy`) and SQLite backups."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.shop import ledger
from storage.copy import CopyError, copy_database
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import (
    Base,
    Category,
    FsmState,
    LedgerKind,
    Order,
    OrderEvent,
    Panel,
    Service,
    User,
)
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[1]
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set")
postgres = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def make_shop(url: str) -> None:
    """A small SQLite shop: a referral pointing at a later user, money, an order, a wizard."""
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        alice = User(telegram_id=1001, first_name="Alice", language="ar")
        bob = User(telegram_id=1002, username="bob", language="en")
        session.add_all([alice, bob])
        await session.flush()
        alice.referrer_id = bob.id  # a self-reference to a row inserted after it
        panel = Panel(name="main", url="https://panel.example/api/v2", dialect="v2")
        category = Category(name="Instagram Followers", name_ar="متابعين")
        session.add_all([panel, category])
        await session.flush()
        service = Service(
            panel_id=panel.id,
            panel_service_id="7",
            category_id=category.id,
            name="Followers",
            type="Default",
            rate=Decimal("0.123456"),
            min_quantity=10,
            max_quantity=10_000,
        )
        session.add(service)
        await session.flush()
        order = Order(
            user_id=alice.id,
            service_id=service.id,
            panel_id=panel.id,
            state="pending",
            link="https://instagram.com/a",
            quantity=100,
            params={"runs": None},
            charge=Decimal("1.61"),
            cost=Decimal("0.012346"),
            request_key="req:1",
        )
        session.add(order)
        await session.flush()
        session.add(OrderEvent(order_id=order.id, from_state="submitting", to_state="pending"))
        session.add(FsmState(key="fsm:1:1", state="Wizard:quantity", data={"service": 7}))
    for user_id, amount, key in [(1, "25.50", "c1"), (2, "3", "c2"), (1, "-1.61", "o1")]:
        async with sessions() as session, session.begin():
            kind = LedgerKind.ORDER if amount.startswith("-") else LedgerKind.CREDIT
            await ledger.apply(session, user_id=user_id, amount=Decimal(amount), kind=kind, key=key)
    await engine.dispose()


async def all_rows(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    async with engine.connect() as connection:
        return {
            table.name: [
                dict(row)
                for row in (
                    await connection.execute(select(table).order_by(*table.primary_key.columns))
                ).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }


@needs_postgres
@postgres
async def test_copy_keeps_every_row_and_bumps_sequences(tmp_path: Path, database_url: str) -> None:
    source_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    await make_shop(source_url)

    report = await copy_database(source_url, database_url)

    assert report.rows["users"] == 2 and report.rows["ledger_entries"] == 3
    source, target = create_engine(source_url), create_engine(database_url)
    try:
        before, after = await all_rows(source), await all_rows(target)
        assert after == before  # every column of every row, ids and timestamps included
        assert after["users"][0]["referrer_id"] == after["users"][1]["id"]
        sessions = create_session_factory(target)
        async with sessions() as session:
            assert await ledger.invariant_violations(session) == []
            assert await session.scalar(select(User.balance).where(User.id == 1)) == Decimal(
                "23.89"
            )
        async with sessions() as session, session.begin():  # the sequence is past copied ids
            carol = User(telegram_id=1003)
            session.add(carol)
        assert carol.id == 3
    finally:
        await source.dispose()
        await target.dispose()


@needs_postgres
@postgres
async def test_copy_refuses_a_non_empty_target(tmp_path: Path, database_url: str) -> None:
    source_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    await make_shop(source_url)
    await copy_database(source_url, database_url)

    with pytest.raises(CopyError, match="not empty"):
        await copy_database(source_url, database_url)

    target = create_engine(database_url)
    try:
        async with target.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(User)) == 2
    finally:
        await target.dispose()


@needs_postgres
@postgres
async def test_copy_refuses_a_source_that_fails_the_invariant(
    tmp_path: Path, database_url: str
) -> None:
    source_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    await make_shop(source_url)
    engine = create_engine(source_url)
    async with engine.begin() as connection:  # a balance changed behind the ledger's back
        await connection.execute(update(User).where(User.id == 2).values(balance=Decimal(9)))
    await engine.dispose()

    with pytest.raises(CopyError, match="invariant"):
        await copy_database(source_url, database_url)

    target = create_engine(database_url)
    try:
        async with target.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(User)) == 0
    finally:
        await target.dispose()


def run_cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_postgres
@postgres
async def test_cli_copy_then_refuse(tmp_path: Path, database_url: str) -> None:
    source_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    await make_shop(source_url)

    first = run_cli(tmp_path, source_url, "copy", "--to", database_url)
    assert first.returncode == 0, first.stderr
    assert "copied 11 rows" in first.stdout and "ledger invariant" in first.stdout

    second = run_cli(tmp_path, source_url, "copy", "--to", database_url)
    assert second.returncode == 1
    assert "not empty" in second.stderr and "Traceback" not in second.stderr


async def test_cli_backup_is_a_consistent_sqlite_copy(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    source_url = f"sqlite+aiosqlite:///{database}"
    await make_shop(source_url)

    result = run_cli(tmp_path, source_url, "backup", str(tmp_path / "backups" / "b.sqlite3"))

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "backups" / "b.sqlite3") as copy:
        assert copy.execute("SELECT count(*), sum(amount) FROM ledger_entries").fetchone() == (
            3,
            26_890_000,
        )
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    refused = run_cli(tmp_path, "postgresql+asyncpg://u@127.0.0.1/x", "backup", "b")
    assert refused.returncode == 2 and "pg_dump" in refused.stderr
