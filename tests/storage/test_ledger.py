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


async def _fund(sessions: async_sessionmaker[AsyncSession], user_id: int, amount: str) -> None:
    async with sessions() as session, session.begin():
        await ledger.apply(
            session,
            user_id=user_id,
            amount=Decimal(amount),
            kind=LedgerKind.CREDIT,
            key=f"fund:{user_id}",
        )


def _debit(user_id: int, amount: str, key: str) -> ledger.Debit:
    return ledger.Debit(user_id, Decimal(amount), LedgerKind.ORDER, key, reference=key)


async def test_debit_many_takes_each_amount_once_with_running_balances(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await _new_user(sessions, 1), await _new_user(sessions, 2)
    await _fund(sessions, first, "10")
    await _fund(sessions, second, "5")
    async with sessions() as session, session.begin():
        await ledger.debit_many(
            session,
            [
                _debit(first, "1.25", "order:1"),
                _debit(second, "5", "order:2"),  # all of it: down to zero, never below
                _debit(first, "2.50", "order:3"),
            ],
        )
    assert await _balance(sessions, first) == Decimal("6.25")
    assert await _balance(sessions, second) == Decimal("0")
    async with sessions() as session:
        entries = {
            e.idempotency_key: (e.user_id, e.amount, e.balance_after)
            for e in await session.scalars(
                select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.ORDER.value)
            )
        }
        assert entries == {
            "order:1": (first, Decimal("-1.25"), Decimal("8.75")),
            "order:2": (second, Decimal("-5"), Decimal("0")),
            "order:3": (first, Decimal("-2.50"), Decimal("6.25")),
        }
        assert await ledger.invariant_violations(session) == []


async def test_debit_many_refuses_a_balance_short_of_its_debits_sum(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rich, poor = await _new_user(sessions, 1), await _new_user(sessions, 2)
    await _fund(sessions, rich, "100")
    await _fund(sessions, poor, "3")
    with pytest.raises(ledger.InsufficientFunds) as refused:
        async with sessions() as session, session.begin():
            await ledger.debit_many(
                session,
                [
                    _debit(rich, "10", "order:1"),
                    _debit(poor, "2", "order:2"),  # each covered alone, not together
                    _debit(poor, "2", "order:3"),
                ],
            )
    assert refused.value.user_id == poor and refused.value.amount == Decimal("4")
    # The caller's transaction rolled back: nobody was charged.
    assert await _balance(sessions, rich) == Decimal("100")
    assert await _balance(sessions, poor) == Decimal("3")
    with pytest.raises(ledger.UnknownUser):
        async with sessions() as session, session.begin():
            await ledger.debit_many(session, [_debit(rich + poor + 1000, "1", "order:4")])
    async with sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.kind == LedgerKind.ORDER.value)
        )
        assert count == 0
        assert await ledger.invariant_violations(session) == []
