"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite has a single writer anyway, and an asyncio-side queue for the
    # connection is fairer and faster than the driver's busy-wait sleeps. Transactions must
    # stay short (no panel or Telegram calls inside), which the domain guarantees.
    engine = create_async_engine(url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=60)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so BEGIN IMMEDIATE and SAVEPOINT work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info["sqlite_writing"] = False  # reset for every transaction

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before_execute(
        connection: Any, cursor: Any, statement: str, *_: Any
    ) -> None:
        # The transaction really starts at its first write, as BEGIN IMMEDIATE: it takes the
        # write lock up front, so no other process can deadlock us on a read-to-write upgrade,
        # and read-only units of work (most of them) cost no BEGIN/COMMIT at all.
        if connection.info.get("sqlite_writing", True) or not connection.in_transaction():
            return
        if statement.lstrip()[:6].upper() in _READS:
            return
        cursor.execute("BEGIN IMMEDIATE")
        connection.info["sqlite_writing"] = True


_READS = frozenset({"SELECT", "PRAGMA", "WITH"})


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
