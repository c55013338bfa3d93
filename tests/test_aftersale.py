"""After-sale domain without Telegram: a migrated SQLite and a fake panel over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import ErrorKind, OrderInfo, OrderStatus, PanelRegistry, PanelSpec
from bot.shop import aftersale, ledger
from bot.shop.aftersale import CancelOutcome, RefillOutcome
from storage.models import (
    Category,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderState,
    Panel,
    Refill,
    Service,
    User,
)
from storage.types import utcnow
from tests.fakes.panel_server import FakePanel, Fault

PRECISION = 2
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def panel() -> AsyncIterator[FakePanel]:
    async with FakePanel() as fake:
        yield fake


@pytest.fixture
async def panels(panel: FakePanel) -> AsyncIterator[PanelRegistry]:
    registry = PanelRegistry([PanelSpec("main", panel.url, panel.key)], retries=0, timeout=5)
    yield registry
    await registry.aclose()


async def seed_service(sessions: Sessions, *, refill: bool = True, cancel: bool = True) -> int:
    async with sessions() as session, session.begin():
        panel = await session.scalar(select(Panel).where(Panel.name == "main"))
        if panel is None:
            panel = Panel(name="main", url="http://panel", dialect="v2")
            session.add(panel)
            session.add(category := Category(name="Followers"))
            await session.flush()
        else:
            category = await session.scalar(select(Category))
        assert category is not None
        service = Service(
            panel_id=panel.id,
            panel_service_id=f"s{refill}{cancel}",
            category_id=category.id,
            name="IG Followers",
            type="default",
            rate=Decimal("0.9"),
            min_quantity=10,
            max_quantity=10_000,
            refill=refill,
            cancel=cancel,
        )
        session.add(service)
        await session.flush()
        return service.id


async def new_user(sessions: Sessions, telegram_id: int, funds: str = "100") -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, language="en")
        session.add(user)
        await session.flush()
        await ledger.apply(
            session,
            user_id=user.id,
            amount=Decimal(funds),
            kind=LedgerKind.CREDIT,
            key=f"seed:{user.id}",
        )
        return user.id


async def new_order(
    sessions: Sessions,
    user_id: int,
    service_id: int,
    *,
    state: OrderState = OrderState.PENDING,
    panel_order_id: str | None = "23501",
    charge: str = "1.00",
    quantity: int = 1000,
    age: int = 0,
) -> Order:
    """An order as the wizard leaves it: paid through the ledger, placed on the panel."""
    async with sessions() as session, session.begin():
        service = await session.get(Service, service_id)
        assert service is not None
        created = utcnow() - timedelta(minutes=age)
        order = Order(
            user_id=user_id,
            service_id=service_id,
            panel_id=service.panel_id,
            panel_order_id=panel_order_id,
            state=state.value,
            link="https://instagram.com/x",
            quantity=quantity,
            charge=Decimal(charge),
            cost=Decimal("0.9"),
            request_key=f"k:{user_id}:{panel_order_id}:{age}",
            created_at=created,
        )
        session.add(order)
        await session.flush()
        await ledger.apply(
            session,
            user_id=user_id,
            amount=-Decimal(charge),
            kind=LedgerKind.ORDER,
            key=f"order:{order.id}",
            reference=f"order:{order.id}",
        )
        return order


async def fetch(sessions: Sessions, order_id: int) -> Order:
    async with sessions() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        return order


async def balance(sessions: Sessions, user_id: int) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user_id)


async def refund_entries(sessions: Sessions) -> int:
    async with sessions() as session:
        return (
            await session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == LedgerKind.REFUND.value)
            )
            or 0
        )


async def invariant_holds(sessions: Sessions) -> bool:
    async with sessions() as session:
        return await ledger.invariant_violations(session) == []


def info(status: str, remains: int | None = 0, start_count: int | None = 100) -> OrderInfo:
    return OrderInfo(
        "23501", OrderStatus.parse(status), status, Decimal("0.9"), start_count, remains, "USD"
    )


async def apply(
    sessions: Sessions, order_id: int, status: OrderInfo
) -> aftersale.StatusChange | None:
    async with sessions() as session, session.begin():
        order = await session.get(Order, order_id)
        assert order is not None
        return await aftersale.apply_status(session, order, status, PRECISION)


# -- apply_status --------------------------------------------------------------------------


async def test_pending_to_in_progress_stores_counts_without_money(sessions: Sessions) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    change = await apply(sessions, order.id, info("In progress", remains=600, start_count=3572))
    assert change == aftersale.StatusChange(
        order.id, user_id, OrderState.PENDING, OrderState.IN_PROGRESS, Decimal(0)
    )
    stored = await fetch(sessions, order.id)
    assert (stored.state, stored.start_count, stored.remains, stored.panel_status) == (
        "in_progress",
        3572,
        600,
        "In progress",
    )
    # The same status again: counts are updated, no transition.
    assert await apply(sessions, order.id, info("In progress", remains=300)) is None
    assert (await fetch(sessions, order.id)).remains == 300
    assert await balance(sessions, user_id) == Decimal("99.00")


@pytest.mark.parametrize(
    ("status", "remains", "state", "refund"),
    [
        ("Completed", 0, OrderState.COMPLETED, "0"),
        ("Partial", 157, OrderState.PARTIAL, "0.16"),  # 1.00 × 157/1000 = 0.157, rounded up
        ("Canceled", 1000, OrderState.CANCELED, "1.00"),
        ("Refunded", 0, OrderState.REFUNDED, "1.00"),
    ],
)
async def test_terminal_status_refunds_once(
    sessions: Sessions, status: str, remains: int, state: OrderState, refund: str
) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(
        sessions, user_id, await seed_service(sessions), state=OrderState.IN_PROGRESS
    )
    change = await apply(sessions, order.id, info(status, remains=remains))
    assert change is not None and change.to_state is state
    assert change.refunded == Decimal(refund)
    assert await apply(sessions, order.id, info(status, remains=remains)) is None  # twice
    stored = await fetch(sessions, order.id)
    assert stored.state == state.value and stored.refunded == Decimal(refund)
    assert stored.finished_at is not None
    assert await balance(sessions, user_id) == Decimal("99.00") + Decimal(refund)
    assert await refund_entries(sessions) == (0 if refund == "0" else 1)
    assert await invariant_holds(sessions)


async def test_concurrent_terminal_status_refunds_once(sessions: Sessions) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    changes = await asyncio.gather(*(apply(sessions, order.id, info("Canceled")) for _ in range(5)))
    assert len([c for c in changes if c is not None]) == 1
    assert await balance(sessions, user_id) == Decimal("100.00")
    assert await refund_entries(sessions) == 1
    assert await invariant_holds(sessions)


async def test_partial_without_remains_goes_to_review_unrefunded(sessions: Sessions) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    change = await apply(sessions, order.id, info("Partial", remains=None))
    assert change is not None and change.to_state is OrderState.REVIEW
    assert change.refunded == 0 and await refund_entries(sessions) == 0


async def test_unknown_status_and_finished_orders_are_left_alone(sessions: Sessions) -> None:
    user_id = await new_user(sessions, 1)
    service_id = await seed_service(sessions)
    open_order = await new_order(sessions, user_id, service_id)
    done = await new_order(sessions, user_id, service_id, state=OrderState.COMPLETED, age=1)
    assert await apply(sessions, open_order.id, info("Weird")) is None
    assert await apply(sessions, done.id, info("Canceled")) is None
    assert (await fetch(sessions, done.id)).state == "completed"
    assert await refund_entries(sessions) == 0


# -- listing -------------------------------------------------------------------------------


async def test_pages_are_newest_first_and_only_the_customers(sessions: Sessions) -> None:
    alice, bob = await new_user(sessions, 1), await new_user(sessions, 2)
    service_id = await seed_service(sessions)
    ids = [
        (await new_order(sessions, alice, service_id, panel_order_id=str(i), age=10 - i)).id
        for i in range(7)
    ]
    foreign = await new_order(sessions, bob, service_id, panel_order_id="99")
    first = await aftersale.order_page(sessions, alice, 0, 5)
    assert (first.total, first.pages, first.page) == (7, 2, 0)
    assert [v.order.id for v in first.views] == ids[::-1][:5]
    last = await aftersale.order_page(sessions, alice, 9, 5)  # an old button past the end
    assert last.page == 1 and [v.order.id for v in last.views] == ids[1::-1]
    assert await aftersale.load_order(sessions, alice, foreign.id) is None
    assert await aftersale.load_order(sessions, alice, 10_000) is None


# -- refresh -------------------------------------------------------------------------------


async def test_refresh_applies_live_status(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    panel.set_order("23501", "Partial", remains="500", start_count="10")
    result = await aftersale.refresh(sessions, panels, user_id, order.id, PRECISION)
    assert result is not None and not result.unreachable
    assert result.change is not None and result.change.refunded == Decimal("0.50")
    assert (result.view.state, result.view.order.remains) == (OrderState.PARTIAL, 500)
    assert panel.requests_for("status")[0].fields == {"action": "status", "order": "23501"}
    # A finished order is not asked about again.
    again = await aftersale.refresh(sessions, panels, user_id, order.id, PRECISION)
    assert again is not None and again.change is None and len(panel.requests_for("status")) == 1
    assert await refund_entries(sessions) == 1


async def test_refresh_panel_down_keeps_data_and_foreign_is_none(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id, other = await new_user(sessions, 1), await new_user(sessions, 2)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    panel.inject(Fault.HTML_502, action="status")
    result = await aftersale.refresh(sessions, panels, user_id, order.id, PRECISION)
    assert result is not None and result.unreachable and result.view.state is OrderState.PENDING
    assert await aftersale.refresh(sessions, panels, other, order.id, PRECISION) is None
    assert len(panel.requests_for("status")) == 1  # the foreign call never reached the panel


# -- refill --------------------------------------------------------------------------------


async def test_refill_requested_once_at_a_time(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(
        sessions, user_id, await seed_service(sessions), state=OrderState.COMPLETED
    )
    panel.set_order("23501", "Completed", remains="0")
    first, second = await asyncio.gather(
        aftersale.request_refill(sessions, panels, user_id, order.id),
        aftersale.request_refill(sessions, panels, user_id, order.id),
    )
    outcomes = sorted([first.outcome, second.outcome])  # type: ignore[union-attr]
    assert outcomes == [RefillOutcome.IN_PROGRESS, RefillOutcome.REQUESTED]
    assert [r.fields for r in panel.requests_for("refill")] == [
        {"action": "refill", "order": "23501"}
    ]
    async with sessions() as session:
        refills = list(await session.scalars(select(Refill)))
    assert [(r.order_id, r.state, r.panel_refill_id) for r in refills] == [
        (order.id, "pending", "1")
    ]


async def test_refill_refused_by_panel_or_not_allowed(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id = await new_user(sessions, 1)
    service_id = await seed_service(sessions)
    done = await new_order(sessions, user_id, service_id, state=OrderState.PARTIAL)
    panel.set_order("23501", "Partial")
    panel.refill_errors["23501"] = "Refill is not available for this order yet"
    result = await aftersale.request_refill(sessions, panels, user_id, done.id)
    assert result is not None and result.outcome is RefillOutcome.REJECTED
    assert result.message == "Refill is not available for this order yet"
    running = await new_order(sessions, user_id, service_id, panel_order_id="7", age=1)
    no_refill = await new_order(
        sessions,
        user_id,
        await seed_service(sessions, refill=False),
        state=OrderState.COMPLETED,
        panel_order_id="8",
        age=2,
    )
    for order_id in (running.id, no_refill.id):
        refused = await aftersale.request_refill(sessions, panels, user_id, order_id)
        assert refused is not None and refused.outcome is RefillOutcome.NOT_ALLOWED
    assert len(panel.requests_for("refill")) == 1
    # A refused refill does not block a later one.
    del panel.refill_errors["23501"]
    retry = await aftersale.request_refill(sessions, panels, user_id, done.id)
    assert retry is not None and retry.outcome is RefillOutcome.REQUESTED


# -- cancel --------------------------------------------------------------------------------


async def test_cancel_requested_without_refund(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id = await new_user(sessions, 1)
    order = await new_order(sessions, user_id, await seed_service(sessions))
    panel.set_order("23501", "In progress")
    result = await aftersale.request_cancel(sessions, panels, user_id, order.id)
    assert result == aftersale.CancelRequest(CancelOutcome.REQUESTED)
    assert [r.fields for r in panel.requests_for("cancel")] == [
        {"action": "cancel", "orders": "23501"}
    ]
    assert (await fetch(sessions, order.id)).state == "pending"
    assert await balance(sessions, user_id) == Decimal("99.00")  # the refund comes later


async def test_cancel_rejected_not_allowed_and_foreign(
    sessions: Sessions, panels: PanelRegistry, panel: FakePanel
) -> None:
    user_id, other = await new_user(sessions, 1), await new_user(sessions, 2)
    service_id = await seed_service(sessions)
    order = await new_order(sessions, user_id, service_id)
    panel.set_order("23501", "In progress")
    panel.cancel_errors["23501"] = "Order cannot be canceled"
    result = await aftersale.request_cancel(sessions, panels, user_id, order.id)
    assert result == aftersale.CancelRequest(
        CancelOutcome.REJECTED, "Order cannot be canceled", ErrorKind.CANCEL_NOT_ALLOWED, "main"
    )
    done = await new_order(sessions, user_id, service_id, state=OrderState.COMPLETED, age=1)
    refused = await aftersale.request_cancel(sessions, panels, user_id, done.id)
    assert refused is not None and refused.outcome is CancelOutcome.NOT_ALLOWED
    assert await aftersale.request_cancel(sessions, panels, other, order.id) is None
    assert len(panel.requests_for("cancel")) == 1
