"""Admin credits/debits and the customer's statement, without Telegram."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import credits, ledger
from bot.shop.credits import CreditCommand, CreditStatus
from storage.models import AuditLog, LedgerEntry, LedgerKind, User

Sessions = async_sessionmaker[AsyncSession]
ADMIN = 900_001


async def new_user(sessions: Sessions, telegram_id: int = 42) -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, language="ar")
        session.add(user)
        await session.flush()
        return user.id


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("42 10.5 welcome bonus", CreditCommand(42, Decimal("10.50"), "welcome bonus")),
        ("٤٢ ١٠٫٢٥", CreditCommand(42, Decimal("10.25"), None)),
        ("42 -3", CreditCommand(42, Decimal("-3.00"), None)),
        ("42 1,000", CreditCommand(42, Decimal("1000.00"), None)),
    ],
)
def test_parse_command_accepts(args: str, expected: CreditCommand) -> None:
    assert credits.parse_command(args, 2) == expected


@pytest.mark.parametrize(
    "args", [None, "", "42", "42 0", "42 1.001", "x 5", "-42 5", "42 abc", "42 1e3"]
)
def test_parse_command_refuses(args: str | None) -> None:
    assert credits.parse_command(args, 2) is None


async def test_credit_applies_once_with_audit_row(sessions: Sessions) -> None:
    await new_user(sessions)
    command = CreditCommand(42, Decimal("10.50"), "bonus")
    first = await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=command, key="credit:900001:7"
    )
    again = await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=command, key="credit:900001:7"
    )
    assert (first.status, first.balance, first.language) == (
        CreditStatus.APPLIED,
        Decimal("10.50"),
        "ar",
    )
    assert (again.status, again.balance) == (CreditStatus.DUPLICATE, Decimal("10.50"))
    assert await count(sessions, LedgerEntry) == 1
    async with sessions() as session:
        audit = list(await session.scalars(select(AuditLog)))
        entry = await session.scalar(select(LedgerEntry))
    assert len(audit) == 1
    assert (audit[0].admin_telegram_id, audit[0].action, audit[0].target) == (
        ADMIN,
        "credit",
        "user:42",
    )
    assert audit[0].before == {"balance": "0.000000"}
    assert audit[0].after is not None and audit[0].after["balance"] == "10.500000"
    assert entry is not None and (entry.kind, entry.note) == ("credit", "bonus")


async def test_debit_refused_below_zero_then_applied(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=CreditCommand(42, Decimal("5"), None), key="c:1"
    )
    refused = await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=CreditCommand(42, Decimal("-6"), None), key="c:2"
    )
    assert (refused.status, refused.balance) == (CreditStatus.INSUFFICIENT, Decimal("5"))
    debit = await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=CreditCommand(42, Decimal("-2"), None), key="c:3"
    )
    assert (debit.status, debit.balance) == (CreditStatus.APPLIED, Decimal("3"))
    async with sessions() as session:
        kinds = list(await session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)))
        assert await ledger.balance_of(session, user_id) == Decimal("3")
        assert await ledger.invariant_violations(session) == []
    assert kinds == ["credit", "debit"]
    assert await count(sessions, AuditLog) == 2


async def test_unknown_customer(sessions: Sessions) -> None:
    result = await credits.apply_credit(
        sessions, admin_telegram_id=ADMIN, command=CreditCommand(7, Decimal("1"), None), key="c:1"
    )
    assert result.status is CreditStatus.UNKNOWN_USER
    assert await count(sessions, LedgerEntry) == 0 and await count(sessions, AuditLog) == 0


async def test_statement_newest_first_with_order_numbers(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("20"), kind=LedgerKind.TOPUP, key="t:1"
        )
        for i in range(12):
            await ledger.apply(
                session,
                user_id=user_id,
                amount=Decimal("-1"),
                kind=LedgerKind.ORDER,
                key=f"order:{i}",
                reference=f"order:{i}",
            )
    result = await credits.statement(sessions, user_id)
    assert result.balance == Decimal("8")
    assert len(result.lines) == 10
    assert [line.order_id for line in result.lines[:2]] == [11, 10]
    assert result.lines[0].kind is LedgerKind.ORDER and result.lines[0].amount == Decimal("-1")
