"""Promo codes without Telegram: parsing, redemption rules, the maximum uses under concurrency
(on both engines), the top-up bonus and its return when the top-up is refunded."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import ledger, payments, promos
from bot.shop.payments import RefundOutcome, ReserveStatus
from bot.shop.promos import NewPromo, Problem, Redeem
from storage.models import AuditLog, LedgerEntry, LedgerKind, PromoCode, PromoKind, User
from storage.types import utcnow

Sessions = async_sessionmaker[AsyncSession]
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
ADMIN = 900_001
KEY = b"k" * 32


async def customer(sessions: Sessions, telegram_id: int) -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, language="en")
        session.add(user)
        await session.flush()
        return user.id


async def balance(sessions: Sessions, user_id: int) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user_id)


async def make(sessions: Sessions, args: str) -> PromoCode:
    parsed = promos.parse_newpromo(args, 2)
    assert isinstance(parsed, NewPromo), parsed
    created = await promos.create(sessions, ADMIN, parsed)
    assert isinstance(created, PromoCode), created
    return created


async def redeem(sessions: Sessions, user_id: int, text: str) -> promos.Redemption:
    return await promos.redeem(sessions, user_id=user_id, telegram_id=user_id + 10_000, text=text)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("welcome 5", NewPromo("WELCOME", PromoKind.CREDIT, Decimal(5))),
        ("Bonus10 10% uses=3 days=7", NewPromo("BONUS10", PromoKind.BONUS, Decimal(10), 3, 7)),
        ("عرض ٥", Problem.BAD_CODE),
        ("CODE٣ ٢٫٥ uses=٢", NewPromo("CODE3", PromoKind.CREDIT, Decimal("2.5"), 2)),
        ("X 5", Problem.BAD_CODE),
        ("CODE -1", Problem.BAD_AMOUNT),
        ("CODE 1.234", Problem.BAD_AMOUNT),
        ("CODE 150%", Problem.BAD_PERCENT),
        ("CODE 0%", Problem.BAD_PERCENT),
        ("CODE 5 uses=0", Problem.BAD_USES),
        ("CODE 5 days=x", Problem.BAD_DAYS),
        ("CODE 5 forever", Problem.SYNTAX),
        ("CODE", Problem.SYNTAX),
        (None, Problem.SYNTAX),
    ],
)
def test_parse_newpromo(args: str | None, expected: object) -> None:
    assert promos.parse_newpromo(args, 2) == expected


@both_engines
async def test_credit_code_once_per_customer_case_insensitive(sessions: Sessions) -> None:
    promo = await make(sessions, "WELCOME 5")
    alice = await customer(sessions, 1)
    result = await redeem(sessions, alice, "  welcome ")
    assert (result.status, result.value, result.balance) == (
        Redeem.CREDITED,
        Decimal(5),
        Decimal(5),
    )
    assert (await redeem(sessions, alice, "WELCOME")).status is Redeem.ALREADY
    assert await balance(sessions, alice) == Decimal(5)
    async with sessions() as session:
        entry = await ledger.entry_for_key(session, f"promo:{promo.id}:{alice}")
        assert entry is not None and entry.kind == LedgerKind.PROMO.value
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["promo.create", "promo.redeem"]
        assert (await session.get(PromoCode, promo.id)).uses == 1  # type: ignore[union-attr]
    assert (await redeem(sessions, alice, "NOPE")).status is Redeem.NOT_FOUND
    assert (await redeem(sessions, alice, "!")).status is Redeem.INVALID
    assert await promos.create(
        sessions, ADMIN, NewPromo("WELCOME", PromoKind.CREDIT, Decimal(1))
    ) is (Problem.EXISTS)


@both_engines
async def test_expiry_max_uses_and_disable(sessions: Sessions) -> None:
    await make(sessions, "SOON 1 days=1")
    limited = await make(sessions, "ONE 1 uses=1")
    users = [await customer(sessions, n) for n in (11, 12, 13)]
    later = utcnow() + timedelta(days=2)
    result = await promos.redeem(sessions, user_id=users[0], telegram_id=11, text="soon", now=later)
    assert result.status is Redeem.EXPIRED
    assert (await redeem(sessions, users[0], "ONE")).status is Redeem.CREDITED
    assert (await redeem(sessions, users[1], "ONE")).status is Redeem.EXHAUSTED
    other = await make(sessions, "OFF 1")
    await promos.disable(sessions, ADMIN, other.id)
    assert (await redeem(sessions, users[2], "OFF")).status is Redeem.NOT_FOUND
    async with sessions() as session:
        assert (await session.get(PromoCode, limited.id)).uses == 1  # type: ignore[union-attr]
        assert (
            await session.scalar(select(func.count()).where(AuditLog.action == "promo.disable"))
            == 1
        )


@both_engines
async def test_last_use_redeemed_concurrently_one_wins(sessions: Sessions) -> None:
    promo = await make(sessions, "LAST 3 uses=2")
    first = await customer(sessions, 21)
    assert (await redeem(sessions, first, "LAST")).status is Redeem.CREDITED
    racers = [await customer(sessions, n) for n in range(22, 28)]
    results = await asyncio.gather(*(redeem(sessions, user, "last") for user in racers))
    statuses = sorted(result.status.value for result in results)
    assert statuses.count(Redeem.CREDITED.value) == 1
    assert statuses.count(Redeem.EXHAUSTED.value) == len(racers) - 1
    async with sessions() as session:
        assert (await session.get(PromoCode, promo.id)).uses == 2  # type: ignore[union-attr]
        credited = await session.scalar(
            select(func.count()).where(LedgerEntry.kind == LedgerKind.PROMO.value)
        )
        assert credited == 2
        assert await ledger.invariant_violations(session) == []


@both_engines
async def test_same_customer_racing_twice_redeems_once(sessions: Sessions) -> None:
    await make(sessions, "TWICE 2 uses=5")
    alice = await customer(sessions, 31)
    results = await asyncio.gather(*(redeem(sessions, alice, "TWICE") for _ in range(4)))
    assert [r.status for r in results].count(Redeem.CREDITED) == 1
    assert await balance(sessions, alice) == Decimal(2)


async def pay(
    sessions: Sessions, telegram_id: int, amount: str, charge: str
) -> payments.CreditResult:
    stars = payments.stars_for(Decimal(amount), Decimal(50))
    return await payments.credit_payment(
        sessions,
        KEY,
        telegram_id=telegram_id,
        payload=payments.sign(KEY, telegram_id, Decimal(amount), stars),
        currency="XTR",
        total_amount=stars,
        charge_id=charge,
        precision=2,
    )


@both_engines
async def test_percent_bonus_on_next_topup_only(sessions: Sessions) -> None:
    await make(sessions, "TOPUP10 10%")
    await make(sessions, "TOPUP20 20%")
    alice = await customer(sessions, 41)
    result = await redeem(sessions, alice, "topup10")
    assert (result.status, result.value) == (Redeem.BONUS_PENDING, Decimal(10))
    assert (await redeem(sessions, alice, "TOPUP20")).status is Redeem.BONUS_WAITING
    assert await balance(sessions, alice) == 0
    paid = await pay(sessions, 41, "25", "c1")
    assert (paid.bonus, paid.balance) == (Decimal("2.50"), Decimal("27.50"))
    again = await pay(sessions, 41, "10", "c2")  # the bonus was for one top-up
    assert (again.bonus, again.balance) == (None, Decimal("37.50"))
    async with sessions() as session:
        entry = await ledger.entry_for_key(session, "promo_bonus:stars:c1")
        assert entry is not None and entry.kind == LedgerKind.PROMO_BONUS.value
        # Direct calls are idempotent per top-up reference.
        assert await promos.apply_topup_bonus(session, alice, Decimal(25), "stars:c1") is None


@both_engines
async def test_refunded_topup_takes_the_bonus_back(sessions: Sessions) -> None:
    await make(sessions, "B50 50%")
    alice = await customer(sessions, 51)
    await redeem(sessions, alice, "B50")
    await pay(sessions, 51, "10", "r1")
    assert await balance(sessions, alice) == Decimal(15)
    # Admin refund, refused by Telegram: the bonus comes back with the top-up.
    reservation = await payments.reserve_refund(sessions, charge_id="r1", admin_telegram_id=ADMIN)
    assert reservation.status is ReserveStatus.RESERVED
    assert await balance(sessions, alice) == 0
    await payments.finish_refund(
        sessions, charge_id="r1", admin_telegram_id=ADMIN, outcome=RefundOutcome.REFUSED
    )
    assert await balance(sessions, alice) == Decimal(15)
    # Telegram refunds it on its own later; the customer spent 12 meanwhile.
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=alice, amount=Decimal(-12), kind=LedgerKind.DEBIT, key="spend"
        )
    await payments.apply_telegram_refund(sessions, charge_id="r1")
    assert await balance(sessions, alice) == 0  # 3 left, all taken; never below zero
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == []


@both_engines
async def test_telegram_refund_takes_back_what_balance_allows(sessions: Sessions) -> None:
    await make(sessions, "B20 20%")
    alice = await customer(sessions, 61)
    await redeem(sessions, alice, "B20")
    await pay(sessions, 61, "10", "t1")
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=alice, amount=Decimal(-9), kind=LedgerKind.DEBIT, key="spend"
        )
    await payments.apply_telegram_refund(sessions, charge_id="t1")  # 3 left: 3 top-up, 0 bonus
    assert await balance(sessions, alice) == 0
    await make(sessions, "C20 20%")
    bob = await customer(sessions, 62)
    await redeem(sessions, bob, "C20")
    await pay(sessions, 62, "10", "t2")
    await payments.apply_telegram_refund(sessions, charge_id="t2")
    assert await balance(sessions, bob) == 0
    async with sessions() as session:
        back = await ledger.entry_for_key(session, "promo_bonus_back:stars:t2")
        assert back is not None and back.amount == Decimal(-2)
