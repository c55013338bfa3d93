"""Submit and the interrupted-orders check cannot race (issue 14, points 5 and 6).

The real panel client against the fake panel over HTTP on 127.0.0.1, a real database. The
races are made deterministic by a hook in the fake panel that runs while the `add` request is
in flight (received, not yet answered): no sleeps racing each other.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import Shop
from bot.jobs.reconcile import SUBMIT_GRACE, hold_interrupted_orders
from bot.panel import OrderRequest, PanelClient, PanelRegistry, PanelSpec, ServiceType
from bot.shop import ledger, ordering
from bot.shop.admin import refunds, review
from bot.shop.ordering import Outcome
from storage.models import LedgerEntry, LedgerKind, Order, OrderEvent, Service, User
from tests.fakes.panel_server import FakePanel, Fault
from tests.jobs.factory import make_customer, make_service, make_shop

Sessions = async_sessionmaker[AsyncSession]
Hook = Callable[[], Awaitable[None]]


class HookedPanel(FakePanel):
    """The fake panel, running `hook` once while an `add` request is in flight, and telling
    when a request of an action has arrived."""

    hook: Hook | None = None

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def _wait(self, seconds: float) -> None:
        if self.requests:
            self.arrived[self.requests[-1].action].set()
        if self.hook is not None and self.requests and self.requests[-1].action == "add":
            hook, self.hook = self.hook, None
            await hook()
        await super()._wait(seconds)


async def setup(sessions: Sessions, panel: FakePanel) -> tuple[Shop, User, Service]:
    shop = await make_shop(sessions, {"main": panel.url})
    user = await make_customer(sessions, balance="20")
    service = await make_service(sessions, "main")
    panel.set_catalog(
        [
            {
                "service": service.panel_service_id,
                "name": "F",
                "type": "Default",
                "category": "C",
                "rate": "0.9",
                "min": "10",
                "max": "10000",
            }
        ]
    )
    return shop, user, service


def registry(panel: FakePanel, **options: object) -> PanelRegistry:
    return PanelRegistry([PanelSpec("main", panel.url, panel.key)], retries=0, **options)


async def reserve(shop: Shop, user: User, service: Service) -> ordering.Reservation:
    request = OrderRequest(
        service_id=service.panel_service_id,
        service_type=ServiceType.DEFAULT,
        link="https://instagram.com/x",
        quantity=1000,
    )
    return await ordering.reserve(
        shop.sessions,
        shop.rules,
        user_id=user.id,
        service_id=service.id,
        request=request,
        request_key="k1",
    )


async def order_row(sessions: Sessions, order_id: int) -> Order:
    async with sessions() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def refunds_of(sessions: Sessions, order_id: int) -> list[Decimal]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(LedgerEntry.amount).where(
                    LedgerEntry.reference == f"order:{order_id}",
                    LedgerEntry.kind == LedgerKind.REFUND.value,
                )
            )
        )


async def notes(sessions: Sessions, order_id: int) -> list[str]:
    async with sessions() as session:
        return [
            n
            for n in await session.scalars(
                select(OrderEvent.note)
                .where(OrderEvent.order_id == order_id)
                .order_by(OrderEvent.id)
            )
            if n
        ]


async def balanced(sessions: Sessions) -> bool:
    async with sessions() as session:
        return await ledger.invariant_violations(session) == []


async def hold_now(shop: Shop) -> list[int]:
    """The interrupted-orders check, as if SUBMIT_GRACE had passed."""
    return await hold_interrupted_orders(shop, grace=timedelta(0))


# -- add outcomes -----------------------------------------------------------------------------


async def test_order_field_that_is_not_an_id_fails_and_refunds_once(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop, user, service = await setup(sessions, panel)
        reservation = await reserve(shop, user, service)
        panel.respond("add", {"order": "Not enough funds on balance"})

        placement = await ordering.submit(
            sessions, shop.panels, reservation.order, reservation.target
        )

        assert placement.outcome is Outcome.FAILED
        assert placement.reason == "not_enough_funds"  # the customer's words come from this
        order = await order_row(sessions, reservation.order.id)
        assert (order.state, order.panel_order_id) == ("failed", None)
        assert "Not enough funds on balance" in (order.error or "")
        assert await refunds_of(sessions, order.id) == [order.charge]
        assert order.refunded == order.charge
        # The same answer again (a replay) changes nothing.
        again = await ordering.submit(sessions, shop.panels, reservation.order, reservation.target)
        assert again.outcome is Outcome.DUPLICATE
        assert await refunds_of(sessions, order.id) == [order.charge]
        assert await balanced(sessions)
        await shop.panels.aclose()


# -- the slot wait and the whole call are bounded ---------------------------------------------


def test_submit_bounds_stay_well_under_the_grace_of_the_interrupted_orders_check() -> None:
    defaults = inspect.signature(PanelClient).parameters
    client_bound = sum(
        defaults[name].default for name in ("slot_timeout", "connect_timeout", "timeout")
    )
    assert client_bound < ordering.SUBMIT_DEADLINE
    assert timedelta(seconds=ordering.SUBMIT_DEADLINE) * 3 <= SUBMIT_GRACE


async def test_no_free_slot_in_time_fails_and_refunds_nothing_sent(sessions: Sessions) -> None:
    async with HookedPanel() as panel:
        shop, user, service = await setup(sessions, panel)
        panels = registry(panel, max_concurrency=1, slot_timeout=0.2, timeout=10.0)
        panel.action_latency["status"] = 10.0  # a slow call holds the only slot
        busy = asyncio.create_task(panels.get("main").status("1"))
        await panel.arrived["status"].wait()
        reservation = await reserve(shop, user, service)

        placement = await ordering.submit(sessions, panels, reservation.order, reservation.target)

        assert (placement.outcome, placement.reason) == (Outcome.FAILED, "unavailable")
        assert panel.requests_for("add") == []
        order = await order_row(sessions, reservation.order.id)
        assert order.state == "failed" and order.refunded == order.charge
        assert await refunds_of(sessions, order.id) == [order.charge]
        busy.cancel()
        await panels.aclose()
        await shop.panels.aclose()


@pytest.mark.parametrize("sent", [False, True])
async def test_the_deadline_fails_an_unsent_order_and_holds_a_sent_one(
    sessions: Sessions, sent: bool
) -> None:
    async with HookedPanel() as panel:
        shop, user, service = await setup(sessions, panel)
        # Generous client bounds (a configuration that would outlive the grace): the
        # deadline of submit still ends the call.
        panels = registry(panel, max_concurrency=1, slot_timeout=30.0, timeout=30.0)
        busy = None
        if sent:
            panel.inject(Fault.HANG, action="add")
        else:
            panel.action_latency["status"] = 30.0
            busy = asyncio.create_task(panels.get("main").status("1"))
            await panel.arrived["status"].wait()
        reservation = await reserve(shop, user, service)

        placement = await ordering.submit(
            sessions, panels, reservation.order, reservation.target, deadline=0.3
        )

        order = await order_row(sessions, reservation.order.id)
        if sent:  # it reached the panel: unknown, held, never refunded by itself
            assert placement.outcome is Outcome.REVIEW
            assert len(panel.requests_for("add")) == 1
            assert order.state == "review" and order.refunded == 0
        else:  # it never left: a definite failure, refunded
            assert (placement.outcome, placement.reason) == (Outcome.FAILED, "unavailable")
            assert panel.requests_for("add") == []
            assert order.state == "failed" and order.refunded == order.charge
        if busy is not None:
            busy.cancel()
        assert await balanced(sessions)
        await panels.aclose()
        await shop.panels.aclose()


# -- the re-check right before sending --------------------------------------------------------


async def test_an_order_held_before_it_is_sent_is_never_sent(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop, user, service = await setup(sessions, panel)
        reservation = await reserve(shop, user, service)
        assert await hold_now(shop) == [reservation.order.id]  # held while waiting for a slot

        placement = await ordering.submit(
            sessions, shop.panels, reservation.order, reservation.target
        )

        assert placement.outcome is Outcome.HELD
        assert panel.requests_for("add") == []
        order = await order_row(sessions, reservation.order.id)
        assert order.state == "review" and order.refunded == 0
        assert "never sent" in (order.error or "")  # the admin knows a refund is safe
        assert any("never sent" in note for note in await notes(sessions, order.id))
        await shop.panels.aclose()


# -- a panel answer that arrives after the hold -----------------------------------------------


async def test_panel_id_for_an_order_held_while_in_flight_is_stored_and_polled(
    sessions: Sessions,
) -> None:
    async with HookedPanel() as panel:
        shop, user, service = await setup(sessions, panel)
        reservation = await reserve(shop, user, service)
        held: list[int] = []

        async def reconcile_wins() -> None:
            held.extend(await hold_now(shop))

        panel.hook = reconcile_wins

        placement = await ordering.submit(
            sessions, shop.panels, reservation.order, reservation.target
        )

        assert held == [reservation.order.id]  # the check did hold it while in flight
        assert placement.outcome is Outcome.PLACED and placement.held_first
        order = await order_row(sessions, reservation.order.id)
        assert (order.state, order.panel_order_id) == ("pending", "23501")
        assert order.placed_at is not None and order.refunded == 0
        assert any("panel order 23501" in note for note in await notes(sessions, order.id))
        # It left the review list: nobody is offered to refund a delivered order.
        total, _ = await review.held(sessions, 10)
        assert total == 0
        assert len(panel.requests_for("add")) == 1
        await shop.panels.aclose()


async def test_panel_id_for_an_order_an_admin_refunded_meanwhile_is_kept(
    sessions: Sessions,
) -> None:
    async with HookedPanel() as panel:
        shop, user, service = await setup(sessions, panel)
        reservation = await reserve(shop, user, service)
        order_id = reservation.order.id

        async def held_and_refunded() -> None:
            assert await hold_now(shop) == [order_id]
            result = await refunds.refund_order(
                sessions,
                admin_id=1,
                order_id=order_id,
                amount=None,
                key=review.review_key(order_id),
                review_only=True,
            )
            assert result.status is refunds.RefundStatus.APPLIED

        panel.hook = held_and_refunded

        placement = await ordering.submit(
            sessions, shop.panels, reservation.order, reservation.target
        )

        assert placement.outcome is Outcome.LATE_PLACED
        assert placement.panel_order_id == "23501"
        order = await order_row(sessions, order_id)
        assert order.state == "failed"  # money moved once, by the admin; nothing more here
        assert order.panel_order_id == "23501"  # never discarded: /order 23501 finds it
        assert await refunds_of(sessions, order_id) == [order.charge]
        assert any("panel order 23501" in note for note in await notes(sessions, order_id))
        assert await balanced(sessions)
        await shop.panels.aclose()


async def test_a_rejection_after_the_hold_keeps_it_held_with_the_reason(
    sessions: Sessions,
) -> None:
    async with HookedPanel() as panel:
        shop, user, service = await setup(sessions, panel)
        reservation = await reserve(shop, user, service)

        async def reconcile_wins() -> None:
            await hold_now(shop)

        panel.hook = reconcile_wins
        panel.respond("add", {"error": "Not enough funds on balance"})

        placement = await ordering.submit(
            sessions, shop.panels, reservation.order, reservation.target
        )

        assert placement.outcome is Outcome.HELD
        order = await order_row(sessions, reservation.order.id)
        assert order.state == "review" and order.refunded == 0
        assert "did not place it" in (order.error or "")
        await shop.panels.aclose()
