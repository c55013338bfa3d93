"""Polling never starves (issue 15, points 1-2): a panel that rejects multi status as a whole is
asked one order per request in the same cycle, its Canceled order refunded at once, and the
form that worked is stored and used from the next cycle on (and after a restart). Real HTTP
against the fake panel, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.refills import poll_refills
from bot.jobs.statuses import poll_statuses
from bot.panel import PanelRegistry, PanelSpec
from bot.shop import ledger, profiles
from storage.models import Order, OrderState, Panel, Refill
from tests.fakes.panel_server import FakePanel, ReceivedRequest, Scripted
from tests.jobs.factory import make_customer, make_service, make_shop, place_order

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
Sessions = async_sessionmaker[AsyncSession]
KEY = "test-key-0123456789"


def _no_multi_status(body: Any, status: int) -> Callable[[ReceivedRequest], Awaitable[Any]]:
    """A panel that answers only `action=status&order=N` (multi rejected with `body`)."""

    async def before(request: ReceivedRequest) -> Scripted | None:
        if request.action == "status" and "orders" in request.form:
            return Scripted(body, status)
        return None

    return before


def _multi_requests(panel: FakePanel) -> list[ReceivedRequest]:
    return [r for r in panel.requests if "orders" in r.form]


async def _stored_profile(sessions: Sessions, name: str = "main") -> dict[str, Any] | None:
    async with sessions() as session:
        return await session.scalar(select(Panel.profile).where(Panel.name == name))


async def _state(sessions: Sessions, order_id: int) -> str:
    async with sessions() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        return order.state


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"error": "order id(s) required"}, 200),
        ({"error": "order id(s) required"}, 422),
        ({"error": "Incorrect request"}, 400),
        ("", 422),
    ],
)
async def test_panel_without_multi_status_refunds_at_once_and_learns(
    sessions: Sessions,
    body: Any,
    status: int,
) -> None:
    async with FakePanel() as panel:
        panel.chaos_before = _no_multi_status(body, status)
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="20.00")
        service = await make_service(sessions, "main")
        canceled = await place_order(sessions, user, service, "501", charge="10.00")
        running = await place_order(sessions, user, service, "502", charge="10.00")
        panel.set_order("501", "Canceled", remains="1000")
        panel.set_order("502", "In progress", remains="1000")

        await poll_statuses(shop)

        assert await _state(sessions, canceled.id) == OrderState.CANCELED.value
        assert await _state(sessions, running.id) == OrderState.IN_PROGRESS.value
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal("10.00")
            assert await ledger.invariant_violations(session) == []
        assert shop.panels.get("main").profile.multi_status == "single"
        assert (await _stored_profile(sessions) or {}).get("multi_status") == "single"

        # Next cycle: no multi request at all, one request per open order.
        panel.requests.clear()
        panel.set_order("502", "Partial", remains="500")
        await poll_statuses(shop)
        assert _multi_requests(panel) == []
        assert [r.fields for r in panel.requests] == [{"action": "status", "order": "502"}]
        assert await _state(sessions, running.id) == OrderState.PARTIAL.value
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal("15.00")
            assert await ledger.invariant_violations(session) == []
        await shop.panels.aclose()


async def test_many_open_orders_on_a_single_status_panel_are_all_polled(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        panel.chaos_before = _no_multi_status({"error": "order id(s) required"}, 200)
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="1000.00")
        service = await make_service(sessions, "main")
        placed = [
            await place_order(sessions, user, service, str(600 + i), charge="1.00")
            for i in range(130)
        ]
        for i in range(130):
            panel.set_order(str(600 + i), "Canceled", remains="1000")

        await poll_statuses(shop)

        for order in placed:
            assert await _state(sessions, order.id) == OrderState.CANCELED.value
        async with sessions() as session:
            assert await ledger.balance_of(session, user.id) == Decimal("1000.00")
        singles = [r for r in panel.requests if "order" in r.form]
        assert sorted(r.form["order"] for r in singles) == sorted(str(600 + i) for i in range(130))
        await shop.panels.aclose()


async def test_multistatus_only_panel(sessions: Sessions) -> None:
    async with FakePanel() as panel:

        async def before(request: ReceivedRequest) -> Scripted | None:
            if request.action == "status":
                return Scripted({"error": "order id(s) required"}, 422)
            if request.action == "multistatus":
                return Scripted(panel._status({"orders": request.form["orders"]}))
            return None

        panel.chaos_before = before
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10.00")
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "701", charge="10.00")
        panel.set_order("701", "Canceled", remains="1000")

        await poll_statuses(shop)

        assert await _state(sessions, order.id) == OrderState.CANCELED.value
        assert [r.action for r in panel.requests] == ["status", "multistatus"]
        assert (await _stored_profile(sessions) or {}).get("multi_status") == "multistatus"
        order2 = await place_order(sessions, user, service, "702", charge="0")
        panel.set_order("702", "In progress", remains="1000")
        panel.requests.clear()
        await poll_statuses(shop)
        assert [r.fields for r in panel.requests] == [{"action": "multistatus", "orders": "702"}]
        assert await _state(sessions, order2.id) == OrderState.IN_PROGRESS.value
        await shop.panels.aclose()


async def test_multi_panel_keeps_ceil_n_over_100_and_learns_nothing(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="1000.00")
        service = await make_service(sessions, "main")
        for i in range(150):
            await place_order(sessions, user, service, str(900 + i), charge="1.00")
            panel.set_order(str(900 + i), "In progress", remains="1000")
        report = await poll_statuses(shop)
        assert report.requests == {"main": 2}
        assert len(panel.requests) == 2
        assert await _stored_profile(sessions) is None
        await shop.panels.aclose()


async def test_learned_profile_survives_a_restart_and_a_pin_wins(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        panel.chaos_before = _no_multi_status({"error": "order id(s) required"}, 200)
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="10.00")
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "801", charge="10.00")
        panel.set_order("801", "In progress", remains="1000")
        await poll_statuses(shop)
        await shop.panels.aclose()

        # A restart: a new client knows nothing until the stored profile is loaded.
        shop = dataclasses.replace(
            shop, panels=PanelRegistry([PanelSpec("main", panel.url, KEY)], retries=0)
        )
        await profiles.load_learned(shop)
        assert shop.panels.get("main").profile.multi_status == "single"
        panel.requests.clear()
        panel.set_order("801", "Canceled", remains="1000")
        await poll_statuses(shop)
        assert _multi_requests(panel) == []
        assert await _state(sessions, order.id) == OrderState.CANCELED.value
        await shop.panels.aclose()

        # The owner pins the documented form: it wins over what was learned, and a rejection
        # never unlearns it (the stored learned profile is left as it was).
        shop = dataclasses.replace(
            shop,
            panels=PanelRegistry(
                [PanelSpec("main", panel.url, KEY, profile={"multi_status": "orders"})], retries=0
            ),
        )
        await profiles.load_learned(shop)
        client = shop.panels.get("main")
        assert client.profile.multi_status == "orders"
        assert client.learned.multi_status == "single"
        await place_order(sessions, user, service, "802", charge="0")
        panel.set_order("802", "In progress", remains="1000")
        panel.requests.clear()
        await poll_statuses(shop)
        assert [r.fields for r in panel.requests] == [{"action": "status", "orders": "802"}]
        assert client.profile.multi_status == "orders"
        await shop.panels.aclose()


async def test_refill_statuses_fall_back_to_one_per_refill(sessions: Sessions) -> None:
    async with FakePanel() as panel:

        async def before(request: ReceivedRequest) -> Scripted | None:
            if request.action == "refill_status" and "refills" in request.form:
                return Scripted({"error": "refill id required"}, 422)
            return None

        panel.chaos_before = before
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "91", state=OrderState.COMPLETED)
        async with sessions() as session, session.begin():
            for panel_refill_id in ("7", "8"):
                session.add(
                    Refill(order_id=order.id, panel_refill_id=panel_refill_id, state="pending")
                )
        panel.set_refill("7", "Completed")
        panel.set_refill("8", "Rejected")

        changes = await poll_refills(shop)

        assert sorted(c.state for c in changes) == ["completed", "rejected"]
        assert (await _stored_profile(sessions) or {}).get("multi_refill_status") == "single"
        panel.requests.clear()
        async with sessions() as session, session.begin():
            session.add(Refill(order_id=order.id, panel_refill_id="9", state="pending"))
        panel.set_refill("9", "Completed")
        assert [c.state for c in await poll_refills(shop)] == ["completed"]
        assert [r.fields for r in panel.requests] == [{"action": "refill_status", "refill": "9"}]
        await shop.panels.aclose()


async def test_refill_param_learned_from_a_customer_refill_and_stored(sessions: Sessions) -> None:
    from bot.shop import aftersale
    from bot.shop.aftersale import RefillOutcome

    async with FakePanel() as panel:

        async def before(request: ReceivedRequest) -> Scripted | None:
            if request.action != "refill":
                return None
            if "refill" in request.form:  # this panel names the order `refill=`
                return Scripted({"refill": "31"})
            return Scripted({"error": "order id required"})

        panel.chaos_before = before
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "95", state=OrderState.COMPLETED)

        first = await aftersale.request_refill(sessions, shop.panels, user.id, order.id)
        assert first is not None and first.outcome is RefillOutcome.REJECTED
        assert [r.fields for r in panel.requests_for("refill")] == [
            {"action": "refill", "order": "95"}
        ]  # sent once, never re-sent in another form
        await poll_statuses(shop)  # the cycle stores what was learned
        assert (await _stored_profile(sessions) or {}).get("refill_param") == "refill"

        again = await aftersale.request_refill(sessions, shop.panels, user.id, order.id)
        assert again is not None and again.outcome is RefillOutcome.REQUESTED
        assert [r.fields for r in panel.requests_for("refill")][1:] == [
            {"action": "refill", "refill": "95"}
        ]
        await shop.panels.aclose()


@pytest.mark.parametrize(
    ("answer", "serves"),
    [({"error": "Refill not found"}, True), ({"error": "This action is Invalid"}, False)],
)
async def test_catalog_sync_learns_whether_a_v1_panel_serves_refill(
    sessions: Sessions, answer: dict[str, str], serves: bool
) -> None:
    from bot.shop.catalog_sync import sync_one

    async with FakePanel(dialect="v1") as panel:
        panel.respond("refill_status", answer)
        shop = await make_shop(sessions, {"main": panel.url})
        client = shop.panels.get("main")
        assert not client.supports_refill  # unknown until the panel shows it
        assert await sync_one(shop, client) is not None
        assert client.supports_refill is serves and client.supports_cancel is serves
        assert (await _stored_profile(sessions) or {}).get("v1_refill") is serves
        await sync_one(shop, client)
        assert len(panel.requests_for("refill_status")) == 1  # known: not asked again
        await shop.panels.aclose()
