"""After the sale: a customer's orders, their live status, refills and cancel requests.

Every query takes the customer's user id and filters by it, so a forged order id can never
reach another customer's order. Panel calls happen outside any database session (SQLite has a
single connection); the state they imply is applied afterwards in a short transaction.
A panel status becomes an order state (and a refund) only through `apply_status`, which is
bot.shop.orders' state machine, shared with the scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Select, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import ZERO
from bot.panel import (
    ErrorKind,
    OrderInfo,
    PanelClient,
    PanelError,
    PanelOutcomeUnknown,
    PanelRegistry,
    PanelRejected,
    PanelUnavailable,
    classify_error,
)
from bot.shop import orders
from bot.shop.ordering import bounded_text
from storage.models import Order, OrderEvent, OrderState, Panel, Refill, Service
from storage.types import utcnow

log = logging.getLogger("bot.shop.aftersale")

OPEN_STATES = orders.OPEN_STATES
REFILLABLE_STATES = frozenset({OrderState.COMPLETED, OrderState.PARTIAL})
# A refill in one of these states blocks another request for the same order (double taps).
# The order-history note of a cancel request the panel took (an event that changes no state).
CANCEL_REQUESTED_NOTE = "cancel requested"
ACTIVE_REFILL_STATES = ("requesting", "pending", "in_progress", "unknown")


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with what the customer screens need next to it."""

    order: Order
    service: Service
    panel_name: str
    cancel_requested: bool = False  # the panel took a cancel request: it is not offered again

    @property
    def state(self) -> OrderState:
        return OrderState(self.order.state)


def _views_query(user_id: int) -> Select[Order, Service, str]:
    return (
        select(Order, Service, Panel.name)
        .join(Service, Service.id == Order.service_id)
        .join(Panel, Panel.id == Order.panel_id)
        .where(Order.user_id == user_id)
    )


async def count_orders(session: AsyncSession, user_id: int) -> int:
    return await session.scalar(select(func.count(Order.id)).where(Order.user_id == user_id)) or 0


