"""Balance top-ups paid in Telegram Stars: quotes, signed invoice payloads, exactly-once
credits, and refunds (admin-initiated and Telegram-initiated).

The invoice payload is all the shop knows about a checkout until the money arrives, so it is
signed: `v1|telegram_id|amount|stars|nonce|mac`, the MAC an HMAC-SHA256 over everything before
it. Nothing is stored when an invoice is sent; a forged or altered payload fails the MAC.

Exactly once: a credit is a Payment row (unique telegram_payment_charge_id, method `stars`)
settled by bot.shop.topups.settle (the one credit path of every method: ledger entry
`topup:<charge>`) in one transaction. A refund moves the payment `paid → refunding → refunded` by
compare-and-set, and its debit is the entry `stars-refund:<charge>`: the admin path and the
Telegram-initiated path share that key and the status, so the two can never both apply.

The customer's history shows a refund only once Telegram confirmed it: until then the reserved
debit is shown as held for a refund, and when Telegram refuses, the hold and its release are
shown as such (`refund_lines`). The balance is the ledger's either way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import MAX_STARS_PER_INVOICE as MAX_STARS_PER_INVOICE
from bot.money import stars_for as stars_for
from bot.shop import audit, ledger, promos, topups
from bot.shop.digits import parse_decimal
from storage.db import changed_rows
from storage.models import LedgerEntry, LedgerKind, Payment, TopupMethod, User
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.config import Settings

STARS = "XTR"
PROVIDER = "telegram_stars"
PAYLOAD_VERSION = "v1"
MAC_CHARS = 22  # 132 bits of the HMAC, base64url
PRESET_STEPS = (5, 10, 25, 50, 100)  # × a power of ten that fits TOPUP_MIN (see presets)
Sessions = async_sessionmaker[AsyncSession]


class PaymentStatus(StrEnum):
    PENDING = "pending"  # a Stars row is written pending and settled at once (bot.shop.topups)
    PAID = "paid"
    REFUNDING = "refunding"  # debit reserved, refundStarPayment called or about to be
    REFUNDED = "refunded"
    REFUNDED_SHORT = "refunded_short"  # Telegram refunded; part was already spent (shortfall)
    REFUND_FAILED = "refund_failed"  # Telegram refused our refund; the debit was restored
    UNMATCHED = "unmatched"  # paid with a payload we cannot read: nothing credited


# -- quotes -----------------------------------------------------------------------------------


def presets(settings: Settings) -> list[Decimal]:
    """The quick amounts: 5, 10, 25, 50, 100 scaled by a power of ten so the first one is at
    least TOPUP_MIN (a shop in IQD gets 5,000…), then cut at TOPUP_MAX."""
    scale = Decimal(1)
    while PRESET_STEPS[0] * scale < settings.topup_min:
        scale *= 10
    quantum = Decimal(1).scaleb(-settings.currency_precision)
    return [
        (step * scale).quantize(quantum)
        for step in PRESET_STEPS
        if step * scale <= settings.topup_max
    ]


class AmountProblem(StrEnum):
    INVALID = "invalid"
    TOO_PRECISE = "too_precise"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"


def parse_topup_amount(text: str, settings: Settings) -> Decimal | AmountProblem:
    """A typed amount (Arabic digits welcome) within TOPUP_MIN..TOPUP_MAX, at most the
    currency's decimals."""
    amount = parse_decimal(text)
    if amount is None or amount <= 0:
        return AmountProblem.INVALID
    quantum = Decimal(1).scaleb(-settings.currency_precision)
    if amount != amount.quantize(quantum):
        return AmountProblem.TOO_PRECISE  # refuse rather than round money silently
    if amount < settings.topup_min:
        return AmountProblem.TOO_SMALL
    if amount > settings.topup_max:
        return AmountProblem.TOO_LARGE
    return amount.quantize(quantum)


# -- the signed payload -----------------------------------------------------------------------


