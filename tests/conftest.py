"""Shared fixtures: a freshly migrated database on SQLite, and on PostgreSQL when configured.

`TEST_POSTGRES_URL` (set by .ci/run) points at the machine's real PostgreSQL; each test gets a
database of its own, created and dropped around it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgresql"]


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
    engine_name = getattr(request, "param", "sqlite")
    if engine_name == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (.ci/run sets it)")
    name = f"shop_test_{uuid.uuid4().hex[:12]}"
    await _create_pg_database(name)
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
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
