"""The admin audit trail: one row per admin action, written in the transaction of the change,
so a change without its row (or a row without its change) cannot be committed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog


def record(
    session: AsyncSession,
    admin_id: int,
    action: str,
    target: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditLog:
    """Add the row to the caller's session (flushed with the change it describes)."""
    row = AuditLog(
        admin_telegram_id=admin_id, action=action, target=target, before=before, after=after
    )
    session.add(row)
    return row
