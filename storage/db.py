"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import Connection, make_url
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
    """SQLAlchemy's documented recipe for SQLite transactions (SQLite dialect docs, "Serializable
    isolation / Savepoints / Transactional DDL", aiosqlite variant), beginning IMMEDIATE.

    Every transaction takes the write lock with its BEGIN. A deferred BEGIN would let two
    processes both read, then both try to write: the later one's snapshot is stale and SQLite
    refuses its upgrade at once ("database is locked"), whatever the busy timeout. Beginning
    lazily at the first write would need each statement classified as read or write, which a
    statement's text does not tell reliably, and would leave the reads before it outside the
    transaction. Waiting for another process's lock happens on aiosqlite's worker thread, like
    every statement, so the event loop keeps running meanwhile.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver must not BEGIN (late, and deferred) on its own: SQLAlchemy emits
        # BEGIN IMMEDIATE below. This also makes SAVEPOINT and transactional DDL work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (a guarded transition happened or not).
    Executing DML returns a CursorResult; AsyncSession.execute's stubs promise only a Result."""
    return cast("CursorResult[Any]", result).rowcount
