"""Referrals without Telegram: invite codes, the referrer set once at the first /start (never
self, never a cycle), and the reward paid once per finished order, in its transaction."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import OrderInfo, OrderStatus
from bot.shop import ledger, orders, referrals, shop_settings
from bot.shop.referrals import StartOutcome
from storage.models import AuditLog, LedgerEntry, LedgerKind, Order, OrderState, User
from tests.test_aftersale import new_order, seed_service

Sessions = async_sessionmaker[AsyncSession]
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def customer(sessions: Sessions, telegram_id: int, funds: str = "0") -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, language="en")
        session.add(user)
        await session.flush()
        if Decimal(funds):
            await ledger.apply(
                session,
                user_id=user.id,
                amount=Decimal(funds),
                kind=LedgerKind.CREDIT,
                key=f"seed:{user.id}",
            )
        return user.id


async def code_of(sessions: Sessions, user_id: int) -> str:
    return (await referrals.invite_stats(sessions, user_id)).code


async def referrer_of(sessions: Sessions, user_id: int) -> int | None:
    async with sessions() as session:
        return await session.scalar(select(User.referrer_id).where(User.id == user_id))


async def test_invite_code_is_random_stable_and_not_the_telegram_id(sessions: Sessions) -> None:
    a = await customer(sessions, 1001)
    b = await customer(sessions, 1002)
    code_a = await code_of(sessions, a)
    assert code_a == await code_of(sessions, a)  # created once, then kept
    assert code_a != await code_of(sessions, b)
    assert "1001" not in code_a and len(code_a) >= 12


@both_engines
async def test_referrer_set_at_first_start_only(sessions: Sessions) -> None:
    alice = await customer(sessions, 2001)
    bob = await customer(sessions, 2002)
    carol = await customer(sessions, 2003)
    code = await code_of(sessions, alice)
    assert await referrals.record_start(sessions, bob, code) == StartOutcome.REFERRED
    assert await referrer_of(sessions, bob) == alice
    # A second /start with another code changes nothing.
    other = await code_of(sessions, carol)
    assert await referrals.record_start(sessions, bob, other) == StartOutcome.REPEAT
    assert await referrer_of(sessions, bob) == alice
    # A first /start without a code uses the first /start up.
    assert await referrals.record_start(sessions, carol, None) == StartOutcome.FIRST
    assert await referrals.record_start(sessions, carol, code) == StartOutcome.REPEAT
    assert await referrer_of(sessions, carol) is None
    # Old-style links with a raw Telegram ID are no longer honoured.
    dave = await customer(sessions, 2004)
    assert await referrals.record_start(sessions, dave, "ref_2001") == StartOutcome.FIRST
    assert await referrer_of(sessions, dave) is None


@both_engines
async def test_self_and_cycles_refused(sessions: Sessions) -> None:
    a = await customer(sessions, 3001)
    b = await customer(sessions, 3002)
    c = await customer(sessions, 3003)
    assert (
        await referrals.record_start(sessions, a, await code_of(sessions, a)) == StartOutcome.SELF
    )
    assert await referrer_of(sessions, a) is None
    # b invited by c, c invited by ... b? The chain c → b must not close.
    assert await referrals.record_start(sessions, b, await code_of(sessions, c)) == (
        StartOutcome.REFERRED
    )
    async with sessions() as session, session.begin():  # c has not started yet
        await session.execute(
            User.__table__.update().where(User.id == c).values(start_payload=None)
        )
    assert await referrals.record_start(sessions, c, await code_of(sessions, b)) == (
        StartOutcome.CYCLE
    )
    assert await referrer_of(sessions, c) is None


def test_reward_amount_rounds_down_and_is_zero_for_free_orders() -> None:
    assert referrals.reward_amount(Decimal(10), Decimal("1.05"), 2) == Decimal("0.10")
    assert referrals.reward_amount(Decimal(10), Decimal(0), 2) == 0
    assert referrals.reward_amount(Decimal(0), Decimal(5), 2) == 0


async def settle(
    sessions: Sessions, order: Order, status: OrderStatus, remains: int | None, percent: str
) -> list[orders.StatusChange]:
    async with sessions() as session, session.begin():
        fresh = await session.get(Order, order.id)
        assert fresh is not None
        info = OrderInfo(order.panel_order_id or "", status, status.value, remains=remains)
        return await orders.apply_panel_statuses(
            session, [(fresh, info)], 2, referral_percent=Decimal(percent)
        )


async def rewards(sessions: Sessions, user_id: int) -> list[tuple[str, Decimal]]:
    async with sessions() as session:
        rows = await session.execute(
            select(LedgerEntry.idempotency_key, LedgerEntry.amount)
            .where(LedgerEntry.user_id == user_id, LedgerEntry.kind == LedgerKind.REFERRAL.value)
            .order_by(LedgerEntry.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@both_engines
async def test_reward_on_final_state_once_of_charge_minus_refunds(sessions: Sessions) -> None:
    service = await seed_service(sessions)
    alice = await customer(sessions, 4001)
    bob = await customer(sessions, 4002, funds="100")
    await referrals.record_start(sessions, bob, await code_of(sessions, alice))
    done = await new_order(sessions, bob, service, charge="10.00", panel_order_id="p1")
    partial = await new_order(sessions, bob, service, charge="10.00", panel_order_id="p2")
    canceled = await new_order(sessions, bob, service, charge="10.00", panel_order_id="p3")

    changes = await settle(sessions, done, OrderStatus.COMPLETED, 0, "10")
    assert changes[0].reward == referrals.Reward(done.id, alice, Decimal("1.00"))
    assert await settle(sessions, done, OrderStatus.COMPLETED, 0, "10") == []  # once
    # Partial: 400 of 1000 not delivered, 4.00 back: the reward is 10 % of 6.00.
    changes = await settle(sessions, partial, OrderStatus.PARTIAL, 400, "10")
    assert changes[0].reward is not None and changes[0].reward.amount == Decimal("0.60")
    # Canceled: refunded in full, it cost nothing: no reward.
    changes = await settle(sessions, canceled, OrderStatus.CANCELED, None, "10")
    assert changes[0].reward is None
    assert await rewards(sessions, alice) == [
        (f"referral:{done.id}", Decimal("1.00")),
        (f"referral:{partial.id}", Decimal("0.60")),
    ]
    stats = await referrals.invite_stats(sessions, alice)
    assert (stats.joined, stats.earned) == (1, Decimal("1.60"))
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == []


@both_engines
async def test_stored_percent_wins_and_zero_turns_rewards_off(sessions: Sessions) -> None:
    service = await seed_service(sessions)
    alice = await customer(sessions, 5001)
    bob = await customer(sessions, 5002, funds="100")
    carol = await customer(sessions, 5003, funds="100")
    await referrals.record_start(sessions, bob, await code_of(sessions, alice))
    first = await new_order(sessions, bob, service, charge="10.00", panel_order_id="q1")
    second = await new_order(sessions, bob, service, charge="10.00", panel_order_id="q2")
    unreferred = await new_order(sessions, carol, service, charge="10.00", panel_order_id="q3")
    await referrals.set_percent(sessions, admin_id=9, percent=Decimal(0), default=Decimal(10))
    assert (await settle(sessions, first, OrderStatus.COMPLETED, 0, "10"))[0].reward is None
    await referrals.set_percent(sessions, admin_id=9, percent=Decimal(25), default=Decimal(10))
    changes = await settle(sessions, second, OrderStatus.COMPLETED, 0, "10")
    assert changes[0].reward is not None and changes[0].reward.amount == Decimal("2.50")
    assert (await settle(sessions, unreferred, OrderStatus.COMPLETED, 0, "10"))[0].reward is None
    await referrals.set_percent(sessions, admin_id=9, percent=None, default=Decimal(10))
    async with sessions() as session:
        assert await shop_settings.referral_percent(session, Decimal(10)) == Decimal(10)
        audited = await session.scalar(
            select(func.count()).where(AuditLog.action == "referral.percent")
        )
    assert audited == 3


def test_typed_percent() -> None:
    assert referrals.parse_percent("١٢٫٥") == Decimal("12.5")
    assert referrals.parse_percent("5%") == Decimal(5)
    assert referrals.parse_percent("-") == referrals.RESET
    assert referrals.parse_percent("101") is None
    assert referrals.parse_percent("1.234") is None
    assert referrals.parse_percent("abc") is None
    assert OrderState.COMPLETED in referrals.REWARDED_STATES


@both_engines
async def test_admin_partial_refund_of_held_order_rewards_and_later_refund_keeps_it(
    sessions: Sessions,
) -> None:
    from bot.shop.admin import refunds

    service = await seed_service(sessions)
    alice = await customer(sessions, 6001)
    bob = await customer(sessions, 6002, funds="100")
    await referrals.record_start(sessions, bob, await code_of(sessions, alice))
    held = await new_order(
        sessions, bob, service, charge="10.00", panel_order_id="h1", state=OrderState.REVIEW
    )
    result = await refunds.refund_order(
        sessions,
        admin_id=9,
        order_id=held.id,
        amount=Decimal("4.00"),
        key="admin-refund:1",
        referral_percent=Decimal(10),
        precision=2,
    )
    assert result.state is OrderState.PARTIAL
    assert result.reward == referrals.Reward(held.id, alice, Decimal("0.60"))
    # A later admin refund of the rest does not claw the reward back, nor pays again.
    later = await refunds.refund_order(
        sessions,
        admin_id=9,
        order_id=held.id,
        amount=None,
        key="admin-refund:2",
        referral_percent=Decimal(10),
        precision=2,
    )
    assert later.reward is None and later.amount == Decimal("6.00")
    assert await rewards(sessions, alice) == [(f"referral:{held.id}", Decimal("0.60"))]


@both_engines
async def test_two_customers_joining_through_each_other_at_once_make_no_cycle(
    sessions: Sessions,
) -> None:
    for round_ in range(3):
        a = await customer(sessions, 7000 + 2 * round_)
        b = await customer(sessions, 7001 + 2 * round_)
        code_a, code_b = await code_of(sessions, a), await code_of(sessions, b)
        outcomes = await asyncio.gather(
            referrals.record_start(sessions, a, code_b),
            referrals.record_start(sessions, b, code_a),
        )
        assert sorted(outcomes) == sorted([StartOutcome.REFERRED, StartOutcome.CYCLE])
        links = [await referrer_of(sessions, a), await referrer_of(sessions, b)]
        assert links.count(None) == 1
