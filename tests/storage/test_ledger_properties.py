"""Property: any sequence of credits, debits and refunds keeps balance == sum(ledger) >= 0."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import ledger
from storage.models import LedgerKind, User

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

_ids = itertools.count(10_000)

amounts = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1000"), places=6)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), amounts),
        st.tuples(st.just("debit"), amounts),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("replay"), st.integers(min_value=0, max_value=30)),
    ),
    max_size=30,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
async def test_random_sequences_keep_the_invariant(
    sessions: async_sessionmaker[AsyncSession], ops: list[tuple[str, object]]
) -> None:
    async with sessions() as session, session.begin():
        user = User(telegram_id=next(_ids))
        session.add(user)
        await session.flush()
        user_id = user.id

    expected = Decimal(0)
    applied_keys: dict[str, Decimal] = {}
    debits: list[tuple[str, Decimal]] = []  # (key, amount) of successful debits
    for step, (op, arg) in enumerate(ops):
        async with sessions() as session:
            try:
                async with session.begin():
                    if op == "credit":
                        key, amount, kind = f"{user_id}:c{step}", arg, LedgerKind.CREDIT
                    elif op == "debit":
                        key, amount, kind = f"{user_id}:d{step}", -arg, LedgerKind.ORDER  # type: ignore[operator]
                    elif op == "refund" and debits:
                        debit_key, debit_amount = debits[arg % len(debits)]  # type: ignore[operator]
                        key, amount, kind = f"refund:{debit_key}", debit_amount, LedgerKind.REFUND
                    elif op == "replay" and applied_keys:
                        key = sorted(applied_keys)[arg % len(applied_keys)]  # type: ignore[operator]
                        amount, kind = applied_keys[key], LedgerKind.CREDIT
                    else:
                        continue
                    posting = await ledger.apply(
                        session,
                        user_id=user_id,
                        amount=amount,
                        kind=kind,
                        key=key,  # type: ignore[arg-type]
                    )
            except ledger.InsufficientFunds:
                assert expected < -amount  # refused only when it really did not cover
                continue
            if posting.applied:
                assert key not in applied_keys
                applied_keys[key] = amount  # type: ignore[assignment]
                expected += amount  # type: ignore[operator]
                if op == "debit":
                    debits.append((key, -amount))  # type: ignore[operator]
            else:
                assert key in applied_keys
        assert expected >= 0

    async with sessions() as session:
        assert await ledger.balance_of(session, user_id) == expected
        assert await ledger.invariant_violations(session) == []
