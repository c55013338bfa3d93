"""Alembic environment: runs on a connection handed over by storage.migrate, or from a URL."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import BigInteger
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.models import Base
from storage.types import Money, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not depend on application types: render them as their storage types.
    if type_ == "type" and isinstance(obj, Money):
        return "sa.BigInteger()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        render_item=_render_item,
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


handed_over = config.attributes.get("connection")
if handed_over is not None:
    _run(handed_over)
else:
    asyncio.run(
        _run_from_url(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///data/bot.sqlite3"))
    )

_ = BigInteger  # keep the import for autogenerate readers
