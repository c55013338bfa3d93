"""Confirm's writes in groups (bot/shop/group_commit.py with ordering.reserve_group and
ordering.settle_placed_group).

A real database (SQLite, or PostgreSQL with TEST_DATABASE=postgresql). Confirmations made at
the same moment share one write transaction, and so do the panel's acceptances; each still gets
exactly the outcome it would have got alone, and money moves exactly once per order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.context import Shop
from bot.panel import InvalidOrderParams, OrderRequest, ServiceType
from bot.shop import ledger, ordering, orders
from bot.shop.group_commit import GroupCommit
from bot.shop.ordering import Outcome, Placed, ReserveAsk
from storage.models import LedgerEntry, Order, OrderEvent, OrderState, Service, User
from tests.jobs.factory import make_customer, make_service, make_shop

Sessions = async_sessionmaker[AsyncSession]


@contextmanager
def commits(engine: AsyncEngine) -> Iterator[list[int]]:
    """Counts the transactions committed on the engine while the block runs."""
    seen: list[int] = []

    def on_commit(_connection: Any) -> None:
        seen.append(1)

    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "commit", on_commit)


def request_for(service: Service, quantity: int = 1000) -> OrderRequest:
    return OrderRequest(
        service_id=service.panel_service_id,
        service_type=ServiceType.DEFAULT,
        link="https://instagram.com/p/x",
        quantity=quantity,
    )


async def setup(sessions: Sessions) -> tuple[Shop, Service, Decimal]:
    """A shop, a service and its price for 1000 (read as Confirm's own pricing reads it)."""
    shop = await make_shop(sessions, {"main": "http://127.0.0.1:9"})
    service = await make_service(sessions, "main")
    async with sessions() as session:
        priced = await ordering.price(session, shop.rules, service.id, request_for(service))
    return shop, service, priced.quote.price


def confirm(shop: Shop, user: User, service: Service, key: str, **overrides: Any) -> Any:
    options: dict[str, Any] = {
        "user_id": user.id,
        "service_id": service.id,
        "request": request_for(service),
        "request_key": key,
    }
    options.update(overrides)
    return shop.reserves.run(ReserveAsk(shop.rules, **options))


async def balance(sessions: Sessions, user: User) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user.id)


async def assert_books_balance(sessions: Sessions) -> None:
    async with sessions() as session:
        assert await ledger.invariant_violations(session) == []


async def test_confirmations_at_once_share_one_transaction(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    shop, service, price = await setup(sessions)
    users = [await make_customer(sessions, balance="50") for _ in range(10)]
    with commits(engine) as committed:
        reservations = await asyncio.gather(
            *(confirm(shop, user, service, f"k{user.id}") for user in users)
        )
    assert len(committed) == 1  # ten orders, one write transaction
    assert all(r.created for r in reservations)
    assert len({r.order.id for r in reservations}) == 10
    for user, reservation in zip(users, reservations, strict=True):
        assert reservation.order.user_id == user.id
        assert reservation.order.charge == price
        assert reservation.target is not None
        assert reservation.target.panel_name == "main"
        assert reservation.target.panel_service_id == service.panel_service_id
        assert await balance(sessions, user) == Decimal("50") - price
    async with sessions() as session:
        stored = list(await session.scalars(select(Order).order_by(Order.id)))
        events = list(await session.scalars(select(OrderEvent)))
        entries = await session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "order")
        )
    assert [o.id for o in stored] == sorted(r.order.id for r in reservations)
    assert all(o.state == OrderState.SUBMITTING.value for o in stored)
    assert sorted(e.order_id for e in events) == sorted(o.id for o in stored)
    assert entries == 10
    await assert_books_balance(sessions)


async def test_a_confirmation_that_cannot_be_priced_fails_alone(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    shop, service, price = await setup(sessions)
    user = await make_customer(sessions, balance="50")
    with commits(engine) as committed:
        results = await asyncio.gather(
            confirm(shop, user, service, "good", expected_price=price),
            confirm(shop, user, service, "moved", expected_price=price + 1),
            confirm(shop, user, service, "gone", service_id=service.id + 999),
            confirm(shop, user, service, "few", request=request_for(service, 5)),
            return_exceptions=True,
        )
    good, moved, gone, few = results
    assert isinstance(good, ordering.Reservation) and good.created
    assert isinstance(moved, ordering.PriceChanged) and moved.price == price
    assert isinstance(gone, ordering.ServiceUnavailable)
    assert isinstance(few, InvalidOrderParams)
    assert len(committed) == 1  # the good one was not held back by the others
    assert await balance(sessions, user) == Decimal("50") - price
    async with sessions() as session:
        keys = list(await session.scalars(select(Order.request_key)))
    assert keys == ["good"]
    await assert_books_balance(sessions)


async def test_a_balance_that_covers_only_some_orders_pays_for_those(sessions: Sessions) -> None:
    shop, service, price = await setup(sessions)
    user = await make_customer(sessions, balance=str(price * 2))
    results = await asyncio.gather(
        *(confirm(shop, user, service, f"k{n}") for n in range(5)),
        return_exceptions=True,
    )
    placed = [r for r in results if isinstance(r, ordering.Reservation)]
    refused = [r for r in results if isinstance(r, ledger.InsufficientFunds)]
    assert len(placed) == 2 and all(r.created for r in placed)
    assert len(refused) == 3
    assert await balance(sessions, user) == 0
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Order))
    assert count == 2
    await assert_books_balance(sessions)


