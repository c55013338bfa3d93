"""The support desk's domain without Telegram: one open ticket per customer (concurrent first
messages included), the relay map, reusing a topic after a close, closing exactly once
(audited), the blocked mark, the header's summary and the per-minute flood cap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import ledger, support
from bot.shop.support import FloodGate, Gate, RelayKind, TicketState
from storage.models import (
    AuditLog,
    Category,
    LedgerKind,
    Order,
    Panel,
    Service,
    SupportTicket,
    User,
)

Sessions = async_sessionmaker[AsyncSession]
GROUP = -1_001_234
STAFF = 770_001
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def customer(sessions: Sessions, telegram_id: int = 42, name: str = "Nora") -> int:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id, first_name=name, username="nora_x", language="ar")
        session.add(user)
        await session.flush()
        return user.id


@both_engines
async def test_one_open_ticket_even_when_first_messages_race(sessions: Sessions) -> None:
    user_id = await customer(sessions)
    results = await asyncio.gather(
        *(support.open_ticket(sessions, user_id, chat_id=GROUP) for _ in range(5))
    )
    assert len({r.ticket.id for r in results}) == 1
    assert [r.new for r in results].count(True) == 1
    opened = results[0].ticket
    assert (opened.telegram_id, opened.first_name, opened.state) == (42, "Nora", TicketState.OPEN)
    again = await support.open_ticket(sessions, user_id, chat_id=GROUP)
    assert (again.ticket.id, again.new) == (opened.id, False)


@both_engines
async def test_a_message_after_close_opens_a_new_ticket_reusing_the_topic(
    sessions: Sessions,
) -> None:
    user_id = await customer(sessions)
    first = (await support.open_ticket(sessions, user_id, chat_id=GROUP)).ticket
    assert (await support.open_ticket(sessions, user_id, chat_id=GROUP)).reuse_thread_id is None
    await support.set_topic(sessions, first.id, chat_id=GROUP, thread_id=77)
    assert await support.close(sessions, first.id, STAFF) is True
    assert await support.close(sessions, first.id, STAFF + 1) is False  # one close wins

    second = await support.open_ticket(sessions, user_id, chat_id=GROUP)
    assert second.new and second.ticket.id != first.id and second.reuse_thread_id == 77
    # The topic holds both; a staff message in it belongs to the latest.
    await support.set_topic(sessions, second.ticket.id, chat_id=GROUP, thread_id=77)
    in_topic = await support.ticket_in_topic(sessions, GROUP, 77)
    assert in_topic is not None and in_topic.id == second.ticket.id
    assert await support.ticket_in_topic(sessions, GROUP, 78) is None

    # Another group (SUPPORT_CHAT_ID changed) or private mode: nothing to reuse.
    assert await support.close(sessions, second.ticket.id, STAFF)
    other = await support.open_ticket(sessions, user_id, chat_id=None)
    assert other.reuse_thread_id is None and other.ticket.chat_id is None

    async with sessions() as session:
        audit = list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))
        closed = await session.get(SupportTicket, first.id)
    assert [(a.action, a.target, a.admin_telegram_id) for a in audit] == [
        ("support_close", f"ticket:{first.id}", STAFF),
        ("support_close", f"ticket:{second.ticket.id}", STAFF),
    ]
    assert closed is not None
    assert (closed.state, closed.open_user_id, closed.closed_by) == ("closed", None, STAFF)
    assert closed.closed_at is not None


@both_engines
async def test_relays_map_both_sides_to_the_ticket(sessions: Sessions) -> None:
    user_id = await customer(sessions)
    other_id = await customer(sessions, 43, "Omar")
    ticket = (await support.open_ticket(sessions, user_id, chat_id=None)).ticket
    await support.record_relay(
        sessions,
        ticket.id,
        RelayKind.HEADER,
        staff_chat_id=900,
        staff_message_id=10,
        customer_message_id=None,
    )
    await support.record_relay(
        sessions,
        ticket.id,
        RelayKind.IN,
        staff_chat_id=900,
        staff_message_id=11,
        customer_message_id=5,
    )
    await support.record_relay(
        sessions,
        ticket.id,
        RelayKind.OUT,
        staff_chat_id=900,
        staff_message_id=12,
        customer_message_id=6,
    )
    for staff_message in (10, 11, 12):
        found = await support.ticket_of_staff_message(sessions, 900, staff_message)
        assert found is not None and found.id == ticket.id
    assert await support.ticket_of_staff_message(sessions, 901, 11) is None
    assert await support.header_in(sessions, ticket.id, 900) == 10
    assert await support.header_in(sessions, ticket.id, 901) is None
    assert await support.headers(sessions, ticket.id) == [(900, 10)]
    # Only a staff answer's copy counts, and only in its own customer's chat.
    assert await support.replied_staff_answer(sessions, user_id, 6) is True
    assert await support.replied_staff_answer(sessions, user_id, 5) is False
    assert await support.replied_staff_answer(sessions, other_id, 6) is False


@both_engines
async def test_blocked_mark_set_once_and_cleared_by_the_customer_writing(
    sessions: Sessions,
) -> None:
    user_id = await customer(sessions)
    ticket = (await support.open_ticket(sessions, user_id, chat_id=GROUP)).ticket
    assert await support.mark_blocked(sessions, ticket.id) is True
    assert await support.mark_blocked(sessions, ticket.id) is False
    reloaded = await support.get(sessions, ticket.id)
    assert reloaded is not None and reloaded.customer_blocked
    # A staff answer does not clear it; the customer's own message does, once.
    kwargs = {"staff_chat_id": GROUP, "customer_message_id": 1}
    assert not await support.record_relay(
        sessions, ticket.id, RelayKind.OUT, staff_message_id=1, **kwargs
    )
    assert await support.record_relay(
        sessions, ticket.id, RelayKind.IN, staff_message_id=2, **kwargs
    )
    assert not await support.record_relay(
        sessions, ticket.id, RelayKind.IN, staff_message_id=3, **kwargs
    )
    reloaded = await support.get(sessions, ticket.id)
    assert reloaded is not None and not reloaded.customer_blocked


@both_engines
async def test_summary_has_the_balance_and_the_latest_orders(sessions: Sessions) -> None:
    user_id = await customer(sessions)
    async with sessions() as session, session.begin():
        await ledger.apply(
            session, user_id=user_id, amount=Decimal("12.50"), kind=LedgerKind.CREDIT, key="t:1"
        )
        panel, category = Panel(name="main", url="http://p"), Category(name="Followers")
        session.add_all([panel, category])
        await session.flush()
        service = Service(
            panel_id=panel.id,
            panel_service_id="1",
            category_id=category.id,
            name="IG followers",
            type="default",
            rate=Decimal(1),
            min_quantity=10,
            max_quantity=1000,
        )
        session.add(service)
        await session.flush()
        start = datetime(2026, 12, 1, tzinfo=UTC)
        for n in range(7):
            session.add(
                Order(
                    user_id=user_id,
                    service_id=service.id,
                    panel_id=panel.id,
                    state="completed" if n else "failed",
                    charge=Decimal(n),
                    cost=Decimal(0),
                    request_key=f"k{n}",
                    created_at=start + timedelta(hours=n),
                )
            )
    result = await support.summary(sessions, user_id)
    assert result.balance == Decimal("12.50")
    assert [line.charge for line in result.orders] == [Decimal(n) for n in (6, 5, 4, 3, 2)]
    assert {line.service for line in result.orders} == {"IG followers"}
    empty = await support.summary(sessions, await customer(sessions, 44, "Zed"))
    assert empty.balance == 0 and empty.orders == ()


def test_topic_names_keep_the_id_whole() -> None:
    assert support.topic_name("Nora", 42) == "Nora · 42"
    assert support.topic_name("  Nora \n  B ", 42) == "Nora B · 42"
    assert support.topic_name(None, 42) == "— · 42"
    long = support.topic_name("x" * 300, 1234567890)
    assert len(long) == 128 and long.endswith("… · 1234567890")


def test_flood_gate_caps_per_customer_and_tells_once() -> None:
    now = [0.0]
    gate = FloodGate(3, clock=lambda: now[0])
    assert [gate.check(1) for _ in range(5)] == [
        Gate.PASS,
        Gate.PASS,
        Gate.PASS,
        Gate.SLOW,
        Gate.DROP,
    ]
    assert gate.check(2) is Gate.PASS  # another customer has their own allowance
    now[0] = 20.0  # 3 a minute: one more every 20 s
    assert gate.check(1) is Gate.PASS
    assert gate.check(1) is Gate.SLOW  # a new flood is told again
    now[0] = 200.0
    assert [gate.check(1) for _ in range(3)] == [Gate.PASS] * 3
    unlimited = FloodGate(0)
    assert {unlimited.check(1) for _ in range(100)} == {Gate.PASS}
