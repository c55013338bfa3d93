"""Stars top-ups without Telegram: quotes, signed payloads, exactly-once credit and refunds."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ConfigError, load_settings
from bot.shop import ledger, payments
from bot.shop.payments import (
    AmountProblem,
    CreditStatus,
    PaymentStatus,
    RefundOutcome,
    Refusal,
    ReserveStatus,
    TelegramRefundStatus,
)
from storage.models import AuditLog, LedgerEntry, LedgerKind, Payment, User

Sessions = async_sessionmaker[AsyncSession]
KEY = b"k" * 32
ADMIN = 900_001
TG = 4242
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def settings(**overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"bot_token": "123:abc", "panel_url": "sandbox"}
    values.update(overrides)
    return load_settings(**values)


# -- quotes and amounts -----------------------------------------------------------------------


def test_stars_round_up_and_never_zero() -> None:
    assert payments.stars_for(Decimal("10"), Decimal("50")) == 500
    assert payments.stars_for(Decimal("0.01"), Decimal("50")) == 1
    assert payments.stars_for(Decimal("1.01"), Decimal("13.3")) == 14  # 13.433 → 14
    assert payments.stars_for(Decimal("0.01"), Decimal("0.5")) == 1


def test_presets_scale_to_the_bounds() -> None:
    assert payments.presets(settings()) == [5, 10, 25, 50, 100]
    assert payments.presets(settings(topup_max=30)) == [5, 10, 25]
    iqd = settings(currency="IQD", topup_min=1000, topup_max=200_000, stars_per_unit="0.04")
    assert payments.presets(iqd) == [5000, 10000, 25000, 50000, 100000]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", Decimal("10.00")),
        ("٢٥٫٥", Decimal("25.50")),
        ("1", Decimal("1.00")),
        ("100.00", Decimal("100.00")),
        ("abc", AmountProblem.INVALID),
        ("0", AmountProblem.INVALID),
        ("-5", AmountProblem.INVALID),
        ("1.005", AmountProblem.TOO_PRECISE),
        ("0.5", AmountProblem.TOO_SMALL),
        ("100.01", AmountProblem.TOO_LARGE),
    ],
)
def test_parse_topup_amount(text: str, expected: object) -> None:
    assert payments.parse_topup_amount(text, settings()) == expected


def test_config_bounds() -> None:
    with pytest.raises(ConfigError, match="TOPUP_MIN must not exceed TOPUP_MAX"):
        settings(topup_min=10, topup_max=5)
    with pytest.raises(ConfigError, match="10000 Stars"):
        settings(topup_max=1000, stars_per_unit=50)
    with pytest.raises(ConfigError, match="STARS_PER_UNIT"):
        settings(stars_per_unit=0)


def test_payload_key_derived_from_token_or_configured() -> None:
    derived = payments.payload_key(settings())
    assert derived == payments.payload_key(settings())
    assert derived != payments.payload_key(settings(bot_token="123:other"))
    assert payments.payload_key(settings(payment_payload_secret="s3cret")) == b"s3cret"
    assert "s3cret" in settings(payment_payload_secret="s3cret").secrets()  # redacted in logs


# -- signing ----------------------------------------------------------------------------------


def test_sign_and_verify_round_trip() -> None:
    payload = payments.sign(KEY, 1234567890123, Decimal("10.50"), 525)
    assert len(payload.encode()) <= 128
    invoice = payments.verify(KEY, payload)
    assert invoice is not None
    assert (invoice.telegram_id, invoice.amount, invoice.stars) == (
        1234567890123,
        Decimal("10.50"),
        525,
    )
    assert payments.sign(KEY, 1, Decimal(1), 50) != payments.sign(KEY, 1, Decimal(1), 50)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.replace("|10.50|", "|99.50|"),  # more money
        lambda p: p.replace("|525|", "|1|"),  # fewer Stars
        lambda p: p.replace("|77|", "|78|", 1),  # someone else
        lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"),  # the MAC itself
        lambda p: p.replace("v1|", "v2|", 1),
        lambda p: p.rsplit("|", 1)[0],  # no MAC
        lambda p: "garbage",
        lambda p: "",
    ],
)
def test_tampered_payloads_fail(tamper) -> None:  # type: ignore[no-untyped-def]
    payload = payments.sign(KEY, 77, Decimal("10.50"), 525)
    assert payments.verify(KEY, tamper(payload)) is None


def test_other_key_fails() -> None:
    payload = payments.sign(KEY, 77, Decimal("10.50"), 525)
    assert payments.verify(b"other", payload) is None


def test_check_checkout() -> None:
    payload = payments.sign(KEY, 77, Decimal("10"), 500)

    def check(**kw: object) -> object:
        args: dict[str, object] = {
            "payload": payload,
            "telegram_id": 77,
            "currency": "XTR",
            "total_amount": 500,
            "banned": False,
        }
        args.update(kw)
        return payments.check_checkout(KEY, **args)  # type: ignore[arg-type]

    assert isinstance(check(), payments.Invoice)
    assert check(payload=payload.replace("|10|", "|20|")) is Refusal.INVALID
    assert check(telegram_id=78) is Refusal.WRONG_USER
    assert check(total_amount=499) is Refusal.WRONG_TOTAL
    assert check(currency="USD") is Refusal.WRONG_TOTAL
    assert check(banned=True) is Refusal.BANNED


# -- money moves (both engines) ---------------------------------------------------------------


async def new_user(sessions: Sessions, telegram_id: int = TG) -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, language="ar")
        session.add(user)
        await session.flush()
        return user.id


async def pay(sessions: Sessions, amount: str = "10", charge: str = "ch1") -> payments.CreditResult:
    stars = payments.stars_for(Decimal(amount), Decimal(50))
    return await payments.credit_payment(
        sessions,
        KEY,
        telegram_id=TG,
        payload=payments.sign(KEY, TG, Decimal(amount), stars),
        currency="XTR",
        total_amount=stars,
        charge_id=charge,
    )


async def spend(sessions: Sessions, user_id: int, amount: str) -> None:
    async with sessions() as session, session.begin():
        await ledger.apply(
            session,
            user_id=user_id,
            amount=-Decimal(amount),
            kind=LedgerKind.ORDER,
            key=f"order:{amount}",
        )


async def rows(sessions: Sessions) -> tuple[list[tuple[str, Decimal, str]], Payment]:
    async with sessions() as session:
        entries = [
            (e.kind, e.amount, e.idempotency_key)
            for e in await session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))
        ]
        payment = await session.scalar(select(Payment))
        assert await ledger.invariant_violations(session) == []
    assert payment is not None
    return entries, payment


async def balance(sessions: Sessions, user_id: int) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user_id)


@both_engines
async def test_same_payment_twice_concurrently_credits_once(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    stars = 500
    payload = payments.sign(KEY, TG, Decimal("10.00"), stars)

    async def deliver() -> payments.CreditResult:
        return await payments.credit_payment(
            sessions,
            KEY,
            telegram_id=TG,
            payload=payload,
            currency="XTR",
            total_amount=stars,
            charge_id="stxCHARGE1",
        )

    results = await asyncio.gather(*(deliver() for _ in range(6)))
    statuses = sorted(r.status for r in results)
    assert statuses == [CreditStatus.CREDITED] + [CreditStatus.DUPLICATE] * 5
    assert all(r.amount == Decimal("10.00") and r.stars == 500 for r in results)
    assert await balance(sessions, user_id) == Decimal("10.00")
    entries, payment = await rows(sessions)
    assert entries == [("topup", Decimal("10.00"), "topup:stxCHARGE1")]
    assert (payment.status, payment.credited, payment.total_amount, payment.currency) == (
        "paid",
        Decimal("10.00"),
        500,
        "XTR",
    )


@both_engines
async def test_unmatched_payment_is_recorded_not_credited(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    result = await payments.credit_payment(
        sessions,
        KEY,
        telegram_id=TG,
        payload="forged",
        currency="XTR",
        total_amount=5,
        charge_id="ch-x",
    )
    assert result.status is CreditStatus.UNMATCHED
    assert await balance(sessions, user_id) == 0
    _, payment = await rows(sessions)
    assert payment.status == "unmatched"


@both_engines
async def test_admin_refund_reserves_then_settles(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await pay(sessions, "10")
    reservation = await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    assert reservation.status is ReserveStatus.RESERVED
    assert reservation.payment is not None and reservation.payment.balance == 0
    assert reservation.payment.telegram_id == TG
    # A second admin (or a replayed command) while Telegram is being asked: no second debit.
    again = await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    assert again.status is ReserveStatus.RETRY
    view = await payments.finish_refund(
        sessions, charge_id="ch1", admin_telegram_id=ADMIN, outcome=RefundOutcome.REFUNDED
    )
    assert view is not None and view.status is PaymentStatus.REFUNDED
    done = await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    assert done.status is ReserveStatus.DONE
    entries, payment = await rows(sessions)
    assert entries == [
        ("topup", Decimal("10.00"), "topup:ch1"),
        ("payment_refund", Decimal("-10.00"), "stars-refund:ch1"),
    ]
    assert payment.status == "refunded" and payment.refunded_at is not None
    # Telegram then reports the refund it made for us: nothing more happens.
    late = await payments.apply_telegram_refund(sessions, charge_id="ch1")
    assert late.status is TelegramRefundStatus.DUPLICATE
    assert await balance(sessions, user_id) == 0
    async with sessions() as session:
        audit = [
            (a.action, a.after["status"])
            for a in await session.scalars(  # type: ignore[index]
                select(AuditLog).order_by(AuditLog.id)
            )
        ]
    assert audit == [("refund_stars", "refunding"), ("refund_stars", "refunded")]


@both_engines
async def test_admin_refund_refused_when_spent(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await pay(sessions, "10")
    await spend(sessions, user_id, "0.01")
    reservation = await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    assert reservation.status is ReserveStatus.SPENT
    assert reservation.payment is not None
    assert reservation.payment.balance == Decimal("9.99")
    assert reservation.payment.status is PaymentStatus.PAID  # rolled back whole
    entries, payment = await rows(sessions)
    assert [key for *_, key in entries] == ["topup:ch1", "order:0.01"]
    assert payment.status == "paid"
    missing = await payments.reserve_refund(sessions, charge_id="nope", admin_telegram_id=ADMIN)
    assert missing.status is ReserveStatus.NOT_FOUND


@both_engines
async def test_refused_by_telegram_restores_and_unknown_holds(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await pay(sessions, "10")
    await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    held = await payments.finish_refund(
        sessions,
        charge_id="ch1",
        admin_telegram_id=ADMIN,
        outcome=RefundOutcome.UNKNOWN,
        error="timeout",
    )
    assert held is not None and held.status is PaymentStatus.REFUNDING and held.balance == 0
    refused = await payments.finish_refund(
        sessions,
        charge_id="ch1",
        admin_telegram_id=ADMIN,
        outcome=RefundOutcome.REFUSED,
        error="CHARGE_NOT_FOUND",
    )
    assert refused is not None and refused.status is PaymentStatus.REFUND_FAILED
    twice = await payments.finish_refund(
        sessions,
        charge_id="ch1",
        admin_telegram_id=ADMIN,
        outcome=RefundOutcome.REFUSED,
        error="again",
    )
    assert twice is not None and twice.balance == Decimal("10.00")  # restored once
    entries, _ = await rows(sessions)
    assert [key for *_, key in entries] == [
        "topup:ch1",
        "stars-refund:ch1",
        "stars-refund-restore:ch1",
    ]
    assert await balance(sessions, user_id) == Decimal("10.00")


@both_engines
async def test_telegram_refund_once_and_never_negative(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await pay(sessions, "10", charge="ch1")
    await pay(sessions, "5", charge="ch2")
    await spend(sessions, user_id, "12")  # 3.00 left
    first = await payments.apply_telegram_refund(sessions, charge_id="ch1")
    assert first.status is TelegramRefundStatus.SHORTFALL
    assert (first.debited, first.shortfall) == (Decimal("3.00"), Decimal("7.00"))
    results = await asyncio.gather(
        *(payments.apply_telegram_refund(sessions, charge_id="ch1") for _ in range(4))
    )
    assert {r.status for r in results} == {TelegramRefundStatus.DUPLICATE}
    assert await balance(sessions, user_id) == 0
    # The admin path can no longer apply to it.
    blocked = await payments.reserve_refund(sessions, charge_id="ch1", admin_telegram_id=ADMIN)
    assert blocked.status is ReserveStatus.DONE
    async with sessions() as session:
        status = await session.scalar(
            select(Payment.status).where(Payment.telegram_payment_charge_id == "ch1")
        )
        keys = await session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.idempotency_key == "stars-refund:ch1")
        )
        assert await ledger.invariant_violations(session) == []
    assert (status, keys) == ("refunded_short", 1)
    # ch2 with nothing left on the balance: recorded, no entry (nothing to take).
    empty = await payments.apply_telegram_refund(sessions, charge_id="ch2")
    assert (empty.status, empty.debited, empty.shortfall) == (
        TelegramRefundStatus.SHORTFALL,
        0,
        Decimal("5.00"),
    )
    unknown = await payments.apply_telegram_refund(sessions, charge_id="nope")
    assert unknown.status is TelegramRefundStatus.NOT_FOUND


@both_engines
async def test_telegram_refund_full_when_unspent(sessions: Sessions) -> None:
    user_id = await new_user(sessions)
    await pay(sessions, "10")
    result = await payments.apply_telegram_refund(sessions, charge_id="ch1")
    assert (result.status, result.debited) == (TelegramRefundStatus.DEBITED, Decimal("10.00"))
    assert await balance(sessions, user_id) == 0
    _, payment = await rows(sessions)
    assert payment.status == "refunded"
