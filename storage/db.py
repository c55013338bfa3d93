"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

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
    engine = create_async_engine(
        url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=60,
        async_creator=_inline_connector(url),
    )
    _configure_sqlite(engine)
    return engine


class InlineSQLiteConnection(aiosqlite.Connection):
    """An aiosqlite connection whose statements run on the event loop's own thread.

    A local SQLite statement takes microseconds (WAL with synchronous=NORMAL: a commit does not
    wait for the disk), and passing each call to aiosqlite's worker thread and back costs more
    than the statement: about 0.9 ms against 0.5 ms per ORM query here, with a dozen calls per
    query. The one call that may wait — taking the write lock, which another connection can
    hold — waits on the worker thread (`begin_immediate`), so the loop never blocks on a lock:
    in WAL mode readers never wait, and once the lock is held nothing else does.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def begin_immediate(self) -> None:
        """Take the write lock: at once on the loop's thread when it is free (always, for a
        process that is the database's only user), else wait for it on the worker thread.

        Sending every BEGIN to the worker cost a GIL hand-off each, and under load the
        worker waits for the busy loop to let go of the GIL (up to the 5 ms switch interval)
        while the engine's one connection — every other customer's queries — waits with it.
        """
        connection = self._conn
        connection.execute("PRAGMA busy_timeout=0")  # this attempt must not wait
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # BUSY or an extended BUSY_*
                raise
        finally:
            connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Another process holds the lock: wait for it off the loop.
        await super()._execute(connection.execute, "BEGIN IMMEDIATE")


def _inline_connector(url: str) -> Callable[[], Any]:
    args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    options = {**options, "check_same_thread": False}  # opened by the worker, used by the loop

    async def connect() -> InlineSQLiteConnection:
        connection = InlineSQLiteConnection(
            lambda: sqlite3.connect(*args, **options), iter_chunk_size=64
        )
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
        return await connection

    return connect


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
        driver = connection.connection.driver_connection
        if isinstance(driver, InlineSQLiteConnection):
            await_(driver.begin_immediate())  # may wait for another writer: off the loop
        else:
            cursor.execute("BEGIN IMMEDIATE")
        connection.info["sqlite_writing"] = True


_READS = frozenset({"SELECT", "PRAGMA", "WITH"})


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
