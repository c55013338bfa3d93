"""Top-ups through Crypto Pay: an invoice per top-up, credited once when it is paid.

A top-up row (`method=crypto`, `pending`) is written first, so the invoice's payload can name
it: `cp1:<payment id>:<telegram id>:<amount>`. The payload binds the invoice to its customer
and amount; a paid invoice is honoured only when its payload is exactly the one stored on the
row. Payment is learned from the webhook or from polling the active invoices, in any order and
any number of times: bot.shop.topups.settle credits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.shop import topups
from bot.shop.crypto_pay import CryptoInvoice, CryptoPayClient, CryptoPayError
from bot.shop.topups import TopupStatus
from storage.models import Payment, TopupMethod, User
from storage.types import utcnow

Sessions = async_sessionmaker[AsyncSession]
PROVIDER = "crypto_pay"
PAYLOAD_PREFIX = "cp1"
FAILED = "failed"  # createInvoice did not answer with an invoice: nothing to pay
POLL_BATCH = 100


@dataclass(frozen=True, slots=True)
class NewInvoice:
    payment_id: int
    invoice_id: int
    pay_url: str


async def create(
    sessions: Sessions,
    client: CryptoPayClient,
    settings: Settings,
    *,
    telegram_id: int,
    amount: Decimal,
    description: str,
) -> NewInvoice:
    """Record the top-up, then ask Crypto Pay for its invoice. Raises CryptoPayError (the row
    is then marked failed)."""
    expires_in = settings.crypto_pay_invoice_minutes * 60
    async with sessions() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        if user_id is None:
            user = User(telegram_id=telegram_id)
            session.add(user)
            await session.flush()
            user_id = user.id
        payment = Payment(
            user_id=user_id,
            method=TopupMethod.CRYPTO.value,
            provider=PROVIDER,
            currency=settings.crypto_fiat,
            total_amount=0,
            amount=amount,
            credited=Decimal(0),
            status=TopupStatus.PENDING.value,
            expires_at=utcnow() + timedelta(seconds=expires_in),
        )
        session.add(payment)
        await session.flush()
        payment.payload = f"{PAYLOAD_PREFIX}:{payment.id}:{telegram_id}:{amount}"
        payment_id, payload = payment.id, payment.payload
    try:
        invoice = await client.create_invoice(
            amount=settings.crypto_invoice_amount(amount),
            fiat=settings.crypto_fiat,
            assets=settings.crypto_pay_assets,
            payload=payload,
            description=description,
            expires_in=expires_in,
        )
    except CryptoPayError:
        async with sessions() as session, session.begin():
            await topups.move(session, payment_id, TopupStatus.PENDING.value, FAILED)
        raise
    async with sessions() as session, session.begin():
        row = await session.get(Payment, payment_id)
        assert row is not None
        row.external_id = str(invoice.invoice_id)
        row.pay_url = invoice.pay_url
    assert invoice.pay_url is not None
    return NewInvoice(payment_id, invoice.invoice_id, invoice.pay_url)


def _payment_id(payload: str | None) -> int | None:
    parts = (payload or "").split(":")
    if len(parts) != 4 or parts[0] != PAYLOAD_PREFIX or not parts[1].isascii():
        return None
    return int(parts[1]) if parts[1].isdigit() and len(parts[1]) < 18 else None


class PaidStatus(StrEnum):
    CREDITED = "credited"
    DUPLICATE = "duplicate"  # credited before (a redelivery, the poll and the webhook racing)
    UNKNOWN = "unknown"  # not an invoice of ours, or its payload does not match


@dataclass(frozen=True, slots=True)
class Paid:
    status: PaidStatus
    telegram_id: int = 0
    amount: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    payment_id: int = 0


async def settle_paid(sessions: Sessions, invoice: CryptoInvoice, precision: int = 2) -> Paid:
    """Credit a paid invoice, exactly once (a promo bonus rounded down to `precision`, the
    shop currency's decimals)."""
    if invoice.status != "paid":
        return Paid(PaidStatus.UNKNOWN)
    payment_id = _payment_id(invoice.payload)
    if payment_id is None:
        return Paid(PaidStatus.UNKNOWN)
    async with sessions() as session, session.begin():
        payment = await session.get(Payment, payment_id)
        if (
            payment is None
            or payment.method != TopupMethod.CRYPTO
            or payment.payload != invoice.payload
            or payment.external_id not in (None, str(invoice.invoice_id))
            or payment.amount is None
        ):
            return Paid(PaidStatus.UNKNOWN)
        telegram_id = await session.scalar(
            select(User.telegram_id).where(User.id == payment.user_id)
        )
        paid_as = " ".join(p for p in (invoice.paid_amount, invoice.paid_asset) if p) or None
        # An invoice the poll saw expire may still be paid late: Crypto Pay's word wins.
        settled = None
        for waiting in (TopupStatus.PENDING.value, TopupStatus.EXPIRED.value):
            settled = await topups.settle(
                session,
                payment,
                amount=payment.amount,
                from_status=waiting,
                paid_amount=paid_as,
                note=f"Crypto Pay invoice {invoice.invoice_id}",
                precision=precision,
            )
            if settled.changed:
                break
        assert settled is not None
        if payment.external_id is None:
            payment.external_id = str(invoice.invoice_id)
        status = PaidStatus.CREDITED if settled.changed else PaidStatus.DUPLICATE
        return Paid(status, int(telegram_id or 0), payment.amount, settled.balance, payment.id)


@dataclass(frozen=True, slots=True)
class Expired:
    telegram_id: int
    amount: Decimal
    payment_id: int


@dataclass(frozen=True, slots=True)
class PollReport:
    paid: list[Paid]
    expired: list[Expired]


async def poll(sessions: Sessions, client: CryptoPayClient, precision: int = 2) -> PollReport:
    """Ask Crypto Pay about every waiting invoice: credit the paid ones, close the expired."""
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Payment.id, Payment.external_id)
                .where(
                    Payment.method == TopupMethod.CRYPTO.value,
                    Payment.status == TopupStatus.PENDING.value,
                    Payment.external_id.is_not(None),
                )
                .order_by(Payment.id)
            )
        ).all()
    ids = {
        int(external): payment_id
        for payment_id, external in rows
        if external is not None and external.isdigit() and len(external) < 18
    }
    paid: list[Paid] = []
    expired: list[Expired] = []
    numbers = sorted(ids)
    for start in range(0, len(numbers), POLL_BATCH):
        for invoice in await client.get_invoices(numbers[start : start + POLL_BATCH]):
            payment_id = ids.get(invoice.invoice_id)
            if payment_id is None:
                continue
            if invoice.status == "paid":
                outcome = await settle_paid(sessions, invoice, precision)
                if outcome.status is PaidStatus.CREDITED:
                    paid.append(outcome)
            elif invoice.status == "expired":
                gone = await expire(sessions, payment_id)
                if gone is not None:
                    expired.append(gone)
    return PollReport(paid, expired)


async def expire(sessions: Sessions, payment_id: int) -> Expired | None:
    """Close a waiting invoice that Crypto Pay reports expired; None if it was not waiting."""
    async with sessions() as session, session.begin():
        if not await topups.move(
            session, payment_id, TopupStatus.PENDING.value, TopupStatus.EXPIRED.value
        ):
            return None
        row = (
            await session.execute(
                select(User.telegram_id, Payment.amount)
                .join(User, User.id == Payment.user_id)
                .where(Payment.id == payment_id)
            )
        ).one()
        return Expired(int(row[0]), row[1] or Decimal(0), payment_id)
