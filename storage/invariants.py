"""The ledger invariant as a query: every balance equals the sum of its ledger entries.

Here, beside the tables, because both the shop (bot.shop.ledger re-exports it) and the database
copy (storage/copy.py) check it, and storage imports nothing of the shop.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LedgerEntry, User


async def invariant_violations(session: AsyncSession) -> list[tuple[int, Decimal, Decimal]]:
    """Users whose balance differs from the sum of their ledger entries: (id, balance, sum)."""
    totals = (
        select(LedgerEntry.user_id, func.sum(LedgerEntry.amount).label("total"))
        .group_by(LedgerEntry.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(User.id, User.balance, func.coalesce(totals.c.total, 0)).outerjoin(
            totals, totals.c.user_id == User.id
        )
    )
    violations = []
    for user_id, balance, total in rows:  # SUM and COALESCE keep the Money type
        if balance != total:
            violations.append((user_id, balance, total))
    return violations
