"""Engine and session factory for SQLite (embedded default) and PostgreSQL.

SQLite has one writer at a time; readers, in WAL mode, never wait for it. So a file database
gets two engines: the writer (one connection, every transaction `BEGIN IMMEDIATE`) and a small
pool of read-only connections. Sessions are routed between them by how their transaction
began (`ReadRoutingSession.get_bind`, SQLAlchemy's documented hook for choosing a bind): the
shop writes only inside an explicit `session.begin()`, and a session that never begins one —
it auto-began at its first query — only reads. Such a session runs on a reader, where a write
fails loudly (`PRAGMA query_only`: "attempt to write a readonly database") instead of slipping
out of a transaction. PostgreSQL, and SQLite in memory (one connection, one database), keep one
engine and are not routed.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import AdaptedConnection, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransactionOrigin
from sqlalchemy.pool import PoolResetState

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Read-only connections per SQLite file. Each is a thread of aiosqlite's; reads are short, so a
# few are enough for the updates in flight at once, and more only add threads to switch between.
SQLITE_READERS = 3

# Writer engine → its readers (disposed with it: see _configure_readers).
_readers: weakref.WeakKeyDictionary[Engine, AsyncEngine] = weakref.WeakKeyDictionary()
_READER_KEY = "storage.db.reader"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)

    database = make_url(url).database
    in_memory = not database or database == ":memory:" or "mode=memory" in url
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
    # One writer connection: SQLite has a single writer anyway, and an asyncio-side queue for
    # the connection is fairer and faster than the driver's busy-wait sleeps. Transactions must
    # stay short (no panel or Telegram calls inside), which the domain guarantees.
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
        pool_reset_on_return=None,  # see _reset_only_if_open
    )
    _configure_sqlite(engine, begin="BEGIN IMMEDIATE", read_only=False)
    if not in_memory:
        reader = create_async_engine(
            url,
            echo=echo,
            pool_size=SQLITE_READERS,
            max_overflow=0,
            pool_timeout=60,
            pool_reset_on_return=None,
        )
        # No BEGIN: each read is its own snapshot (autocommit), as each statement is under
        # PostgreSQL's READ COMMITTED, which the shop runs on too. A BEGIN would cost one more
        # trip to aiosqlite's thread per read session for a guarantee nothing relies on.
        _configure_sqlite(reader, begin=None, read_only=True)
        _configure_readers(engine, reader)
    return engine


def reader_engine(engine: AsyncEngine) -> AsyncEngine | None:
    """The read-only pool of a SQLite file engine (None for PostgreSQL and in-memory SQLite)."""
    return _readers.get(engine.sync_engine)


def all_engines(engine: AsyncEngine) -> list[AsyncEngine]:
    """The engine and its readers: what a statement counter or tracer listens on."""
    reader = reader_engine(engine)
    return [engine] if reader is None else [engine, reader]


def _configure_readers(engine: AsyncEngine, reader: AsyncEngine) -> None:
    _readers[engine.sync_engine] = reader

    @event.listens_for(engine.sync_engine, "engine_disposed")
    def _dispose_readers(_engine: Engine) -> None:
        # Called inside AsyncEngine.dispose()'s greenlet, so the sync dispose can close the
        # aiosqlite connections (their threads would otherwise outlive the engine).
        reader.sync_engine.dispose()


def _configure_sqlite(engine: AsyncEngine, *, begin: str | None, read_only: bool) -> None:
    """SQLAlchemy's documented recipe for SQLite transactions (SQLite dialect docs, "Serializable
    isolation / Savepoints / Transactional DDL", aiosqlite variant), the writer beginning
    IMMEDIATE.

    Every write transaction takes the write lock with its BEGIN. A deferred BEGIN would let two
    processes both read, then both try to write: the later one's snapshot is stale and SQLite
    refuses its upgrade at once ("database is locked"), whatever the busy timeout. Beginning
    lazily at the first write would need each statement classified as read or write, which a
    statement's text does not tell reliably, and would leave the reads before it outside the
    transaction. Waiting for another process's lock happens on aiosqlite's worker thread, like
    every statement, so the event loop keeps running meanwhile. Readers do not begin at all: in
    WAL mode a read never takes or waits for the write lock.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver must not BEGIN (late, and deferred) on its own: SQLAlchemy emits
        # BEGIN below. This also makes SAVEPOINT and transactional DDL work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")  # persistent in the file, for readers too
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    if begin is not None:
        statement = begin

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Connection) -> None:
            # Through the driver in one trip to aiosqlite's thread (its execute_fetchall runs
            # the statement and drops the cursor there); exec_driver_sql would take three (open
            # a cursor, execute, close it), each a turn of a loop that may be busy. run_async is
            # SQLAlchemy's documented way to await the driver from an event.
            adapted = connection.connection.dbapi_connection
            assert isinstance(adapted, AdaptedConnection)
            adapted.run_async(lambda driver: driver.execute_fetchall(statement))

    @event.listens_for(engine.sync_engine, "reset")
    def _reset_only_if_open(
        dbapi_connection: Any, _record: Any, reset_state: PoolResetState
    ) -> None:
        """The pool's rollback on return, only where a transaction is still open.

        A session ends its transaction itself (COMMIT, or ROLLBACK on close); the pool's own
        ROLLBACK after it would be one more trip to aiosqlite's thread per session for nothing
        (the Custom Reset Schemes recipe of SQLAlchemy's pooling docs, with
        `pool_reset_on_return=None`). `in_transaction` is the sqlite3 connection's own flag,
        through aiosqlite's public property.
        """
        if reset_state.terminate_only or not reset_state.asyncio_safe:
            return
        if reset_state.transaction_was_reset:
            return
        if dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()


class ReadRoutingSession(Session):
    """Sends a session that auto-began (it never called `begin()`) to the read-only pool.

    `get_bind` runs before the session's first statement opens its connection, so the choice
    is made once per transaction: with no transaction yet, or an auto-begun one, the session
    reads; inside `session.begin()` (origin BEGIN) it writes, on the writer.
    """

    def get_bind(self, mapper: Any = None, **kw: Any) -> Engine | Connection:
        reader: Engine | None = self.info.get(_READER_KEY)
        if reader is not None and kw.get("bind") is None:
            transaction = self.get_transaction()
            if transaction is None or transaction.origin is SessionTransactionOrigin.AUTOBEGIN:
                return reader
        return super().get_bind(mapper, **kw)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    reader = reader_engine(engine)
    if reader is None:
        return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadRoutingSession,
        info={_READER_KEY: reader.sync_engine},
    )


def inserted_id(result: Result[Any]) -> int:
    """The primary key of the row a single-row Core INSERT wrote. SQLite hands it over with the
    statement (the cursor's lastrowid), where a RETURNING clause costs one more fetch, a trip to
    aiosqlite's thread; PostgreSQL returns it through the RETURNING SQLAlchemy adds itself."""
    key = cast("CursorResult[Any]", result).inserted_primary_key
    assert key is not None
    return int(key[0])


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (a guarded transition happened or not).
    Executing DML returns a CursorResult; AsyncSession.execute's stubs promise only a Result."""
    return cast("CursorResult[Any]", result).rowcount
