"""Balance movements made by hand (admin credits and debits) and the customer's statement.

A credit or debit is one ledger entry under the key of the admin's command message plus an
audit row, in one transaction: a replayed update finds the key and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import audit, ledger
from bot.shop.digits import parse_decimal, parse_int
from storage.models import LedgerEntry, LedgerKind, User

STATEMENT_SIZE = 10


# -- parsing the admin's command -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditCommand:
    telegram_id: int
    amount: Decimal  # signed: negative is a debit
    reason: str | None


def parse_amount(text: str, precision: int) -> Decimal | None:
    """A non-zero amount with at most `precision` decimals (Arabic digits welcome)."""
    amount = parse_decimal(text)
    if amount is None or amount == 0:
        return None
    quantum = Decimal(1).scaleb(-precision)
    if amount != amount.quantize(quantum):
        return None  # finer than the currency allows: refuse rather than round silently
    return amount.quantize(quantum)


def parse_command(args: str | None, precision: int) -> CreditCommand | None:
    """`USER_ID AMOUNT [reason…]`; None when the arguments do not make sense."""
    parts = (args or "").split(maxsplit=2)
    if len(parts) < 2:
        return None
    telegram_id = parse_int(parts[0])
    amount = parse_amount(parts[1], precision)
    if telegram_id is None or telegram_id <= 0 or amount is None:
        return None
    reason = parts[2].strip()[:500] if len(parts) > 2 and parts[2].strip() else None
    return CreditCommand(telegram_id, amount, reason)


# -- applying it ------------------------------------------------------------------------------


class CreditStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this command message was handled before
    UNKNOWN_USER = "unknown_user"
    INSUFFICIENT = "insufficient"  # a debit larger than the balance


@dataclass(frozen=True, slots=True)
class CreditResult:
    status: CreditStatus
    amount: Decimal
    balance: Decimal | None = None  # after the entry (or now, when refused)
    language: str | None = None  # the customer's, for their notification


async def apply_credit(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_telegram_id: int,
    command: CreditCommand,
    key: str,
) -> CreditResult:
    """Credit (or debit, when negative) a customer once per `key`, with an audit row."""
    amount = command.amount
    kind = LedgerKind.CREDIT if amount > 0 else LedgerKind.DEBIT
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.telegram_id == command.telegram_id))
        if user is None:
            return CreditResult(CreditStatus.UNKNOWN_USER, amount)
        try:
            posting = await ledger.apply(
                session,
                user_id=user.id,
                amount=amount,
                kind=kind,
                key=key,
                reference=f"admin:{admin_telegram_id}",
                note=command.reason,
            )
        except ledger.InsufficientFunds:
            return CreditResult(
                CreditStatus.INSUFFICIENT,
                amount,
                await ledger.balance_of(session, user.id),
                user.language,
            )
        after = posting.entry.balance_after
        if not posting.applied:
            return CreditResult(CreditStatus.DUPLICATE, posting.entry.amount, after, user.language)
        audit.record(
            session,
            admin_telegram_id,
            "credit",
            f"user:{command.telegram_id}",
            {"balance": str(after - amount)},
            {
                "balance": str(after),
                "amount": str(amount),
                "kind": kind.value,
                "reason": command.reason,
                "key": key,
            },
        )
    return CreditResult(CreditStatus.APPLIED, amount, after, user.language)


# -- the customer's statement -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementLine:
    created_at: datetime
    amount: Decimal
    kind: LedgerKind
    order_id: int | None  # for order payments and their refunds
    key: str = ""  # the entry's idempotency key (a Stars refund's says whether it is confirmed)
    method: str = ""  # a top-up's method (stars, crypto, manual), from its reference


@dataclass(frozen=True, slots=True)
class Statement:
    balance: Decimal
    lines: list[StatementLine]


async def statement(
    sessions: async_sessionmaker[AsyncSession], user_id: int, limit: int = STATEMENT_SIZE
) -> Statement:
    """The balance and the latest ledger entries, newest first."""
    async with sessions() as session:
        balance = await ledger.balance_of(session, user_id)
        entries = await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.id.desc())
            .limit(limit)
        )
        lines = [_line(entry) for entry in entries]
    return Statement(balance, lines)


def _line(entry: LedgerEntry) -> StatementLine:
    reference = entry.reference or ""
    order_id = None
    if reference.startswith("order:") and reference[6:].isdigit():
        order_id = int(reference[6:])
    kind = LedgerKind(entry.kind)
    method = ""
    if kind is LedgerKind.TOPUP:
        method = reference.partition(":")[0] if ":" in reference else ""
    return StatementLine(
        entry.created_at, entry.amount, kind, order_id, entry.idempotency_key, method
    )
