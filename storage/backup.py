"""Online backup of a SQLite shop: a consistent copy while the bot keeps running.

sqlite3's backup API copies the database page by page under SQLite's own locking, so the copy
is a consistent snapshot even in WAL mode with the bot writing (copying the file is not: the
WAL holds recent commits). PostgreSQL shops use pg_dump instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def backup_sqlite(source: Path, destination: Path) -> int:
    """Write a snapshot of `source` to `destination` (replaced if present); returns its size."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    if destination.resolve() == source.resolve():
        raise BackupError("the backup must not overwrite the database itself")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)  # only read; read-write so a WAL database opens
    try:
        dst = sqlite3.connect(partial)
        try:
            # Small steps let the bot write in between; a change restarts only the unfinished part.
            src.backup(dst, pages=256, sleep=0.005)
            ok = dst.execute("PRAGMA integrity_check").fetchone()
            if not ok or ok[0] != "ok":
                raise BackupError(f"the backup failed its integrity check: {ok}")
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(destination)  # atomically: a half-written backup never has the final name
    return destination.stat().st_size
