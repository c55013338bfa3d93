"""Manual transfers: the owner's methods (bank account, mobile wallet), the customer's receipts,
and the admins' verdicts.

A receipt is a top-up row (`method=manual`, `pending`) that survives restarts; the admins'
screen lists every pending one. Approving settles it through bot.shop.topups.settle, so two
admins pressing Approve at once credit once; rejecting is a compare-and-set from `pending` too,
so an approval and a rejection racing cannot both happen. Every admin step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import audit, topups
from bot.shop.digits import parse_decimal
from bot.shop.topups import TopupStatus
from storage.models import Payment, TopupMethod, TransferMethod, User

Sessions = async_sessionmaker[AsyncSession]
PROVIDER = "manual"
MAX_NAME = 64
MAX_INSTRUCTIONS = 1000
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Method:
    id: int
    name_en: str
    name_ar: str
    instructions_en: str
    instructions_ar: str
    min_amount: Decimal
    max_amount: Decimal
    rate: Decimal | None
    currency: str | None
    enabled: bool

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en

    def instructions(self, language: str) -> str:
        return self.instructions_ar if language == "ar" else self.instructions_en


def _method(row: TransferMethod) -> Method:
    return Method(
        row.id,
        row.name_en,
        row.name_ar,
        row.instructions_en,
        row.instructions_ar,
        row.min_amount,
        row.max_amount,
        row.rate,
        row.currency,
        row.enabled,
    )


async def methods(sessions: Sessions, *, enabled_only: bool = True) -> list[Method]:
    async with sessions() as session:
        query = select(TransferMethod).order_by(TransferMethod.id)
        if enabled_only:
            query = query.where(TransferMethod.enabled.is_(True))
        return [_method(row) for row in await session.scalars(query)]


async def method(sessions: Sessions, method_id: int) -> Method | None:
    async with sessions() as session:
        row = await session.get(TransferMethod, method_id)
        return _method(row) if row is not None else None


# -- the owner's console ----------------------------------------------------------------------


class SpecProblem(StrEnum):
    SHAPE = "shape"  # not the six (or eight) lines asked for
    AMOUNTS = "amounts"  # min/max/rate not positive numbers, or min > max


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name_en: str
    name_ar: str
    instructions_en: str
    instructions_ar: str
    min_amount: Decimal
    max_amount: Decimal
    rate: Decimal | None = None
    currency: str | None = None


def _clean(text: str, limit: int) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:limit]


def parse_spec(text: str) -> MethodSpec | SpecProblem:
    """The admin's one message describing a method, one field per line: English name, Arabic
    name, English instructions, Arabic instructions, minimum, maximum, and optionally the rate
    (shop currency per unit the customer transfers) and that currency's code."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) not in (6, 8):
        return SpecProblem.SHAPE
    names = [_clean(line, MAX_NAME) for line in lines[:2]]
    texts = [_clean(line, MAX_INSTRUCTIONS) for line in lines[2:4]]
    if not all(names) or not all(texts):
        return SpecProblem.SHAPE
    low, high = parse_decimal(lines[4]), parse_decimal(lines[5])
    rate = parse_decimal(lines[6]) if len(lines) == 8 else None
    currency = _clean(lines[7], 8).upper() if len(lines) == 8 else None
    if low is None or high is None or low <= 0 or high < low or high > 10**9:
        return SpecProblem.AMOUNTS
    if len(lines) == 8 and (rate is None or rate <= 0 or rate > 10**6 or not currency):
        return SpecProblem.AMOUNTS
    return MethodSpec(names[0], names[1], texts[0], texts[1], low, high, rate, currency)


async def add_method(sessions: Sessions, admin_telegram_id: int, spec: MethodSpec) -> Method:
    async with sessions() as session, session.begin():
        row = TransferMethod(
            name_en=spec.name_en,
            name_ar=spec.name_ar,
            instructions_en=spec.instructions_en,
            instructions_ar=spec.instructions_ar,
            min_amount=spec.min_amount,
            max_amount=spec.max_amount,
            rate=spec.rate,
            currency=spec.currency,
            enabled=True,
        )
        session.add(row)
        await session.flush()
        audit.record(
            session,
            admin_telegram_id,
            "transfer_method_add",
            f"transfer_method:{row.id}",
            None,
            {"name": spec.name_en, "min": str(spec.min_amount), "max": str(spec.max_amount)},
        )
        return _method(row)


