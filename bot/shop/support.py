"""The support desk's rules: tickets, the message map of their relays, and the flood cap.

A customer has at most one open ticket; their first message opens it and every message until
a staff member closes it belongs to it. Each relayed message is stored with its copy on the
other side (support_relays), so a staff reply to a relayed message, or a customer's reply to a
staff answer, finds its ticket after a restart. Where the staff sit (a forum topic or the
admins' private chats) is the Telegram side's business (bot.telegram.support_desk): this module
only keeps what it is told. Closing a ticket is a compare-and-set (two staff members closing at
once: one wins) audited in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cache import Cache
from bot.rate import TokenBucket
from bot.shop import audit
from storage.models import Order, Service, SupportRelay, SupportTicket, User
from storage.types import utcnow

LAST_ORDERS = 5  # on the ticket's header
TOPIC_NAME_CHARS = 128  # Telegram's limit on a forum topic's name


class TicketState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RelayKind(StrEnum):
    IN = "in"  # customer → staff
    OUT = "out"  # staff → customer
    HEADER = "header"  # the ticket's opening message on the staff side


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket with what the Telegram side needs to reach its customer."""

    id: int
    user_id: int
    telegram_id: int
    first_name: str | None
    username: str | None
    language: str | None
    state: TicketState
    chat_id: int | None
    thread_id: int | None
    customer_blocked: bool

    @property
    def is_open(self) -> bool:
        return self.state is TicketState.OPEN


@dataclass(frozen=True, slots=True)
class Opened:
    """The customer's open ticket; `new` when this message opened it, and then the topic of
    their last ticket in the same group (`reuse_thread_id`) to reopen instead of a new one."""

    ticket: Ticket
    new: bool
    reuse_thread_id: int | None


@dataclass(frozen=True, slots=True)
class OrderLine:
    order_id: int
    state: str
    service: str
    charge: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """What the staff see first: who, their balance, their latest orders."""

    balance: Decimal
    orders: tuple[OrderLine, ...]


def topic_name(first_name: str | None, telegram_id: int) -> str:
    """ "Name · 12345", within Telegram's limit; the ID always fits whole."""
    suffix = f" · {telegram_id}"
    name = " ".join((first_name or "").split()) or "—"
    room = TOPIC_NAME_CHARS - len(suffix)
    if len(name) > room:
        name = name[: room - 1] + "…"
    return name + suffix


def _ticket(row: SupportTicket, user: User) -> Ticket:
    return Ticket(
        id=row.id,
        user_id=row.user_id,
        telegram_id=user.telegram_id,
        first_name=user.first_name,
        username=user.username,
        language=user.language,
        state=TicketState(row.state),
        chat_id=row.chat_id,
        thread_id=row.thread_id,
        customer_blocked=row.customer_blocked,
    )


async def get(sessions: async_sessionmaker[AsyncSession], ticket_id: int) -> Ticket | None:
    async with sessions() as session:
        found = (
            await session.execute(
                select(SupportTicket, User)
                .join(User, User.id == SupportTicket.user_id)
                .where(SupportTicket.id == ticket_id)
            )
        ).first()
    return _ticket(*found) if found else None


async def open_ticket(
    sessions: async_sessionmaker[AsyncSession], user_id: int, *, chat_id: int | None
) -> Opened:
    """The customer's open ticket, opening one if there is none. `chat_id` is the support
    group (None: the admins' private chats). A message after a close opens a new ticket."""
    for _ in range(3):
        async with sessions() as session:
            current = await session.scalar(
                select(SupportTicket.id).where(SupportTicket.open_user_id == user_id)
            )
        if current is not None:
            ticket = await get(sessions, current)
            if ticket is not None and ticket.is_open:
                return Opened(ticket, new=False, reuse_thread_id=None)
            continue  # closed meanwhile: open a new one
        reuse: int | None = None
        try:
            async with sessions() as session, session.begin():
                if chat_id is not None:
                    reuse = await session.scalar(
                        select(SupportTicket.thread_id)
                        .where(
                            SupportTicket.user_id == user_id,
                            SupportTicket.chat_id == chat_id,
                            SupportTicket.thread_id.is_not(None),
                        )
                        .order_by(SupportTicket.id.desc())
                        .limit(1)
                    )
                row = SupportTicket(
                    user_id=user_id,
                    open_user_id=user_id,
                    state=TicketState.OPEN.value,
                    chat_id=chat_id,
                )
                session.add(row)
                await session.flush()
                new_id = row.id
        except IntegrityError:  # opened by a concurrent message of the same customer
            continue
        ticket = await get(sessions, new_id)
        assert ticket is not None
        return Opened(ticket, new=True, reuse_thread_id=reuse)
    raise RuntimeError(f"no open ticket for user {user_id} after three attempts")