async def test_a_double_tap_in_one_group_places_one_order(sessions: Sessions) -> None:
    shop, service, price = await setup(sessions)
    user = await make_customer(sessions, balance="50")
    first, second = await asyncio.gather(
        confirm(shop, user, service, "tap"), confirm(shop, user, service, "tap")
    )
    assert sorted([first.created, second.created]) == [False, True]
    assert first.order.id == second.order.id
    assert await balance(sessions, user) == Decimal("50") - price
    # And a replay long after finds it too.
    again = await confirm(shop, user, service, "tap")
    assert not again.created and again.order.id == first.order.id
    assert await balance(sessions, user) == Decimal("50") - price
    await assert_books_balance(sessions)


async def test_a_caller_cancelled_before_its_group_is_never_charged(sessions: Sessions) -> None:
    shop, service, price = await setup(sessions)
    user = await make_customer(sessions, balance="50")
    waiting = asyncio.create_task(confirm(shop, user, service, "left"))
    await asyncio.sleep(0)  # it is queued, its group not begun
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    later = await confirm(shop, user, service, "stayed")  # the queue still serves
    assert later.created
    assert await balance(sessions, user) == Decimal("50") - price
    async with sessions() as session:
        keys = list(await session.scalars(select(Order.request_key)))
    assert keys == ["stayed"]


async def test_many_confirmations_drain_in_bounded_groups(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    shop, service, price = await setup(sessions)
    user = await make_customer(sessions, balance="1000")
    total = GroupCommit.MAX_GROUP * 2 + 3
    with commits(engine) as committed:
        reservations = await asyncio.gather(
            *(confirm(shop, user, service, f"k{n}") for n in range(total))
        )
    assert all(r.created for r in reservations)
    assert len(committed) == 3  # 32 + 32 + 3
    assert await balance(sessions, user) == Decimal("1000") - price * total
    await assert_books_balance(sessions)


async def reserve_some(shop: Shop, service: Service, count: int) -> list[ordering.Reservation]:
    user = await make_customer(shop.sessions, balance="1000")
    return list(
        await asyncio.gather(*(confirm(shop, user, service, f"p{n}") for n in range(count)))
    )


async def test_acceptances_at_once_are_recorded_in_one_transaction(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    shop, service, _ = await setup(sessions)
    reserved = await reserve_some(shop, service, 6)
    with commits(engine) as committed:
        placements = await asyncio.gather(
            *(shop.placements.run(Placed(r.order, f"panel-{r.order.id}")) for r in reserved)
        )
    assert len(committed) == 1
    assert all(p.outcome is Outcome.PLACED and not p.held_first for p in placements)
    async with sessions() as session:
        for reservation in reserved:
            order = await session.get(Order, reservation.order.id)
            assert order is not None
            assert order.state == OrderState.PENDING.value
            assert order.panel_order_id == f"panel-{order.id}"
            assert order.placed_at is not None
            moves = list(
                await session.scalars(
                    select(OrderEvent.to_state)
                    .where(OrderEvent.order_id == order.id)
                    .order_by(OrderEvent.id)
                )
            )
            assert moves == [OrderState.SUBMITTING.value, OrderState.PENDING.value]
    await assert_books_balance(sessions)


async def test_an_order_held_meanwhile_is_settled_as_it_would_be_alone(
    sessions: Sessions,
) -> None:
    """One order of the group was held for review while its request was in flight: the group
    leaves it to settle_placed, which moves it to pending with the panel's ID, as alone."""
    shop, service, _ = await setup(sessions)
    plain, held, held_alone = await reserve_some(shop, service, 3)
    async with sessions() as session, session.begin():
        for reservation in (held, held_alone):
            assert await orders.transition(
                session,
                reservation.order.id,
                OrderState.REVIEW,
                expected=[OrderState.SUBMITTING],
                note="held",
            )
    grouped = await asyncio.gather(
        shop.placements.run(Placed(plain.order, "A")),
        shop.placements.run(Placed(held.order, "B")),
        shop.placements.run(Placed(plain.order, "A")),  # a replay in the same group
    )
    alone = await ordering.settle_placed(sessions, Placed(held_alone.order, "C"))
    assert grouped[0].outcome is Outcome.PLACED and not grouped[0].held_first
    assert grouped[1].outcome is alone.outcome is Outcome.PLACED
    assert grouped[1].held_first and alone.held_first
    assert grouped[2].outcome is Outcome.DUPLICATE
    async with sessions() as session:
        for order_id, panel_id in ((held.order.id, "B"), (held_alone.order.id, "C")):
            order = await session.get(Order, order_id)
            assert order is not None
            assert (order.state, order.panel_order_id) == (OrderState.PENDING.value, panel_id)
