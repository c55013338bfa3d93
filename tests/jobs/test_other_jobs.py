"""Refill polling, catalog sync, the balance watch and startup reconciliation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.balances import check_balances
from bot.jobs.reconcile import hold_interrupted_orders
from bot.jobs.refills import poll_refills
from bot.shop import ledger
from bot.shop.catalog_sync import sync_catalogs
from storage.models import Category, Order, OrderState, Refill, Service
from storage.types import utcnow
from tests.fakes.panel_server import FakePanel
from tests.jobs.factory import make_customer, make_service, make_shop, place_order


async def test_refill_flow(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "91", state=OrderState.COMPLETED)
        async with sessions() as session, session.begin():
            for panel_refill_id in ("7", "8", "9"):
                session.add(
                    Refill(order_id=order.id, panel_refill_id=panel_refill_id, state="pending")
                )
        panel.set_refill("7", "Completed")
        panel.set_refill("8", "Rejected")
        # "9" is unknown to the panel: a per-ID error that must not stop the others.

        changes = await poll_refills(shop)
        again = await poll_refills(shop)

        assert sorted(c.state for c in changes) == ["completed", "rejected"]
        assert {c.telegram_id for c in changes} == {user.telegram_id}
        assert again == []
        async with sessions() as session:
            rows = {r.panel_refill_id: r for r in await session.scalars(select(Refill))}
        assert rows["7"].state == "completed" and rows["8"].state == "rejected"
        assert rows["9"].state == "pending" and rows["9"].error == "Refill not found"
        await shop.panels.aclose()


async def test_catalog_sync_adds_changes_disables_and_keeps_overrides(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rows = [
        {
            "service": 1,
            "name": "Followers",
            "type": "Default",
            "category": "Instagram",
            "rate": "0.90",
            "min": "50",
            "max": "10000",
            "refill": True,
            "cancel": True,
        },
        {
            "service": 2,
            "name": "Comments",
            "type": "Custom Comments",
            "category": "Instagram",
            "rate": "8",
            "min": "10",
            "max": "1500",
            "refill": False,
            "cancel": True,
        },
    ]
    async with FakePanel() as panel:
        panel.set_catalog(rows)
        shop = await make_shop(sessions, {"main": panel.url})
        first = await sync_catalogs(shop)
        assert (first[0].added, first[0].changed, first[0].disabled) == (2, 0, 0)

        async with sessions() as session, session.begin():  # an admin's decisions
            followers = await session.scalar(select(Service).where(Service.panel_service_id == "1"))
            assert followers is not None
            followers.name_ar, followers.markup_percent = "متابعين", Decimal("50")
            followers.enabled = False

        rows[0] = {**rows[0], "rate": "1.25", "max": "20000", "name": "Followers HQ"}
        panel.set_catalog([rows[0], {**rows[1], "service": 3, "category": "TikTok"}])
        second = await sync_catalogs(shop)
        assert (second[0].added, second[0].changed, second[0].disabled) == (1, 1, 1)

        async with sessions() as session:
            services = {s.panel_service_id: s for s in await session.scalars(select(Service))}
            categories = {c.name for c in await session.scalars(select(Category))}
        followers = services["1"]
        assert (followers.rate, followers.max_quantity, followers.name) == (
            Decimal("1.25"),
            20000,
            "Followers HQ",
        )
        assert (followers.name_ar, followers.markup_percent, followers.enabled) == (
            "متابعين",
            Decimal("50"),
            False,
        )
        assert services["2"].available is False  # vanished: kept for its orders' history
        assert services["3"].available is True
        assert categories == {"Instagram", "TikTok"}
        await shop.panels.aclose()


async def test_low_balance_alert_once_and_recovery_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url}, low_balance_alert="20")
        panel.balance = "100.5"
        assert await check_balances(shop) == []
        panel.balance = "5.25"
        alerts = await check_balances(shop)
        assert [(a.panel, a.low, a.balance) for a in alerts] == [("main", True, Decimal("5.25"))]
        assert await check_balances(shop) == []  # still low: no second alert
        panel.balance = "50"
        assert [a.low for a in await check_balances(shop)] == [False]
        assert await check_balances(shop) == []
        await shop.panels.aclose()


async def test_interrupted_orders_are_held_never_refunded_or_resent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions, balance="20")
        service = await make_service(sessions, "main")
        crashed = await place_order(sessions, user, service, "x", state=OrderState.SUBMITTING)
        fine = await place_order(sessions, user, service, "y")

        assert await hold_interrupted_orders(shop) == []  # young: may still be in flight
        async with sessions() as session, session.begin():  # ... six minutes later
            await session.execute(
                update(Order)
                .where(Order.id == crashed.id)
                .values(updated_at=utcnow() - timedelta(minutes=6))
            )

        held = await hold_interrupted_orders(shop)

        assert held == [crashed.id]
        assert await hold_interrupted_orders(shop) == []
        async with sessions() as session:
            states = {o.id: o.state for o in await session.scalars(select(Order))}
            assert await ledger.balance_of(session, user.id) == Decimal("0")
        assert states == {crashed.id: "review", fine.id: "pending"}
        assert panel.requests_for("add") == []
        await shop.panels.aclose()