async def set_topic(
    sessions: async_sessionmaker[AsyncSession],
    ticket_id: int,
    *,
    chat_id: int | None,
    thread_id: int | None,
) -> None:
    """Where the ticket's staff side lives (a topic, or None: the admins' private chats)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == ticket_id)
            .values(chat_id=chat_id, thread_id=thread_id)
        )


async def ticket_in_topic(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, thread_id: int
) -> Ticket | None:
    """The latest ticket living in a forum topic (a reused topic holds several)."""
    async with sessions() as session:
        ticket_id = await session.scalar(
            select(SupportTicket.id)
            .where(SupportTicket.chat_id == chat_id, SupportTicket.thread_id == thread_id)
            .order_by(SupportTicket.id.desc())
            .limit(1)
        )
    return await get(sessions, ticket_id) if ticket_id is not None else None


async def ticket_of_staff_message(
    sessions: async_sessionmaker[AsyncSession], staff_chat_id: int, staff_message_id: int
) -> Ticket | None:
    """The ticket a message on the staff side belongs to (a relayed copy or a header)."""
    async with sessions() as session:
        ticket_id = await session.scalar(
            select(SupportRelay.ticket_id).where(
                SupportRelay.staff_chat_id == staff_chat_id,
                SupportRelay.staff_message_id == staff_message_id,
            )
        )
    return await get(sessions, ticket_id) if ticket_id is not None else None


async def replied_staff_answer(
    sessions: async_sessionmaker[AsyncSession], user_id: int, customer_message_id: int
) -> bool:
    """Whether a customer's message id is a staff answer copied to them (a reply to it goes
    to support even outside support mode)."""
    async with sessions() as session:
        found = await session.scalar(
            select(SupportRelay.id)
            .join(SupportTicket, SupportTicket.id == SupportRelay.ticket_id)
            .where(
                SupportRelay.customer_message_id == customer_message_id,
                SupportRelay.kind == RelayKind.OUT.value,
                SupportTicket.user_id == user_id,
            )
            .limit(1)
        )
    return found is not None


async def record_relay(
    sessions: async_sessionmaker[AsyncSession],
    ticket_id: int,
    kind: RelayKind,
    *,
    staff_chat_id: int,
    staff_message_id: int,
    customer_message_id: int | None,
) -> bool:
    """Store one relayed message; a customer's message reaching the staff also clears the
    ticket's blocked mark (they are talking to the bot again): True when it did."""
    async with sessions() as session, session.begin():
        session.add(
            SupportRelay(
                ticket_id=ticket_id,
                kind=kind.value,
                staff_chat_id=staff_chat_id,
                staff_message_id=staff_message_id,
                customer_message_id=customer_message_id,
            )
        )
        if kind is not RelayKind.IN:
            return False
        result = await session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == ticket_id, SupportTicket.customer_blocked.is_(True))
            .values(customer_blocked=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def headers(
    sessions: async_sessionmaker[AsyncSession], ticket_id: int
) -> list[tuple[int, int]]:
    """(chat, message) of the ticket's headers on the staff side, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            select(SupportRelay.staff_chat_id, SupportRelay.staff_message_id)
            .where(SupportRelay.ticket_id == ticket_id, SupportRelay.kind == RelayKind.HEADER.value)
            .order_by(SupportRelay.id)
        )
        return [(int(chat), int(message)) for chat, message in rows.all()]


async def header_in(
    sessions: async_sessionmaker[AsyncSession], ticket_id: int, staff_chat_id: int
) -> int | None:
    """The ticket's header message in one staff chat (private mode: each admin has one)."""
    for chat, message in await headers(sessions, ticket_id):
        if chat == staff_chat_id:
            return message
    return None


async def mark_blocked(sessions: async_sessionmaker[AsyncSession], ticket_id: int) -> bool:
    """The customer blocked the bot: the ticket shows it. True when newly marked."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == ticket_id, SupportTicket.customer_blocked.is_(False))
            .values(customer_blocked=True)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def close(
    sessions: async_sessionmaker[AsyncSession], ticket_id: int, staff_telegram_id: int
) -> bool:
    """Close an open ticket (audited); False when it was closed already (by someone else)."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == ticket_id, SupportTicket.state == TicketState.OPEN.value)
            .values(
                state=TicketState.CLOSED.value,
                open_user_id=None,
                closed_at=utcnow(),
                closed_by=staff_telegram_id,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        audit.record(
            session,
            staff_telegram_id,
            "support_close",
            f"ticket:{ticket_id}",
            {"state": TicketState.OPEN.value},
            {"state": TicketState.CLOSED.value},
        )
        return True


async def summary(
    sessions: async_sessionmaker[AsyncSession], user_id: int, limit: int = LAST_ORDERS
) -> CustomerSummary:
    async with sessions() as session:
        balance = await session.scalar(select(User.balance).where(User.id == user_id))
        rows = await session.execute(
            select(Order.id, Order.state, Service.name, Order.charge, Order.created_at)
            .join(Service, Service.id == Order.service_id)
            .where(Order.user_id == user_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
        orders = tuple(OrderLine(*row) for row in rows.all())
    return CustomerSummary(balance=balance if balance is not None else Decimal(0), orders=orders)


class Gate(StrEnum):
    PASS = "pass"
    SLOW = "slow"
    DROP = "drop"


class FloodGate:
    """The per-customer cap on messages into support: `per_minute` a minute, in a burst of as
    many. Kept in memory like the update flood limit (bot.telegram.middlewares.throttling):
    it guards the staff's chat against a flood, not money."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_customers: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: Cache[int, TokenBucket] = Cache(max_customers, 60.0, clock)

    def check(self, customer: int) -> Gate:
        """PASS: relay it; SLOW: drop it and tell the customer; DROP: drop it silently (they
        were told once this flood)."""
        if self.per_minute <= 0:
            return Gate.PASS
        now = self.clock()
        bucket = self._buckets.get(customer)
        if bucket is None:
            bucket = TokenBucket(self.per_minute / 60.0, float(self.per_minute), now)
        self._buckets.put(customer, bucket)
        if bucket.take(now):
            return Gate.PASS
        warned, bucket.warned = bucket.warned, True
        return Gate.DROP if warned else Gate.SLOW