def payload_key(settings: Settings) -> bytes:
    """PAYMENT_PAYLOAD_SECRET, or a key derived from the bot token: no extra configuration,
    and a leaked key dies with a revoked token."""
    secret = settings.payment_payload_secret
    if secret is not None and secret.get_secret_value():
        return secret.get_secret_value().encode()
    token = settings.bot_token.get_secret_value().encode()
    return hmac.new(token, b"smm-shop/stars-invoice-payload", hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Invoice:
    """What a payload promises: `amount` of shop currency to `telegram_id` for `stars`."""

    telegram_id: int
    amount: Decimal
    stars: int
    nonce: str


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def sign(key: bytes, telegram_id: int, amount: Decimal, stars: int) -> str:
    nonce = secrets.token_urlsafe(6)  # two invoices for the same amount stay distinct
    body = f"{PAYLOAD_VERSION}|{telegram_id}|{amount}|{stars}|{nonce}"
    payload = f"{body}|{_mac(key, body)}"
    assert len(payload.encode()) <= 128, "Telegram's payload limit"
    return payload


def verify(key: bytes, payload: str) -> Invoice | None:
    """The invoice a payload stands for, or None when it is malformed or not ours."""
    parts = payload.split("|")
    if len(parts) != 6 or parts[0] != PAYLOAD_VERSION:
        return None
    body, mac = payload.rsplit("|", 1)
    if not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        return None
    _, telegram_id, amount, stars, nonce = body.split("|")
    try:
        invoice = Invoice(int(telegram_id), Decimal(amount), int(stars), nonce)
    except (ValueError, InvalidOperation):
        return None
    if invoice.amount <= 0 or invoice.stars <= 0 or not invoice.amount.is_finite():
        return None
    return invoice


# -- pre-checkout (no I/O: Telegram gives us 10 seconds) --------------------------------------


class Refusal(StrEnum):
    INVALID = "invalid"  # forged, altered or foreign payload
    WRONG_USER = "wrong_user"  # someone else's invoice (forwarded)
    WRONG_TOTAL = "wrong_total"  # currency or total does not match the signed quote
    BANNED = "banned"


def check_checkout(
    key: bytes,
    *,
    payload: str,
    telegram_id: int,
    currency: str,
    total_amount: int,
    banned: bool,
) -> Invoice | Refusal:
    """Whether a checkout may proceed: pure, so the handler answers at once."""
    invoice = verify(key, payload)
    if invoice is None:
        return Refusal.INVALID
    if invoice.telegram_id != telegram_id:
        return Refusal.WRONG_USER
    if currency != STARS or total_amount != invoice.stars:
        return Refusal.WRONG_TOTAL
    if banned:
        return Refusal.BANNED
    return invoice


async def is_banned(sessions: Sessions, telegram_id: int) -> bool:
    """The one read a pre-checkout makes: fresh, not the middleware's few-seconds-old row."""
    async with sessions() as session:
        return bool(
            await session.scalar(select(User.is_banned).where(User.telegram_id == telegram_id))
        )


# -- the successful payment -------------------------------------------------------------------


class CreditStatus(StrEnum):
    CREDITED = "credited"
    DUPLICATE = "duplicate"  # this charge was handled before (Telegram redelivered it)
    UNMATCHED = "unmatched"  # money arrived with a payload we cannot honour: admins look


@dataclass(frozen=True, slots=True)
class CreditResult:
    status: CreditStatus
    amount: Decimal  # credited
    stars: int
    balance: Decimal | None = None
    bonus: Decimal | None = None  # a promo code's top-up bonus paid with it


def topup_ref(charge_id: str) -> str:
    """How a Stars top-up is named to bot.shop.promos (its bonus key)."""
    return f"stars:{charge_id}"


async def credit_payment(
    sessions: Sessions,
    key: bytes,
    *,
    telegram_id: int,
    payload: str,
    currency: str,
    total_amount: int,
    charge_id: str,
    provider_charge_id: str | None = None,
    precision: int = 2,
) -> CreditResult:
    """Record a successful payment and credit it, once per charge id.

    The payload is verified again: it is what fixes the amount. A payment we cannot match
    (should not happen after our pre-checkout) is still recorded, uncredited, for the admins.
    """
    invoice = verify(key, payload)
    matched = (
        invoice is not None
        and invoice.telegram_id == telegram_id
        and currency == STARS
        and invoice.stars == total_amount
    )
    amount = invoice.amount if matched and invoice is not None else Decimal(0)
    async with sessions() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        if user_id is None:  # the middleware creates customers on contact; be safe anyway
            user = User(telegram_id=telegram_id)
            session.add(user)
            await session.flush()
            user_id = user.id
        existing = await _payment(session, charge_id)
        if existing is not None:
            return await _duplicate(session, existing)
        payment = Payment(
            user_id=user_id,
            provider=PROVIDER,
            currency=currency,
            total_amount=total_amount,
            credited=amount,
            telegram_payment_charge_id=charge_id,
            provider_payment_charge_id=provider_charge_id or None,
            payload=payload[:256],
            method=TopupMethod.STARS.value,
            amount=amount if matched else None,
            status=PaymentStatus.PENDING if matched else PaymentStatus.UNMATCHED,
        )
        try:
            async with session.begin_nested():  # a racing twin inserted it first
                session.add(payment)
                await session.flush()
        except IntegrityError:
            existing = await _payment(session, charge_id)
            if existing is None:
                raise
            return await _duplicate(session, existing)
        if not matched:
            return CreditResult(CreditStatus.UNMATCHED, amount, total_amount)
        settled = await topups.settle(
            session, payment, amount=amount, note=f"{total_amount} XTR", precision=precision
        )
    return CreditResult(CreditStatus.CREDITED, amount, total_amount, settled.balance, settled.bonus)


async def _payment(session: AsyncSession, charge_id: str) -> Payment | None:
    return await session.scalar(
        select(Payment).where(Payment.telegram_payment_charge_id == charge_id)
    )


async def _duplicate(session: AsyncSession, payment: Payment) -> CreditResult:
    balance = await ledger.balance_of(session, payment.user_id)
    return CreditResult(CreditStatus.DUPLICATE, payment.credited, payment.total_amount, balance)


# -- refunds ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment as the refund paths report it."""

    charge_id: str
    telegram_id: int
    language: str | None
    stars: int
    credited: Decimal
    status: PaymentStatus
    balance: Decimal


class ReserveStatus(StrEnum):
    RESERVED = "reserved"  # debit taken now: call refundStarPayment
    RETRY = "retry"  # reserved earlier, outcome unknown: call refundStarPayment again
    NOT_FOUND = "not_found"
    SPENT = "spent"  # the balance no longer covers the credited amount
    DONE = "done"  # already refunded, refused before, or unmatched-and-refunded


@dataclass(frozen=True, slots=True)
class Reservation:
    status: ReserveStatus
    payment: PaymentView | None = None


REFUND_PREFIX = "stars-refund:"
RESTORE_PREFIX = "stars-refund-restore:"
TELEGRAM_SUFFIX = ":telegram"  # the Telegram-initiated refund after a refused admin refund


def refund_key(charge_id: str) -> str:
    return f"{REFUND_PREFIX}{charge_id}"


def restore_key(charge_id: str) -> str:
    return f"{RESTORE_PREFIX}{charge_id}"


class RefundLine(StrEnum):
    """What a Stars-refund ledger entry is, as the customer's history shows it."""

    REFUNDED = "refunded"  # Telegram confirmed: the Stars went back
    HELD = "held"  # reserved for a refund Telegram has not confirmed (or refused: see RELEASED)
    RELEASED = "released"  # the hold given back after Telegram refused


async def refund_lines(sessions: Sessions, keys: list[str]) -> dict[str, RefundLine]:
    """For each Stars-refund ledger key of `keys`, whether it is a confirmed refund."""
    lines: dict[str, RefundLine] = {}
    reservations: dict[str, str] = {}  # charge id -> the reservation's key
    for key in keys:
        if key.startswith(RESTORE_PREFIX):
            lines[key] = RefundLine.RELEASED
        elif key.startswith(REFUND_PREFIX) and key.endswith(TELEGRAM_SUFFIX):
            lines[key] = RefundLine.REFUNDED  # Telegram told us it refunded
        elif key.startswith(REFUND_PREFIX):
            reservations[key.removeprefix(REFUND_PREFIX)] = key
    if not reservations:
        return lines
    async with sessions() as session:
        rows = await session.execute(
            select(Payment.telegram_payment_charge_id, Payment.status).where(
                Payment.telegram_payment_charge_id.in_(list(reservations))
            )
        )
        statuses: dict[str, str] = {charge: status for charge, status in rows if charge}
        restored = set(
            await session.scalars(
                select(LedgerEntry.idempotency_key).where(
                    LedgerEntry.idempotency_key.in_([restore_key(c) for c in reservations])
                )
            )
        )
    confirmed = (PaymentStatus.REFUNDED.value, PaymentStatus.REFUNDED_SHORT.value)
    for charge_id, key in reservations.items():
        done = statuses.get(charge_id) in confirmed and restore_key(charge_id) not in restored
        lines[key] = RefundLine.REFUNDED if done else RefundLine.HELD
    return lines


class _Spent(Exception):
    """Rolls the whole reservation back (status change included)."""


async def reserve_refund(
    sessions: Sessions, *, charge_id: str, admin_telegram_id: int
) -> Reservation:
    """Step one of an admin refund: debit the credited amount and mark the payment
    `refunding`, in one transaction, before Telegram is asked to return the Stars."""
    try:
        async with sessions() as session, session.begin():
            payment = await _payment(session, charge_id)
            if payment is None:
                return Reservation(ReserveStatus.NOT_FOUND)
            status = PaymentStatus(payment.status)
            if status is PaymentStatus.REFUNDING:
                return Reservation(ReserveStatus.RETRY, await _view(session, payment))
            if status not in (PaymentStatus.PAID, PaymentStatus.UNMATCHED) or not await _move(
                session, payment, status, PaymentStatus.REFUNDING
            ):
                await session.refresh(payment)
                return Reservation(ReserveStatus.DONE, await _view(session, payment))
            if payment.credited > 0:
                try:
                    await ledger.apply(
                        session,
                        user_id=payment.user_id,
                        amount=-payment.credited,
                        kind=LedgerKind.PAYMENT_REFUND,
                        key=refund_key(charge_id),
                        reference=f"stars:{charge_id}"[:128],
                        note=f"refund by admin {admin_telegram_id}",
                    )
                except ledger.InsufficientFunds:
                    raise _Spent from None
            await promos.take_back_bonus(session, topup_ref(charge_id))
            _audit(session, admin_telegram_id, payment, PaymentStatus.REFUNDING)
            view = await _view(session, payment, PaymentStatus.REFUNDING)
    except _Spent:
        async with sessions() as session:
            payment = await _payment(session, charge_id)
            assert payment is not None
            return Reservation(ReserveStatus.SPENT, await _view(session, payment))
    return Reservation(ReserveStatus.RESERVED, view)


class RefundOutcome(StrEnum):
    REFUNDED = "refunded"  # Telegram returned the Stars (or had already)
    REFUSED = "refused"  # Telegram refused for good: the debit is restored
    UNKNOWN = "unknown"  # no answer: stays `refunding`, debit held; the admin can retry


async def finish_refund(
    sessions: Sessions,
    *,
    charge_id: str,
    admin_telegram_id: int,
    outcome: RefundOutcome,
    error: str | None = None,
) -> PaymentView | None:
    """Step two: settle the reservation after Telegram answered (or did not)."""
    async with sessions() as session, session.begin():
        payment = await _payment(session, charge_id)
        if payment is None:
            return None
        if outcome is RefundOutcome.REFUNDED:
            if await _move(session, payment, PaymentStatus.REFUNDING, PaymentStatus.REFUNDED):
                _audit(session, admin_telegram_id, payment, "refunded")
        elif outcome is RefundOutcome.REFUSED:
            if await _move(session, payment, PaymentStatus.REFUNDING, PaymentStatus.REFUND_FAILED):
                if payment.credited > 0:
                    await ledger.apply(
                        session,
                        user_id=payment.user_id,
                        amount=payment.credited,
                        kind=LedgerKind.PAYMENT_REFUND,
                        key=restore_key(charge_id),
                        reference=f"stars:{charge_id}"[:128],
                        note=(error or "")[:500] or None,
                    )
                await promos.restore_bonus(session, topup_ref(charge_id))
                _audit(session, admin_telegram_id, payment, "refund_failed", error)
        else:
            _audit(session, admin_telegram_id, payment, "unknown", error)
        await session.refresh(payment)
        return await _view(session, payment)


class TelegramRefundStatus(StrEnum):
    DEBITED = "debited"  # all of it taken back from the balance
    SHORTFALL = "shortfall"  # part was spent already: admins are told
    CONFIRMED = "confirmed"  # our own admin refund, confirmed by Telegram
    DUPLICATE = "duplicate"  # handled before
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class TelegramRefund:
    status: TelegramRefundStatus
    debited: Decimal = Decimal(0)
    shortfall: Decimal = Decimal(0)
    payment: PaymentView | None = None


async def apply_telegram_refund(sessions: Sessions, *, charge_id: str) -> TelegramRefund:
    """Telegram says it refunded a payment (Message.refunded_payment): take back what is still
    on the balance, never below zero, exactly once."""
    async with sessions() as session, session.begin():
        payment = await _payment(session, charge_id)
        if payment is None:
            return TelegramRefund(TelegramRefundStatus.NOT_FOUND)
        status = PaymentStatus(payment.status)
        if status is PaymentStatus.REFUNDING:  # our reservation already holds the debit
            await _move(session, payment, status, PaymentStatus.REFUNDED)
            return TelegramRefund(
                TelegramRefundStatus.CONFIRMED,
                payment=await _view(session, payment, PaymentStatus.REFUNDED),
            )
        if status not in (PaymentStatus.PAID, PaymentStatus.UNMATCHED, PaymentStatus.REFUND_FAILED):
            return TelegramRefund(TelegramRefundStatus.DUPLICATE)
        # Lock the balance (PostgreSQL) so an order cannot slip between the read and the debit.
        balance = await session.scalar(
            select(User.balance).where(User.id == payment.user_id).with_for_update()
        )
        debit = min(payment.credited, balance or Decimal(0))
        shortfall = payment.credited - debit
        final = PaymentStatus.REFUNDED_SHORT if shortfall > 0 else PaymentStatus.REFUNDED
        if not await _move(session, payment, status, final):
            return TelegramRefund(TelegramRefundStatus.DUPLICATE)
        if debit > 0:
            # After a refused admin refund the shared key is spent: its restore undid it.
            key = refund_key(charge_id) + (
                TELEGRAM_SUFFIX if status is PaymentStatus.REFUND_FAILED else ""
            )
            await ledger.apply(
                session,
                user_id=payment.user_id,
                amount=-debit,
                kind=LedgerKind.PAYMENT_REFUND,
                key=key,
                reference=f"stars:{charge_id}"[:128],
                note="refunded by Telegram" + (f"; shortfall {shortfall}" if shortfall else ""),
            )
        await promos.take_back_bonus(session, topup_ref(charge_id))  # once: a no-op after a hold
        view = await _view(session, payment, final)
    kind = TelegramRefundStatus.SHORTFALL if shortfall > 0 else TelegramRefundStatus.DEBITED
    return TelegramRefund(kind, debit, shortfall, view)


async def _move(
    session: AsyncSession, payment: Payment, old: PaymentStatus, new: PaymentStatus
) -> bool:
    """Compare-and-set on the payment's status: only one path wins a transition."""
    values: dict[str, object] = {"status": new.value}
    if new in (PaymentStatus.REFUNDED, PaymentStatus.REFUNDED_SHORT):
        values["refunded_at"] = utcnow()
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == old.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(changed_rows(result))


async def _view(
    session: AsyncSession, payment: Payment, status: PaymentStatus | None = None
) -> PaymentView:
    user = await session.get(User, payment.user_id)
    assert user is not None
    await session.refresh(user, ["balance"])
    return PaymentView(
        charge_id=payment.telegram_payment_charge_id or "",
        telegram_id=user.telegram_id,
        language=user.language,
        stars=payment.total_amount,
        credited=payment.credited,
        status=status or PaymentStatus(payment.status),
        balance=user.balance,
    )


def _audit(
    session: AsyncSession,
    admin_telegram_id: int,
    payment: Payment,
    status: str,
    error: str | None = None,
) -> None:
    after: dict[str, object] = {
        "status": str(status),
        "stars": payment.total_amount,
        "amount": str(payment.credited),
    }
    if error:
        after["error"] = error[:500]
    audit.record(
        session,
        admin_telegram_id,
        "refund_stars",
        f"payment:{payment.telegram_payment_charge_id}"[:128],
        {"status": payment.status},
        after,
    )
