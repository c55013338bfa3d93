"""Copy a whole shop database into an empty one (SQLite → PostgreSQL when a shop outgrows SQLite).

Every table of the models is copied row by row with its primary keys, in foreign-key order, in
one target transaction; the checks run inside that transaction before it commits, so a failed
copy leaves the target as empty as it was:
- the target must be empty (a second copy would merge two shops);
- the source must hold no table the models do not know (it would be silently dropped);
- afterwards the row counts match table by table and every balance equals the sum of its ledger
  entries on the target, exactly as on the source.
On PostgreSQL the id sequences are moved past the copied ids, so new rows do not collide.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, inspect, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.db import create_engine
from storage.invariants import invariant_violations
from storage.migrate import upgrade_to_head
from storage.models import Base

log = logging.getLogger("storage.copy")
BATCH = 1000
_IGNORED_TABLES = {"alembic_version"}


class CopyError(Exception):
    """The copy was refused or failed its checks; the message says why (never a password)."""


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def copy_database(source_url: str, target_url: str) -> CopyReport:
    """Migrate both databases to the current schema, then copy source into the empty target."""
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        await upgrade_to_head(source)
        await upgrade_to_head(target)
        return await copy_engines(source, target)
    finally:
        await source.dispose()
        await target.dispose()


async def copy_engines(source: AsyncEngine, target: AsyncEngine) -> CopyReport:
    tables = Base.metadata.sorted_tables  # parents before children
    report = CopyReport()
    async with source.connect() as src:
        await _check_known_tables(src, tables)
        violations = await _invariant_violations(src)
        if violations:
            raise CopyError(
                f"the source fails the ledger invariant for users {violations}; "
                "fix it before copying"
            )
        async with target.begin() as dst:
            await _check_empty(dst, tables)
            for table in tables:
                report.rows[table.name] = await _copy_table(src, dst, table)
            if dst.dialect.name == "postgresql":
                await _bump_sequences(dst, tables)
            await _verify(dst, tables, report)
    return report


async def _check_known_tables(src: AsyncConnection, tables: Sequence[Table]) -> None:
    present = set(await src.run_sync(lambda c: inspect(c).get_table_names()))
    unknown = present - {t.name for t in tables} - _IGNORED_TABLES
    if unknown:
        raise CopyError(f"the source has tables this version does not know: {sorted(unknown)}")


async def _check_empty(dst: AsyncConnection, tables: Sequence[Table]) -> None:
    for table in tables:
        if await dst.scalar(select(func.count()).select_from(table)):
            raise CopyError(
                f"the target database is not empty (table {table.name} has rows); "
                "copy into a new, empty database"
            )


async def _copy_table(src: AsyncConnection, dst: AsyncConnection, table: Table) -> int:
    # A self-reference (users.referrer_id) may point at a later row: insert it empty, then set it.
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    rows = [
        dict(row)
        for row in (
            await src.execute(select(table).order_by(*table.primary_key.columns))
        ).mappings()
    ]
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        await dst.execute(table.insert(), [{**row, **dict.fromkeys(self_refs)} for row in chunk])
    if self_refs:
        pk = next(iter(table.primary_key.columns))
        # Name the onupdate columns too, or the UPDATE would stamp them with "now".
        kept = [c.name for c in table.columns if c.onupdate is not None]
        for row in rows:
            values = {name: row[name] for name in self_refs if row[name] is not None}
            if values:
                values.update({name: row[name] for name in kept})
                await dst.execute(update(table).where(pk == row[pk.name]).values(**values))
    return len(rows)


async def _bump_sequences(dst: AsyncConnection, tables: Sequence[Table]) -> None:
    for table in tables:
        columns = list(table.primary_key.columns)
        if (
            len(columns) != 1
            or not columns[0].autoincrement
            or columns[0].type.python_type is not int
        ):
            continue
        column = columns[0].name
        # pg_get_serial_sequence is NULL for a key without a sequence, and setval(NULL) a no-op.
        await dst.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table.name}"'
            ),
            {"table": table.name, "column": column},
        )


async def _verify(dst: AsyncConnection, tables: Sequence[Table], report: CopyReport) -> None:
    for table in tables:
        count = await dst.scalar(select(func.count()).select_from(table))
        if count != report.rows[table.name]:
            raise CopyError(
                f"table {table.name}: {report.rows[table.name]} rows read, {count} in the target"
            )
    violations = await _invariant_violations(dst)
    if violations:
        raise CopyError(f"after the copy the ledger invariant fails for users {violations}")


async def _invariant_violations(connection: AsyncConnection) -> list[Any]:
    async with AsyncSession(bind=connection) as session:
        return [user_id for user_id, *_ in await invariant_violations(session)]
