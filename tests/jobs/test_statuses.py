"""Status polling over real HTTP against fake panels: transitions, refunds exactly once,
per-ID errors, a failing panel beside a working one."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.statuses import poll_statuses
from bot.shop import ledger
from storage.models import LedgerEntry, Order, OrderEvent, OrderState
from tests.fakes.panel_server import FakePanel, Fault, unused_url
from tests.jobs.factory import make_customer, make_service, make_shop, place_order

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def _order(sessions: async_sessionmaker[AsyncSession], order_id: int) -> Order:
    async with sessions() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def _refunds(sessions: async_sessionmaker[AsyncSession]) -> list[LedgerEntry]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(LedgerEntry).where(LedgerEntry.kind == "refund").order_by(LedgerEntry.id)
            )
        )


@pytest.mark.parametrize(
    ("panel_status", "remains", "state", "refund"),
    [
        ("In progress", "1000", OrderState.IN_PROGRESS, "0"),
        ("Processing", "1000", OrderState.PROCESSING, "0"),
        ("Completed", "0", OrderState.COMPLETED, "0"),
        ("Partial", "250", OrderState.PARTIAL, "2.50"),
        ("Partial", "333", OrderState.PARTIAL, "3.33"),
        ("Canceled", "1000", OrderState.CANCELED, "10.00"),
        ("Refunded", "0", OrderState.REFUNDED, "10.00"),
        ("Pending", "1000", OrderState.PENDING, "0"),
    ],
)
async def test_each_transition_and_its_refund(
    sessions: async_sessionmaker[AsyncSession],
    panel_status: str,
    remains: str,
    state: OrderState,
    refund: str,
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10.00")
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "501", charge="10.00", quantity=1000)
        panel.set_order("501", panel_status, remains=remains, start_count="40")

        report = await poll_statuses(shop)

        stored = await _order(sessions, order.id)
        assert stored.state == state.value
        assert stored.start_count == 40
        assert stored.panel_status == panel_status
        assert [c.to_state for c in report.changes] == (
            [] if state is OrderState.PENDING else [state]
        )
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal(refund)
            assert await ledger.invariant_violations(session) == []
        assert stored.refunded == Decimal(refund)
        assert report.requests == {"main": 1}
        await shop.panels.aclose()


async def test_refund_exactly_once_across_cycles_and_concurrent_pollers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop_a = await make_shop(sessions, {"main": panel.url})
        shop_b = await make_shop(sessions, {"main": panel.url})  # a second process
        user = await make_customer(sessions, balance="30")
        service = await make_service(sessions, "main")
        placed = [
            await place_order(sessions, user, service, str(600 + i), charge="10") for i in range(3)
        ]
        panel.set_order("600", "Canceled", remains="1000")
        panel.set_order("601", "Partial", remains="500")
        panel.set_order("602", "Completed", remains="0")

        reports = await asyncio.gather(
            poll_statuses(shop_a), poll_statuses(shop_b), poll_statuses(shop_a)
        )
        again = await poll_statuses(shop_b)

        assert sum(len(r.changes) for r in reports) == 3  # each change won exactly once
        assert again.changes == [] and again.orders == 0  # final orders are not polled again
        refunds = await _refunds(sessions)
        assert sorted(e.amount for e in refunds) == [Decimal("5"), Decimal("10")]
        assert {e.idempotency_key for e in refunds} == {
            f"refund:{placed[0].id}",
            f"refund:{placed[1].id}",
        }
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal("15")
            assert await ledger.invariant_violations(session) == []
            events = await session.scalar(
                select(func.count())
                .select_from(OrderEvent)
                .where(OrderEvent.from_state == "pending")
            )
            assert events == 3
        for shop in (shop_a, shop_b):
            await shop.panels.aclose()


async def test_per_id_error_touches_only_that_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        good = await place_order(sessions, user, service, "701")
        bad = await place_order(sessions, user, service, "702")  # the panel does not know it
        panel.set_order("701", "Completed", remains="0")

        report = await poll_statuses(shop)

        assert report.entry_errors == 1
        assert (await _order(sessions, good.id)).state == "completed"
        stored_bad = await _order(sessions, bad.id)
        assert stored_bad.state == "pending" and stored_bad.error == "Incorrect order ID"
        await shop.panels.aclose()


async def test_bad_entry_in_a_v1_batch_and_a_list_answer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel(dialect="v1") as v1, FakePanel() as clone:
        clone.status_as_list = True
        shop = await make_shop(sessions, {"v1": v1.url, "clone": clone.url})
        user = await make_customer(sessions)
        s1 = await make_service(sessions, "v1")
        s2 = await make_service(sessions, "clone")
        a = await place_order(sessions, user, s1, "11")
        b = await place_order(sessions, user, s1, "12")
        c = await place_order(sessions, user, s2, "13")
        v1.set_order("11", "Completed", remains="0")
        clone.set_order("13", "In progress", remains="10")

        await poll_statuses(shop)

        states = [(await _order(sessions, o.id)).state for o in (a, b, c)]
        assert states == ["completed", "pending", "in_progress"]
        await shop.panels.aclose()


async def test_a_failing_panel_never_blocks_another(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as good, FakePanel() as broken:
        broken.inject(Fault.HTML_502, action="status", times=10)
        shop = await make_shop(
            sessions, {"good": good.url, "broken": broken.url, "gone": unused_url()}
        )
        user = await make_customer(sessions)
        orders_by_panel = {}
        for name, panel_order_id in (("good", "1"), ("broken", "2"), ("gone", "3")):
            service = await make_service(sessions, name)
            orders_by_panel[name] = await place_order(sessions, user, service, panel_order_id)
        good.set_order("1", "Completed", remains="0")

        report = await poll_statuses(shop)

        assert [c.order_id for c in report.changes] == [orders_by_panel["good"].id]
        assert (await _order(sessions, orders_by_panel["broken"].id)).state == "pending"
        assert (await _order(sessions, orders_by_panel["gone"].id)).state == "pending"
        await shop.panels.aclose()


async def test_250_orders_take_ceil_n_over_100_requests(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10000")
        service = await make_service(sessions, "main")
        for i in range(250):
            await place_order(sessions, user, service, str(1000 + i), charge="1")
            panel.set_order(str(1000 + i), "In progress", remains="5")
        report = await poll_statuses(shop)
        assert report.requests == {"main": 3}
        sizes = sorted(len(r.form["orders"].split(",")) for r in panel.requests_for("status"))
        assert sizes == [50, 100, 100]
        assert len(report.changes) == 250
        await shop.panels.aclose()


async def test_partial_without_remains_goes_to_review(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "801")
        panel.set_order("801", "Partial", remains="Unknown")
        report = await poll_statuses(shop)
        assert report.changes[0].to_state is OrderState.REVIEW
        assert (await _order(sessions, order.id)).refunded == Decimal(0)
        await shop.panels.aclose()
