"""Shared fixtures: a freshly migrated database on SQLite, and on PostgreSQL when configured.

`TEST_POSTGRES_URL` (set by .ci/run) points at the machine's real PostgreSQL; each test gets a
database of its own, created and dropped around it. `TEST_DATABASE=postgresql` makes PostgreSQL
the default engine of the whole suite (the `database_url` fixture and tests/e2e/harness.py).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgresql"]
# The engine of every test that does not pick one itself.
TEST_DATABASE = os.environ.get("TEST_DATABASE", "").strip().lower() or "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    if TEST_DATABASE not in ENGINES:
        raise pytest.UsageError(f"TEST_DATABASE must be one of {ENGINES}")
    if TEST_DATABASE == "postgresql" and not POSTGRES_URL:
        raise pytest.UsageError("TEST_DATABASE=postgresql needs TEST_POSTGRES_URL")


# Databases made by `postgres_database` in the running test (key → name), dropped after it.
_test_databases: dict[str, str] = {}


def _pg_url(name: str) -> str:
    assert POSTGRES_URL
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def postgres_database(key: str) -> str:
    """URL of a fresh PostgreSQL database for `key`; within one test the same key gives the same
    database (a restart of the shop), and every one is dropped when the test ends."""
    name = _test_databases.get(key)
    if name is None:
        name = f"shop_test_{uuid.uuid4().hex[:12]}"
        await _create_pg_database(name)
        _test_databases[key] = name
    return _pg_url(name)


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    if _test_databases:
        names = list(_test_databases.values())
        _test_databases.clear()

        async def drop_all() -> None:
            for name in names:
                await _drop_pg_database(name)

        # A thread of its own: this teardown must not touch the test's event loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, drop_all()).result()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's .env: they run in an empty folder."""
    monkeypatch.chdir(tmp_path)


async def _create_pg_database(name: str) -> None:
    import asyncpg

    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database; parametrize with `engine_name` to pick the engine."""
    engine_name = getattr(request, "param", TEST_DATABASE)
    if engine_name == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (.ci/run sets it)")
    name = f"shop_test_{uuid.uuid4().hex[:12]}"
    await _create_pg_database(name)
    try:
        yield _pg_url(name)
    finally:
        await _drop_pg_database(name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
