"""Issue 15, point 4: a panel that gave up on an order ("Fail", "Error", any case) settles it
like Canceled, refunding what was not delivered exactly once, over real HTTP."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.statuses import poll_statuses
from bot.shop import ledger
from bot.shop.orders import HoldReason
from storage.models import LedgerEntry, Order, OrderState
from tests.fakes.panel_server import FakePanel
from tests.jobs.factory import make_customer, make_service, make_shop, place_order

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def _order(sessions: async_sessionmaker[AsyncSession], order_id: int) -> Order:
    async with sessions() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def _refund_keys(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, Decimal]]:
    async with sessions() as session:
        rows = await session.execute(
            select(LedgerEntry.idempotency_key, LedgerEntry.amount)
            .where(LedgerEntry.kind == "refund")
            .order_by(LedgerEntry.id)
        )
        return [(key, amount) for key, amount in rows]


@pytest.mark.parametrize(
    ("word", "remains", "state", "refund"),
    [
        ("Fail", "1000", OrderState.CANCELED, "10.00"),  # nothing delivered: all back
        ("Error", "1000", OrderState.CANCELED, "10.00"),
        ("fail", "", OrderState.CANCELED, "10.00"),  # remains not given: all back
        ("error", "Unknown", OrderState.CANCELED, "10.00"),
        ("FAILED", "1000", OrderState.CANCELED, "10.00"),
        ("Fail", "250", OrderState.PARTIAL, "2.50"),  # 750 delivered: the rest back
        ("Error", "333", OrderState.PARTIAL, "3.33"),
    ],
)
async def test_gave_up_is_settled_like_canceled(
    sessions: async_sessionmaker[AsyncSession],
    word: str,
    remains: str,
    state: OrderState,
    refund: str,
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10.00")
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "901", charge="10.00", quantity=1000)
        panel.set_order("901", word, remains=remains)

        report = await poll_statuses(shop)

        stored = await _order(sessions, order.id)
        assert stored.state == state.value and stored.panel_status == word
        assert [(c.to_state, c.gave_up, c.refunded) for c in report.changes] == [
            (state, word, Decimal(refund))
        ]
        assert stored.refunded == Decimal(refund)
        assert await _refund_keys(sessions) == [(f"refund:{order.id}", Decimal(refund))]
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal(refund)
            assert await ledger.invariant_violations(session) == []
        await shop.panels.aclose()


async def test_gave_up_with_nothing_left_to_deliver_is_held(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10.00")
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "902", charge="10.00", quantity=1000)
        panel.set_order("902", "Fail", remains="0")

        report = await poll_statuses(shop)

        [change] = report.changes
        assert change.to_state is OrderState.REVIEW
        assert change.reason is HoldReason.GAVE_UP_DELIVERED and change.detail == "Fail"
        stored = await _order(sessions, order.id)
        assert stored.state == "review" and stored.refunded == 0
        assert stored.error and "gave up" in stored.error
        assert await _refund_keys(sessions) == []
        await shop.panels.aclose()


async def test_gave_up_refunds_once_across_cycles_and_pollers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop_a = await make_shop(sessions, {"main": panel.url})
        shop_b = await make_shop(sessions, {"main": panel.url})  # a second process
        user = await make_customer(sessions, balance="20")
        service = await make_service(sessions, "main")
        full = await place_order(sessions, user, service, "911", charge="10", quantity=1000)
        part = await place_order(sessions, user, service, "912", charge="10", quantity=1000)
        panel.set_order("911", "Error", remains="1000")
        panel.set_order("912", "Fail", remains="500")

        reports = await asyncio.gather(
            poll_statuses(shop_a), poll_statuses(shop_b), poll_statuses(shop_a)
        )
        again = await poll_statuses(shop_b)

        assert sum(len(r.changes) for r in reports) == 2 and again.changes == []
        assert sorted(await _refund_keys(sessions)) == sorted(
            [(f"refund:{full.id}", Decimal("10")), (f"refund:{part.id}", Decimal("5"))]
        )
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal("15")
            assert await ledger.invariant_violations(session) == []
        for shop in (shop_a, shop_b):
            await shop.panels.aclose()
