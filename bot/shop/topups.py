"""The one way a top-up reaches a balance, whatever paid it (Stars, Crypto Pay, a transfer).

Every top-up is a `payments` row. `settle` moves it from its waiting status to `paid` by a
compare-and-set (`UPDATE … WHERE id = ? AND status = ?`, checked by rows matched) and, only when
this call won that transition, writes the ledger entry under the top-up's own key in the same
transaction. A duplicate webhook delivery, a poll racing the webhook, two admins approving at
once: all but one find the status moved and change nothing; and should two transactions ever
both pass the status check, the ledger key stops the second credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.shop import ledger, promos
from storage.db import changed_rows
from storage.models import LedgerKind, Payment, TopupMethod
from storage.types import utcnow


class TopupStatus(StrEnum):
    """The statuses every method shares (Stars adds its refund statuses, bot.shop.payments)."""

    PENDING = "pending"  # waiting: an invoice not paid yet, a receipt not reviewed yet
    PAID = "paid"  # credited
    REJECTED = "rejected"  # an admin refused the receipt
    EXPIRED = "expired"  # the invoice expired unpaid


def ledger_key(payment: Payment) -> str:
    """The top-up's ledger key. Stars keep the key they always had (`topup:<charge id>`)."""
    if payment.method == TopupMethod.STARS and payment.telegram_payment_charge_id:
        return f"topup:{payment.telegram_payment_charge_id}"
    return f"topup:{payment.method}:{payment.id}"


def reference(payment: Payment) -> str:
    """What the balance history shows as the entry's reference: method and provider ID."""
    if payment.method == TopupMethod.STARS:
        return f"stars:{payment.telegram_payment_charge_id}"[:128]
    if payment.method == TopupMethod.CRYPTO:
        return f"crypto:{payment.external_id}"[:128]
    return f"manual:{payment.id}"


@dataclass(frozen=True, slots=True)
class Settlement:
    """The outcome of settle(): whether this call credited, and the balance after."""

    changed: bool
    credited: Decimal
    balance: Decimal
    bonus: Decimal | None = None  # a promo code's top-up bonus paid with it (bot.shop.promos)


async def settle(
    session: AsyncSession,
    payment: Payment,
    *,
    amount: Decimal,
    from_status: str = TopupStatus.PENDING.value,
    approved_by: int | None = None,
    paid_amount: str | None = None,
    note: str | None = None,
    precision: int = 2,
) -> Settlement:
    """Credit `amount` for `payment` exactly once, inside the caller's transaction.

    Nothing happens (changed=False) when the payment is no longer in `from_status`: someone
    else settled, rejected or expired it first. A pending promo bonus is paid with the credit
    that won, in the same transaction, rounded down to `precision` decimals."""
    if amount <= 0:
        raise ValueError("a top-up credits a positive amount")
    values: dict[str, object] = {
        "status": TopupStatus.PAID.value,
        "credited": amount,
        "amount": amount,
        "settled_at": utcnow(),
    }
    if approved_by is not None:
        values["approved_by"] = approved_by
    if paid_amount is not None:
        values["paid_amount"] = paid_amount[:64]
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not changed_rows(result):
        return Settlement(False, Decimal(0), await ledger.balance_of(session, payment.user_id))
    posting = await ledger.apply(
        session,
        user_id=payment.user_id,
        amount=amount,
        kind=LedgerKind.TOPUP,
        key=ledger_key(payment),
        reference=reference(payment),
        note=note,
    )
    if not posting.applied:
        return Settlement(False, Decimal(0), posting.entry.balance_after)
    bonus = await promos.apply_topup_bonus(
        session, payment.user_id, amount, reference(payment), precision=precision
    )
    balance = posting.entry.balance_after
    if bonus is not None:
        balance = await ledger.balance_of(session, payment.user_id)
    return Settlement(True, amount, balance, bonus)


async def move(
    session: AsyncSession, payment_id: int, old: str, new: str, **values: object
) -> bool:
    """Compare-and-set on a top-up's status (a rejection, an expiry): True if this call won."""
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment_id, Payment.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(changed_rows(result))


@dataclass(frozen=True, slots=True)
class MethodTotal:
    method: str
    count: int
    credited: Decimal


async def totals_by_method(session: AsyncSession) -> list[MethodTotal]:
    """Credited top-ups per method, for the admin's stats."""
    rows = await session.execute(
        select(Payment.method, func.count(), func.coalesce(func.sum(Payment.credited), 0))
        .where(Payment.credited > 0)
        .group_by(Payment.method)
        .order_by(Payment.method)
    )
    totals = []
    for method, count, credited in rows:
        value = credited if isinstance(credited, Decimal) else Decimal(0)
        totals.append(MethodTotal(method, int(count), value))
    return totals
