"""The money rules: every balance change is one ledger entry with a unique key.

All functions run inside the caller's transaction, so a debit can be committed atomically
with the order it pays for. Nothing here reads a balance and writes it back: the balance is
changed by one conditional UPDATE, so concurrent debits can never take it below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, bindparam, case, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import ZERO
from storage.db import inserted_id
from storage.invariants import invariant_violations as invariant_violations
from storage.models import LedgerEntry, LedgerKind, User
from storage.types import utcnow


class InsufficientFunds(Exception):
    def __init__(self, user_id: int, amount: Decimal) -> None:
        super().__init__(f"user {user_id}: balance does not cover {amount}")
        self.user_id = user_id
        self.amount = amount


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Posting:
    """The outcome of apply(): the entry under that key, and whether this call created it."""

    entry: LedgerEntry
    applied: bool


async def apply(
    session: AsyncSession,
    *,
    user_id: int,
    amount: Decimal,
    kind: LedgerKind,
    key: str,
    reference: str | None = None,
    note: str | None = None,
    new_key: bool = False,
) -> Posting:
    """Change a user's balance by `amount` (signed) exactly once per `key`.

    A second call with the same key changes nothing and returns the first entry. A debit that
    the balance does not cover raises InsufficientFunds and changes nothing.

    `new_key=True` is for a key no entry can have yet (it names a row this transaction just
    created, e.g. `order:<new id>`): the lookup and savepoint are skipped, and should the key
    exist after all, the unique constraint fails the caller's whole transaction.
    """
    if amount == 0:
        raise ValueError("a ledger entry moves money")
    if new_key:
        return Posting(await _post(session, user_id, amount, kind, key, reference, note), True)
    existing = await entry_for_key(session, key)
    if existing is not None:
        return Posting(existing, applied=False)
    try:
        async with session.begin_nested():  # a racing twin with the same key undoes only this
            entry = await _post(session, user_id, amount, kind, key, reference, note)
    except IntegrityError:
        existing = await entry_for_key(session, key)
        if existing is None:
            raise
        return Posting(existing, applied=False)
    return Posting(entry, applied=True)


# Hot-path statements are built once (a reused statement keeps its cache key) and run as
# Core: an entry is written once and never updated, so the ORM's unit of work buys nothing.
# The declarative stubs type __table__ as any FromClause; a mapped class's is a Table.
_ENTRIES = cast(Table, LedgerEntry.__table__)
_INSERT_ENTRY = insert(_ENTRIES)
_USERS = cast(Table, User.__table__)
_CREDIT_BALANCE = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("user_id"))
    .values(balance=_USERS.c.balance + bindparam("amount", type_=_USERS.c.balance.type))
    .returning(_USERS.c.balance)
)
# A debit applies only while the balance covers it: no read-then-write, never below zero.
_DEBIT_BALANCE = _CREDIT_BALANCE.where(
    _USERS.c.balance >= bindparam("cover", type_=_USERS.c.balance.type)
)


async def _post(
    session: AsyncSession,
    user_id: int,
    amount: Decimal,
    kind: LedgerKind,
    key: str,
    reference: str | None,
    note: str | None,
) -> LedgerEntry:
    balance_after = await _move_balance(session, user_id, amount)
    values = {
        "user_id": user_id,
        "amount": amount,
        "balance_after": balance_after,
        "kind": kind.value,
        "reference": reference,
        "idempotency_key": key,
        "note": note,
        "created_at": utcnow(),
    }
    entry_id = inserted_id(await session.execute(_INSERT_ENTRY, values))
    return LedgerEntry(id=entry_id, **values)  # the row as written, outside the session


@dataclass(frozen=True, slots=True)
class Credit:
    user_id: int
    amount: Decimal  # > 0
    kind: LedgerKind
    key: str
    reference: str | None = None
    note: str | None = None


async def credit_many(session: AsyncSession, credits: Sequence[Credit]) -> list[Credit]:
    """Apply many positive entries set-based (one UPDATE per user, one multi-row INSERT);
    keys already applied are skipped. Returns the credits applied.

    For the scheduler, which can settle thousands of refunds in one cycle. A key that a racing
    transaction applies between the check and the INSERT fails the unique constraint, and the
    caller's whole transaction rolls back rather than paying twice.
    """
    if any(credit.amount <= 0 for credit in credits):
        raise ValueError("credit_many takes positive amounts only")
    seen = set(
        await session.scalars(
            select(LedgerEntry.idempotency_key).where(
                LedgerEntry.idempotency_key.in_([c.key for c in credits])
            )
        )
    )
    fresh: list[Credit] = []
    for credit in credits:
        if credit.key not in seen:
            seen.add(credit.key)
            fresh.append(credit)
    by_user: dict[int, list[Credit]] = defaultdict(list)
    for credit in fresh:
        by_user[credit.user_id].append(credit)
    rows = []
    for user_id, items in by_user.items():
        balance = await _move_balance(session, user_id, sum((c.amount for c in items), ZERO))
        # Running balances: walk back from the final one.
        after = balance
        for credit in reversed(items):
            rows.append(_row(credit, credit.amount, after))
            after -= credit.amount
    if rows:
        await session.execute(insert(LedgerEntry), rows)
    return fresh


@dataclass(frozen=True, slots=True)
class Debit:
    user_id: int
    amount: Decimal  # > 0, taken from the balance
    kind: LedgerKind
    key: str  # one no entry can have yet: it names a row this transaction just created
    reference: str | None = None
    note: str | None = None


async def debit_many(session: AsyncSession, debits: Sequence[Debit]) -> None:
    """Take many amounts at once, each as its own entry: one guarded UPDATE for every user
    (a balance must cover the sum of its debits), one multi-row INSERT for the entries.

    For a group of new orders (ordering.reserve_group). The keys must be new, like
    `apply(new_key=True)`'s. A balance that does not cover its debits raises
    InsufficientFunds, an unknown user UnknownUser; the other users' balances may have moved
    by then, so the caller must roll its transaction back (leaving the statement, it does).
    """
    if any(debit.amount <= 0 for debit in debits):
        raise ValueError("debit_many takes positive amounts only")
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for debit in debits:
        totals[debit.user_id] += debit.amount
    money = _USERS.c.balance.type
    taken = case(
        {user_id: literal(total, money) for user_id, total in totals.items()},
        value=_USERS.c.id,
    )
    moved = await session.execute(
        update(_USERS)
        .where(_USERS.c.id.in_(list(totals)), _USERS.c.balance >= taken)
        .values(balance=_USERS.c.balance - taken)
        .returning(_USERS.c.id, _USERS.c.balance)
    )
    balances: dict[int, Decimal] = {row.id: row.balance for row in moved}
    for user_id, total in totals.items():
        if user_id not in balances:
            if await session.get(User, user_id) is None:
                raise UnknownUser(user_id)
            raise InsufficientFunds(user_id, total)
    rows = []
    for debit in reversed(debits):  # running balances: walk back from each final one
        after = balances[debit.user_id]
        rows.append(_row(debit, -debit.amount, after))
        balances[debit.user_id] = after + debit.amount
    rows.reverse()
    await session.execute(_INSERT_ENTRY, rows)


def _row(posting: Credit | Debit, amount: Decimal, balance_after: Decimal) -> dict[str, object]:
    return {
        "user_id": posting.user_id,
        "amount": amount,
        "balance_after": balance_after,
        "kind": posting.kind.value,
        "reference": posting.reference,
        "idempotency_key": posting.key,
        "note": posting.note,
        "created_at": utcnow(),
    }


async def _move_balance(session: AsyncSession, user_id: int, amount: Decimal) -> Decimal:
    if amount < 0:
        result = await session.execute(
            _DEBIT_BALANCE, {"user_id": user_id, "amount": amount, "cover": -amount}
        )
    else:
        result = await session.execute(_CREDIT_BALANCE, {"user_id": user_id, "amount": amount})
    balance: Decimal | None = result.scalar_one_or_none()
    if balance is not None:
        return balance
    if await session.get(User, user_id) is None:
        raise UnknownUser(user_id)
    raise InsufficientFunds(user_id, -amount)


async def entry_for_key(session: AsyncSession, key: str) -> LedgerEntry | None:
    return await session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))


_BALANCE = select(_USERS.c.balance).where(_USERS.c.id == bindparam("user_id"))


async def balance_of(session: AsyncSession, user_id: int) -> Decimal:
    balance: Decimal | None = await session.scalar(_BALANCE, {"user_id": user_id})
    if balance is None:
        raise UnknownUser(user_id)
    return balance
