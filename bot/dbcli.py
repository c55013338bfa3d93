"""`python -m bot db …`: database tools that need only DATABASE_URL (no token, no panel).

python -m bot db copy --to postgresql+asyncpg://user:pass@host/shop   # SQLite → PostgreSQL
python -m bot db backup backups/shop-2026-01-01.sqlite3              # online SQLite backup
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import DEFAULT_DATABASE_URL


class _DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )
    database_url: str = DEFAULT_DATABASE_URL


def add_db_commands(commands: Any) -> None:
    db = commands.add_parser("db", help="database tools (source: DATABASE_URL)")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    copy = actions.add_parser(
        "copy", help="copy this shop's database into an empty database (e.g. PostgreSQL)"
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="target, e.g. postgresql+asyncpg://user:pass@host/shop",
    )
    backup = actions.add_parser("backup", help="online backup of a SQLite database to PATH")
    backup.add_argument("path", type=Path)


def run_db_command(args: argparse.Namespace) -> int:
    source = _DatabaseSettings().database_url
    if args.db_command == "copy":
        return _copy(source, args.to)
    return _backup(source, args.path)


def _copy(source: str, target: str) -> int:
    from storage.copy import CopyError, copy_database

    if not target.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        print("--to must be a postgresql+asyncpg:// (or sqlite+aiosqlite://) URL", file=sys.stderr)
        return 2
    shown = make_url(target).render_as_string(hide_password=True)
    try:
        report = asyncio.run(copy_database(source, target))
    except CopyError as exc:
        print(f"copy refused or failed, nothing was written: {exc}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as exc:  # e.g. the target server is unreachable
        print(f"copy failed, nothing was written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for table, rows in report.rows.items():
        print(f"  {table}: {rows}")
    print(f"copied {report.total} rows to {shown}; row counts and the ledger invariant hold")
    return 0


def _backup(source: str, destination: Path) -> int:
    from storage.backup import BackupError, backup_sqlite

    url = make_url(source)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        print(
            "db backup is for SQLite files; back up PostgreSQL with pg_dump "
            "(see README, Deployment)",
            file=sys.stderr,
        )
        return 2
    try:
        size = backup_sqlite(Path(url.database), destination)
    except (BackupError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {url.database} to {destination} ({size} bytes)")
    return 0