async def set_enabled(
    sessions: Sessions, admin_telegram_id: int, method_id: int, enabled: bool
) -> bool:
    async with sessions() as session, session.begin():
        row = await session.get(TransferMethod, method_id)
        if row is None:
            return False
        before = row.enabled
        row.enabled = enabled
        audit.record(
            session,
            admin_telegram_id,
            "transfer_method_enable" if enabled else "transfer_method_disable",
            f"transfer_method:{method_id}",
            {"enabled": before},
            {"enabled": enabled},
        )
        return True


# -- the customer's request -------------------------------------------------------------------


class AmountProblem(StrEnum):
    INVALID = "invalid"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"


def parse_amount(text: str, method: Method, precision: int) -> Decimal | AmountProblem:
    """An amount in the method's currency (the shop's when it has no rate)."""
    amount = parse_decimal(text)
    if amount is None or amount <= 0 or not amount.is_finite():
        return AmountProblem.INVALID
    if amount != amount.quantize(Decimal(1).scaleb(-6)):
        return AmountProblem.INVALID
    if amount < method.min_amount:
        return AmountProblem.TOO_SMALL
    if amount > method.max_amount:
        return AmountProblem.TOO_LARGE
    if credit_for(amount, method, precision) <= 0:
        return AmountProblem.TOO_SMALL
    return amount


def credit_for(amount: Decimal, method: Method, precision: int) -> Decimal:
    """What a transfer of `amount` is worth in shop currency: rounded down to the currency's
    precision (the shop never credits more than it received)."""
    value = amount * method.rate if method.rate is not None else amount
    return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_DOWN)


class SubmitStatus(StrEnum):
    SUBMITTED = "submitted"
    TOO_MANY = "too_many"  # TRANSFER_MAX_PENDING receipts already wait
    METHOD_GONE = "method_gone"  # disabled or deleted meanwhile


@dataclass(frozen=True, slots=True)
class Submitted:
    status: SubmitStatus
    payment_id: int = 0
    credit: Decimal = Decimal(0)


async def submit(
    sessions: Sessions,
    *,
    telegram_id: int,
    method_id: int,
    amount: Decimal,
    precision: int,
    receipt_file_id: str,
    receipt_kind: str,
    max_pending: int,
) -> Submitted:
    """Record a receipt for review, unless the customer already has `max_pending` waiting.
    The customer's row is locked (PostgreSQL; SQLite writes one at a time) so two receipts
    sent at once cannot both pass the bound."""
    async with sessions() as session, session.begin():
        row = await session.get(TransferMethod, method_id)
        if row is None or not row.enabled:
            return Submitted(SubmitStatus.METHOD_GONE)
        chosen = _method(row)
        user_id = await session.scalar(
            select(User.id).where(User.telegram_id == telegram_id).with_for_update()
        )
        if user_id is None:
            user = User(telegram_id=telegram_id)
            session.add(user)
            await session.flush()
            user_id = user.id
        waiting = await session.scalar(
            select(func.count()).where(
                Payment.user_id == user_id,
                Payment.method == TopupMethod.MANUAL.value,
                Payment.status == TopupStatus.PENDING.value,
            )
        )
        if (waiting or 0) >= max_pending:
            return Submitted(SubmitStatus.TOO_MANY)
        credit = credit_for(amount, chosen, precision)
        payment = Payment(
            user_id=user_id,
            method=TopupMethod.MANUAL.value,
            provider=PROVIDER,
            currency=(chosen.currency or "")[:8] or "-",
            total_amount=0,
            paid_amount=f"{amount}{' ' + chosen.currency if chosen.currency else ''}"[:64],
            amount=credit,
            credited=Decimal(0),
            transfer_method_id=method_id,
            receipt_file_id=receipt_file_id[:255],
            receipt_kind=receipt_kind[:16],
            status=TopupStatus.PENDING.value,
        )
        session.add(payment)
        await session.flush()
        return Submitted(SubmitStatus.SUBMITTED, payment.id, credit)


# -- the admins' verdicts ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """A receipt as admins and the customer see it."""

    id: int
    telegram_id: int
    language: str | None
    method_name: str
    paid: str  # what the customer says they transferred, as typed, with its currency
    amount: Decimal  # what approving credits (an admin may change it first)
    status: str
    receipt_file_id: str | None
    receipt_kind: str | None
    reason: str | None
    approved_by: int | None


