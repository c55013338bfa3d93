"""The money rules on both engines: idempotency, no negative balance, the invariant."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import ledger
from storage.models import LedgerEntry, LedgerKind, User

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def _new_user(sessions: async_sessionmaker[AsyncSession], telegram_id: int = 1) -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id)
        session.add(user)
        await session.flush()
        return user.id


async def _balance(sessions: async_sessionmaker[AsyncSession], user_id: int) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user_id)


async def test_same_key_applies_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    user_id = await _new_user(sessions)
    results = []
    for _ in range(3):
        async with sessions() as session, session.begin():
            posting = await ledger.apply(
                session,
                user_id=user_id,
                amount=Decimal("10.50"),
                kind=LedgerKind.CREDIT,
                key="credit:msg:1",
            )
            results.append(posting.applied)
    assert results == [True, False, False]
    assert await _balance(sessions, user_id) == Decimal("10.50")
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(LedgerEntry))
        assert count == 1
        assert await ledger.invariant_violations(session) == []


async def test_concurrent_same_key_applies_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    user_id = await _new_user(sessions)

    async def refund() -> bool:
        async with sessions() as session, session.begin():
            posting = await ledger.apply(
                session,
                user_id=user_id,
                amount=Decimal("3"),
                kind=LedgerKind.REFUND,
                key="refund:order:7",
            )
            return posting.applied

    applied = await asyncio.gather(*(refund() for _ in range(20)))
    assert applied.count(True) == 1
    assert await _balance(sessions, user_id) == Decimal("3")


async def test_debit_beyond_balance_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _new_user(sessions)
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("5"), kind=LedgerKind.CREDIT, key="c1"
        )
    with pytest.raises(ledger.InsufficientFunds):
        async with sessions() as session, session.begin():
            await ledger.apply(
                session,
                user_id=user_id,
                amount=Decimal("-5.000001"),
                kind=LedgerKind.ORDER,
                key="o1",
            )
    assert await _balance(sessions, user_id) == Decimal("5")
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == []
        assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


async def test_unknown_user(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(ledger.UnknownUser):
        async with sessions() as session, session.begin():
            await ledger.apply(
                session, user_id=999, amount=Decimal("-1"), kind=LedgerKind.ORDER, key="x"
            )


async def test_200_concurrent_debits_for_a_balance_covering_50(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _new_user(sessions)
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("50"), kind=LedgerKind.CREDIT, key="fund"
        )

    async def debit(n: int) -> bool:
        try:
            async with sessions() as session, session.begin():
                await ledger.apply(
                    session,
                    user_id=user_id,
                    amount=Decimal("-1"),
                    kind=LedgerKind.ORDER,
                    key=f"order:{n}",
                )
            return True
        except ledger.InsufficientFunds:
            return False

    outcomes = await asyncio.gather(*(debit(n) for n in range(200)))
    assert outcomes.count(True) == 50
    assert await _balance(sessions, user_id) == Decimal("0")
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == []
        debits = await session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.amount < 0)
        )
        assert debits == 50


async def test_invariant_check_detects_a_tampered_balance(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await _new_user(sessions)
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("2"), kind=LedgerKind.CREDIT, key="c"
        )
    async with sessions() as session, session.begin():
        user = await session.get(User, user_id)
        assert user is not None
        user.balance = Decimal("7")
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == [(user_id, Decimal("7"), Decimal("2"))]


async def test_balance_check_constraint_is_in_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Even code that bypasses the ledger cannot store a negative balance."""
    from sqlalchemy.exc import IntegrityError

    user_id = await _new_user(sessions)
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            user = await session.get(User, user_id)
            assert user is not None
            user.balance = Decimal("-1")