async def list_orders(
    session: AsyncSession, user_id: int, offset: int, limit: int
) -> list[OrderView]:
    """Newest first; the id breaks ties between orders created in the same instant."""
    rows = await session.execute(
        _views_query(user_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .offset(max(0, offset))
        .limit(limit)
    )
    return [OrderView(order, service, name) for order, service, name in rows]


async def get_order(session: AsyncSession, user_id: int, order_id: int) -> OrderView | None:
    """The customer's own order, or None (also for another customer's order)."""
    row = (
        await session.execute(
            _views_query(user_id)
            .where(Order.id == order_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        return None
    requested = await session.scalar(
        select(
            exists().where(
                OrderEvent.order_id == order_id, OrderEvent.note == CANCEL_REQUESTED_NOTE
            )
        )
    )
    return OrderView(row[0], row[1], row[2], bool(requested))


async def load_order(
    sessions: async_sessionmaker[AsyncSession], user_id: int, order_id: int
) -> OrderView | None:
    async with sessions() as session:
        return await get_order(session, user_id, order_id)


@dataclass(frozen=True, slots=True)
class OrderPage:
    views: list[OrderView]
    page: int  # clamped into range
    pages: int
    total: int


async def order_page(
    sessions: async_sessionmaker[AsyncSession], user_id: int, page: int, size: int
) -> OrderPage:
    async with sessions() as session:
        total = await count_orders(session, user_id)
        pages = max(1, -(-total // size))
        page = min(max(0, page), pages - 1)  # an old button may point past the end
        views = await list_orders(session, user_id, page * size, size)
    return OrderPage(views, page, pages, total)


# -- what a customer may do -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actions:
    refill: bool
    cancel: bool


def _client(panels: PanelRegistry, name: str) -> PanelClient | None:
    return panels.get(name) if name in panels else None


def allowed_actions(view: OrderView, panels: PanelRegistry) -> Actions:
    """Refill: the service offers it and the order is done. Cancel: offered and still open."""
    client = _client(panels, view.panel_name)
    placed = view.order.panel_order_id is not None and client is not None
    refill = bool(
        placed
        and client
        and client.supports_refill
        and view.service.refill
        and view.state in REFILLABLE_STATES
    )
    cancel = bool(
        placed
        and client
        and client.supports_cancel
        and view.service.cancel
        and view.state in OPEN_STATES
        and not view.cancel_requested
    )
    return Actions(refill=refill, cancel=cancel)


# -- a panel status applied to an order -----------------------------------------------------

StatusChange = orders.StatusChange  # order_id, user_id, from_state, to_state, refunded


async def apply_status(
    session: AsyncSession,
    order: Order,
    info: OrderInfo,
    precision: int,
    *,
    referral_percent: Decimal = ZERO,
) -> StatusChange | None:
    """Store what the panel says about an open order, in the caller's transaction.

    One state machine for Refresh and the scheduler: the compare-and-set transition and the
    refund under `refund:<order id>` live in bot.shop.orders, so racing callers change state and
    money once. Returns the change this call made, or None (same state, not open, lost race).
    """
    return await orders.apply_panel_status(
        session, order, info, precision, referral_percent=referral_percent
    )


# -- refresh ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refreshed:
    view: OrderView
    change: StatusChange | None = None
    unreachable: bool = False  # the panel did not answer; the stored data is shown


async def refresh(
    sessions: async_sessionmaker[AsyncSession],
    panels: PanelRegistry,
    user_id: int,
    order_id: int,
    precision: int,
    *,
    referral_percent: Decimal = ZERO,
) -> Refreshed | None:
    """Ask the panel for the order's live status and store it. None: not this customer's.
    `referral_percent`: the environment's REFERRAL_PERCENT (see bot.shop.orders)."""
    view = await load_order(sessions, user_id, order_id)
    if view is None:
        return None
    client = _client(panels, view.panel_name)
    if view.state not in OPEN_STATES or view.order.panel_order_id is None:
        return Refreshed(view)  # nothing on the panel can change it any more
    if client is None:
        return Refreshed(view, unreachable=True)
    try:
        info = await client.status(view.order.panel_order_id)
    except PanelError as exc:
        log.info("order %s: status check failed: %s", order_id, exc)
        return Refreshed(view, unreachable=True)
    async with sessions() as session, session.begin():
        order = await session.get(Order, order_id, populate_existing=True)
        assert order is not None
        change = await apply_status(
            session, order, info, precision, referral_percent=referral_percent
        )
    fresh = await load_order(sessions, user_id, order_id)
    assert fresh is not None
    return Refreshed(fresh, change)


# -- refill -----------------------------------------------------------------------------------


class RefillOutcome(StrEnum):
    REQUESTED = "requested"
    NOT_ALLOWED = "not_allowed"  # the shop's own rules (service, state, panel dialect)
    IN_PROGRESS = "in_progress"  # an earlier refill of this order is still running
    REJECTED = "rejected"  # the panel refused; `message` is its reason
    UNAVAILABLE = "unavailable"  # the request did not reach the panel
    UNKNOWN = "unknown"  # sent, no definite answer: recorded for an admin, never resent


@dataclass(frozen=True, slots=True)
class RefillResult:
    outcome: RefillOutcome
    refill_id: int | None = None
    message: str | None = None  # the panel's words (bounded; logs and admins, never customers)
    kind: ErrorKind | None = None  # REJECTED: what the customer is told, in their language
    panel: str | None = None  # REJECTED: which panel (admins are alerted of a bad key or funds)


async def request_refill(
    sessions: async_sessionmaker[AsyncSession],
    panels: PanelRegistry,
    user_id: int,
    order_id: int,
) -> RefillResult | None:
    """Ask the panel to refill a finished order, once at a time per order. None: not found."""
    view = await load_order(sessions, user_id, order_id)
    if view is None:
        return None
    if not allowed_actions(view, panels).refill:
        return RefillResult(RefillOutcome.NOT_ALLOWED)
    refill_id = await _reserve_refill(sessions, view.order.id)
    if refill_id is None:
        return RefillResult(RefillOutcome.IN_PROGRESS)
    client = panels.get(view.panel_name)
    assert view.order.panel_order_id is not None
    try:
        panel_refill_id = await client.refill(view.order.panel_order_id)
    except PanelRejected as exc:
        message = bounded_text(exc.message)
        log.info(
            "order %s: refill rejected by %s (%s): %s",
            order_id,
            view.panel_name,
            exc.kind.value,
            message,
        )
        await _settle_refill(sessions, refill_id, "rejected", error=message)
        return RefillResult(RefillOutcome.REJECTED, refill_id, message, exc.kind, view.panel_name)
    except PanelOutcomeUnknown as exc:
        await _settle_refill(sessions, refill_id, "unknown", error=str(exc))
        return RefillResult(RefillOutcome.UNKNOWN, refill_id)
    except PanelUnavailable as exc:
        await _settle_refill(sessions, refill_id, "failed", error=str(exc))
        return RefillResult(RefillOutcome.UNAVAILABLE, refill_id)
    await _settle_refill(sessions, refill_id, "pending", panel_refill_id=panel_refill_id)
    return RefillResult(RefillOutcome.REQUESTED, refill_id)


async def _reserve_refill(sessions: async_sessionmaker[AsyncSession], order_id: int) -> int | None:
    """Insert a `requesting` refill unless one is active: one statement, so a double tap races
    against itself inside the database and only one request reaches the panel."""
    active = exists().where(Refill.order_id == order_id, Refill.state.in_(ACTIVE_REFILL_STATES))
    now = utcnow()
    statement = (
        insert(Refill)
        .from_select(
            ["order_id", "state", "created_at", "updated_at"],
            select(
                literal(order_id),
                literal("requesting"),
                literal(now, Refill.created_at.type),
                literal(now, Refill.updated_at.type),
            ).where(~active),
        )
        .returning(Refill.id)
    )
    async with sessions() as session, session.begin():
        # Under READ COMMITTED two double-tap transactions would both see "no active refill":
        # locking the order row makes the second wait and then see the first one's row.
        await session.execute(select(Order.id).where(Order.id == order_id).with_for_update())
        return (await session.execute(statement)).scalar_one_or_none()


async def _settle_refill(
    sessions: async_sessionmaker[AsyncSession],
    refill_id: int,
    state: str,
    *,
    error: str | None = None,
    panel_refill_id: str | None = None,
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Refill)
            .where(Refill.id == refill_id)
            .values(
                state=state,
                error=error[:500] if error else None,
                panel_refill_id=panel_refill_id,
                updated_at=utcnow(),
            )
        )


# -- cancel -----------------------------------------------------------------------------------


class CancelOutcome(StrEnum):
    REQUESTED = "requested"  # the panel took it; the refund follows its Canceled status
    ALREADY_REQUESTED = "already_requested"  # an earlier request was taken: not sent again
    NOT_ALLOWED = "not_allowed"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CancelRequest:
    outcome: CancelOutcome
    message: str | None = None  # the panel's words (bounded; logs and admins, never customers)
    kind: ErrorKind | None = None  # REJECTED: what the customer is told, in their language
    panel: str | None = None  # REJECTED: which panel (admins are alerted of a bad key or funds)


async def request_cancel(
    sessions: async_sessionmaker[AsyncSession],
    panels: PanelRegistry,
    user_id: int,
    order_id: int,
) -> CancelRequest | None:
    """Ask the panel to cancel an open order; None: not found. No money moves here: the
    refund comes when the status check sees Canceled (or Partial), through apply_status."""
    view = await load_order(sessions, user_id, order_id)
    if view is None:
        return None
    if view.cancel_requested and view.state in OPEN_STATES:
        return CancelRequest(CancelOutcome.ALREADY_REQUESTED)
    if not allowed_actions(view, panels).cancel:
        return CancelRequest(CancelOutcome.NOT_ALLOWED)
    panel_order_id = view.order.panel_order_id
    assert panel_order_id is not None
    try:
        results = await panels.get(view.panel_name).cancel([panel_order_id])
    except PanelRejected as exc:
        return _cancel_rejected(view, exc.message, exc.kind)
    except PanelOutcomeUnknown:
        return CancelRequest(CancelOutcome.UNKNOWN)
    except PanelUnavailable:
        return CancelRequest(CancelOutcome.UNAVAILABLE)
    result = results.get(panel_order_id)
    if result is None or result.unclear:
        # An answer of no known shape: the customer hears "not confirmed", admins the log line.
        if result is not None:
            log.warning(
                "order %s: cancel answer of %s not understood: %s",
                view.order.id,
                view.panel_name,
                bounded_text(result.error or ""),
            )
        return CancelRequest(CancelOutcome.UNKNOWN)
    if not result.accepted:
        text = result.error or ""
        return _cancel_rejected(view, text, classify_error(text, "cancel"))
    log.info("order %s: cancel requested on %s", view.order.id, view.panel_name)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(OrderEvent),
            {
                "order_id": view.order.id,
                "from_state": view.order.state,
                "to_state": view.order.state,
                "note": CANCEL_REQUESTED_NOTE,
                "created_at": utcnow(),
            },
        )
    return CancelRequest(CancelOutcome.REQUESTED)


def _cancel_rejected(view: OrderView, text: str, kind: ErrorKind) -> CancelRequest:
    # The raw text goes to the log only: bounded here, keys redacted by the log filter.
    message = bounded_text(text)
    log.info(
        "order %s: cancel rejected by %s (%s): %s",
        view.order.id,
        view.panel_name,
        kind.value,
        message,
    )
    return CancelRequest(CancelOutcome.REJECTED, message, kind, view.panel_name)