async def _request(session: AsyncSession, payment_id: int) -> Request | None:
    row = (
        await session.execute(
            select(Payment, User.telegram_id, User.language, TransferMethod.name_en)
            .join(User, User.id == Payment.user_id)
            .outerjoin(TransferMethod, TransferMethod.id == Payment.transfer_method_id)
            .where(Payment.id == payment_id, Payment.method == TopupMethod.MANUAL.value)
        )
    ).one_or_none()
    if row is None:
        return None
    payment, telegram_id, language, name = row
    return Request(
        id=payment.id,
        telegram_id=int(telegram_id),
        language=language,
        method_name=name or "?",
        paid=payment.paid_amount or "",
        amount=payment.amount or Decimal(0),
        status=payment.status,
        receipt_file_id=payment.receipt_file_id,
        receipt_kind=payment.receipt_kind,
        reason=payment.reason,
        approved_by=payment.approved_by,
    )


async def request(sessions: Sessions, payment_id: int) -> Request | None:
    async with sessions() as session:
        return await _request(session, payment_id)


async def pending(sessions: Sessions, limit: int = 20) -> list[Request]:
    """The receipts waiting for an admin, oldest first."""
    async with sessions() as session:
        ids = await session.scalars(
            select(Payment.id)
            .where(
                Payment.method == TopupMethod.MANUAL.value,
                Payment.status == TopupStatus.PENDING.value,
            )
            .order_by(Payment.id)
            .limit(limit)
        )
        found = [await _request(session, payment_id) for payment_id in list(ids)]
        return [r for r in found if r is not None]


class Verdict(StrEnum):
    DONE = "done"  # this call approved / rejected / changed it
    ALREADY = "already"  # someone else decided first
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    request: Request | None = None
    balance: Decimal = Decimal(0)


async def approve(
    sessions: Sessions, payment_id: int, admin_telegram_id: int, precision: int = 2
) -> Decision:
    """Credit the receipt's amount, once, whoever presses first (a promo bonus rounded down to
    `precision`, the shop currency's decimals)."""
    async with sessions() as session, session.begin():
        payment = await session.get(Payment, payment_id)
        if payment is None or payment.method != TopupMethod.MANUAL or not payment.amount:
            return Decision(Verdict.NOT_FOUND)
        settled = await topups.settle(
            session,
            payment,
            amount=payment.amount,
            approved_by=admin_telegram_id,
            note=f"transfer approved by {admin_telegram_id}",
            precision=precision,
        )
        if settled.changed:
            audit.record(
                session,
                admin_telegram_id,
                "transfer_approve",
                f"payment:{payment_id}",
                {"status": TopupStatus.PENDING.value},
                {"status": TopupStatus.PAID.value, "amount": str(payment.amount)},
            )
        await session.flush()
        session.expire_all()
        found = await _request(session, payment_id)
    verdict = Verdict.DONE if settled.changed else Verdict.ALREADY
    return Decision(verdict, found, settled.balance)


async def reject(
    sessions: Sessions, payment_id: int, admin_telegram_id: int, reason: str
) -> Decision:
    reason = _clean(reason, MAX_REASON) or "-"
    async with sessions() as session, session.begin():
        moved = await topups.move(
            session,
            payment_id,
            TopupStatus.PENDING.value,
            TopupStatus.REJECTED.value,
            reason=reason,
            approved_by=admin_telegram_id,
        )
        found = await _request(session, payment_id)
        if found is None:
            return Decision(Verdict.NOT_FOUND)
        if moved:
            audit.record(
                session,
                admin_telegram_id,
                "transfer_reject",
                f"payment:{payment_id}",
                {"status": TopupStatus.PENDING.value},
                {"status": TopupStatus.REJECTED.value, "reason": reason},
            )
    return Decision(Verdict.DONE if moved else Verdict.ALREADY, found)


async def set_amount(
    sessions: Sessions, payment_id: int, admin_telegram_id: int, amount: Decimal
) -> Decision:
    """Change what approving will credit, while the receipt still waits."""
    async with sessions() as session, session.begin():
        before = await _request(session, payment_id)
        if before is None:
            return Decision(Verdict.NOT_FOUND)
        moved = await topups.move(
            session,
            payment_id,
            TopupStatus.PENDING.value,
            TopupStatus.PENDING.value,
            amount=amount,
        )
        if moved:
            audit.record(
                session,
                admin_telegram_id,
                "transfer_amount",
                f"payment:{payment_id}",
                {"amount": str(before.amount)},
                {"amount": str(amount)},
            )
        session.expire_all()
        found = await _request(session, payment_id)
    return Decision(Verdict.DONE if moved else Verdict.ALREADY, found)
