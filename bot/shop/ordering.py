"""Placing an order: reserve (debit + `submitting` row, one transaction), then submit.

The panel is called outside any transaction. Its answer decides the next state:
accepted → pending; a definite rejection → failed and refunded at once; no definite answer
(timeout, broken connection) → review, for a human to reconcile. An order is never sent twice:
only the call that created the `submitting` row submits it, and a replayed confirmation finds
the existing order by its request key.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple, cast

from sqlalchemy import Row, Select, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import ZERO
from bot.panel import (
    ErrorKind,
    InvalidOrderParams,
    OrderRequest,
    PanelError,
    PanelOutcomeUnknown,
    PanelRegistry,
    PanelRejected,
    PanelUnavailable,
    ServiceType,
)
from bot.panel.profile import PanelProfile
from bot.shop import catalog, ledger, orders, shop_settings
from bot.shop.catalog_entries import ServiceEntry
from bot.shop.catalog_view import CatalogView
from bot.shop.group_commit import GroupCommit
from bot.shop.pricing import PriceRules, Quote, quote
from storage.db import inserted_id
from storage.models import (
    Category,
    LedgerKind,
    Order,
    OrderEvent,
    OrderState,
    Panel,
    Service,
    ShopSetting,
)
from storage.types import utcnow

log = logging.getLogger("bot.shop.ordering")

# The longest a submit may take, waiting for a free connection slot included (the panel
# client's own bounds, slot_timeout 20 s + connect 5 s + answer 30 s by default, end it sooner).
# bot/jobs/reconcile.py holds `submitting` orders only after SUBMIT_GRACE, several times this:
# an order it holds is not in the hands of a live submit (unless its process stalled; then the
# late answer is still recorded, see _placed_after_hold).
SUBMIT_DEADLINE = 90.0


class Outcome(StrEnum):
    PLACED = "placed"
    FAILED = "failed"  # definitely not placed; refunded
    REVIEW = "review"  # outcome unknown; held for an admin
    DUPLICATE = "duplicate"  # this confirmation was already handled
    # The interrupted-orders check (bot/jobs/reconcile.py) held the order for review while this
    # call waited or sent, and this call learnt nothing that resolves it: it stays held (with a
    # note on the order saying what this call knows, e.g. "never sent").
    HELD = "held"
    # The panel accepted the order after it had been held and then resolved by an admin
    # (refunded, or another panel order ID attached): the panel's ID is stored on the order and
    # the admins must be told at once, the customer may get the goods and the refund.
    LATE_PLACED = "late_placed"


class NotSubmitting(Exception):
    """Raised right before sending: the order is no longer `submitting` (held for review
    meanwhile), so it must not be sent."""

    def __init__(self, order_id: int, state: str | None) -> None:
        super().__init__(f"order {order_id} is {state}, no longer submitting")
        self.state = state


class ServiceUnavailable(Exception):
    """The service was disabled or vanished between the summary and the confirmation."""


class PriceChanged(Exception):
    """The price moved (a catalog sync, a markup change) since the customer saw the summary:
    they must see and confirm the new one; nothing was charged."""

    def __init__(self, price: Decimal) -> None:
        super().__init__(f"price is now {price}")
        self.price = price


@dataclass(frozen=True, slots=True)
class Priced:
    service: Service | ServiceEntry  # an entry when priced from the catalog in memory
    quote: Quote
    panel_name: str | None = None  # read with the service when priced for an order


@dataclass(frozen=True, slots=True)
class SubmitTarget:
    """Where an order goes: the panel's name, the service's ID and type there."""

    panel_name: str
    panel_service_id: str
    service_type: str


class Reservation(NamedTuple):
    order: Order
    created: bool  # False: this confirmation was seen before (its order is returned)
    target: SubmitTarget | None  # for a created order, where to submit it


@dataclass(frozen=True, slots=True)
class Placement:
    outcome: Outcome
    order: Order
    error: str | None = None  # the panel's reason (redacted, bounded), for admins and logs
    # What the customer is told about a definite failure: an ErrorKind value, or "unavailable"
    # (the request never reached the panel). Never the panel's own words.
    reason: str | None = None
    held_first: bool = False  # PLACED: the order had been held for review, now it is pending
    panel_order_id: str | None = None  # LATE_PLACED: the ID the panel gave (kept on the order)


async def price(
    session: AsyncSession, rules: PriceRules, service_id: int, request: OrderRequest
) -> Priced:
    """Validate the request against the current service and price it (no money moves)."""
    found = (await session.execute(_PRICING, {"service_id": service_id})).first()
    return _priced(found, rules, service_id, request)


_PricingRow = Row[Service, Decimal | None, str | None, str]


def _priced(
    found: _PricingRow | None, rules: PriceRules, service_id: int, request: OrderRequest
) -> Priced:
    if found is None:
        raise ServiceUnavailable(service_id)
    service, category_markup, global_markup, panel_name = found
    request.validate(catalog.to_panel_service(service))
    rules = shop_settings.with_global_markup(rules, global_markup)
    markup = rules.markup(service.markup_percent, category_markup)
    return Priced(service, quote(rules, service.rate, markup, request), panel_name)


# The admin's global markup, read in the same statement as the service it prices.
_GLOBAL_MARKUP = (
    select(ShopSetting.value)
    .where(ShopSetting.key == shop_settings.GLOBAL_MARKUP)
    .scalar_subquery()
)

# The service with what prices it (its category's markup and the admin's global one) and its
# panel's name, for submitting. Built once: a reused statement keeps its cache key, so each
# call skips building and keying it.
_PRICING: Select[Service, Decimal | None, str | None, str] = (
    select(Service, Category.markup_percent, _GLOBAL_MARKUP, Panel.name)
    .join(Category)
    .join(Panel, Panel.id == Service.panel_id)
    .where(Service.id == bindparam("service_id"), *catalog.SELLABLE)
)
# The same for every service of a group of confirmations, in one statement.
_PRICING_GROUP: Select[Service, Decimal | None, str | None, str] = (
    select(Service, Category.markup_percent, _GLOBAL_MARKUP, Panel.name)
    .join(Category)
    .join(Panel, Panel.id == Service.panel_id)
    .where(Service.id.in_(bindparam("service_ids", expanding=True)), *catalog.SELLABLE)
)

# What submit needs to address the panel: its service ID and type there, the panel's name.
_SUBMIT_TARGET = (
    select(Service.panel_service_id, Service.type, Panel.name)
    .join(Panel, Panel.id == bindparam("panel_id"))
    .where(Service.id == bindparam("service_id"))
)

# Core, built once: the new row is returned as a plain Order, no unit of work needed.
# The declarative stubs type __table__ as any FromClause; a mapped class's is a Table.
_ORDERS = cast(Table, Order.__table__)
_INSERT_ORDER = insert(_ORDERS)
# A group's orders in one multi-row INSERT; each new ID is matched back by its request key.
_INSERT_ORDERS = insert(_ORDERS).returning(_ORDERS.c.id, _ORDERS.c.request_key)


def price_in_view(
    view: CatalogView,
    rules: PriceRules,
    service_id: int,
    request: OrderRequest,
    profile: PanelProfile | None = None,
) -> Priced:
    """`price` from the catalog in memory, for what the customer is shown before Confirm.
    `profile`: the panel's dialect, when known (an entry with its separator, an interval it
    does not take are refused here, before anything is charged)."""
    service = view.services.get(service_id)
    if service is None:
        raise ServiceUnavailable(service_id)
    request.validate(catalog.to_panel_service(service), profile)
    rules = view.rules(rules)
    markup = rules.markup(service.markup_percent, view.category_markup(service))
    return Priced(service, quote(rules, service.rate, markup, request))


async def reserve(
    sessions: async_sessionmaker[AsyncSession],
    rules: PriceRules,
    *,
    user_id: int,
    service_id: int,
    request: OrderRequest,
    request_key: str,
    expected_price: Decimal | None = None,
) -> Reservation:
    """Debit the price and record the order as `submitting`, atomically.

    A confirmation seen before returns its order with created=False (and no target).
    Raises ledger.InsufficientFunds, ServiceUnavailable, InvalidOrderParams, or PriceChanged
    when `expected_price` (what the customer was shown) is no longer the price.
    """
    try:  # a confirmation seen before fails the request key's unique constraint
        async with sessions() as session, session.begin():
            priced = await price(session, rules, service_id, request)
            ask = ReserveAsk(rules, user_id, service_id, request, request_key, expected_price)
            _check_expected(ask, priced)
            values = _order_values(ask, priced, utcnow())
            order_id = inserted_id(await session.execute(_INSERT_ORDER, values))
            order = Order(id=order_id, **values)  # the row as written, outside the session
            await _debit(session, order)
            await orders.record_created(session, order)
    except IntegrityError:
        # The same confirmation won a race a moment ago.
        existing = await _order_by_request_key(sessions, request_key)
        if existing is None:
            raise
        return Reservation(existing, False, None)
    return Reservation(order, True, _target(priced))


@dataclass(frozen=True, slots=True)
class ReserveAsk:
    """One confirmation to reserve, as `reserve` takes it (for `reserve_group`)."""

    rules: PriceRules
    user_id: int
    service_id: int
    request: OrderRequest
    request_key: str
    expected_price: Decimal | None = None  # what the customer was shown


async def reserve_ask(sessions: async_sessionmaker[AsyncSession], ask: ReserveAsk) -> Reservation:
    """`reserve`, for an ask (what a group falls back to, see GroupCommit)."""
    return await reserve(
        sessions,
        ask.rules,
        user_id=ask.user_id,
        service_id=ask.service_id,
        request=ask.request,
        request_key=ask.request_key,
        expected_price=ask.expected_price,
    )


async def reserve_group(
    session: AsyncSession, asks: Sequence[ReserveAsk]
) -> list[Reservation | Exception | None]:
    """`reserve` for several confirmations in the caller's one write transaction (a group
    commit: SQLite's one writer pays BEGIN, the pricing read, the order and event INSERTs and
    COMMIT once for the group instead of once per order). Outcomes come back in `asks` order.

    The charges are taken in one guarded UPDATE (ledger.debit_many). A confirmation that
    cannot be priced gets its ServiceUnavailable, InvalidOrderParams or PriceChanged as its
    outcome and writes nothing. Whatever fails once the writes began (a
    balance that no longer covers its order, a request key seen before, a database error) is
    raised: the caller rolls the whole group back and reserves each confirmation on its own
    (`reserve`), which gives each its own outcome. Those are rare: the summary checked the
    balance, and a replayed Confirm is answered before it gets here.
    """
    service_ids = sorted({ask.service_id for ask in asks})
    rows = await session.execute(_PRICING_GROUP, {"service_ids": service_ids})
    found: dict[int, _PricingRow] = {row[0].id: row for row in rows}
    outcomes: list[Reservation | Exception | None] = []
    priced_asks: list[tuple[int, ReserveAsk, Priced]] = []
    for index, ask in enumerate(asks):
        try:
            priced = _priced(found.get(ask.service_id), ask.rules, ask.service_id, ask.request)
            _check_expected(ask, priced)
        except (ServiceUnavailable, InvalidOrderParams, PriceChanged) as exc:
            outcomes.append(exc)
            continue
        outcomes.append(None)
        priced_asks.append((index, ask, priced))
    if priced_asks:
        now = utcnow()
        rows_values = [_order_values(ask, priced, now) for _, ask, priced in priced_asks]
        inserted = await session.execute(_INSERT_ORDERS, rows_values)
        ids = {request_key: order_id for order_id, request_key in inserted}
        created: list[Order] = []
        for (index, _ask, priced), values in zip(priced_asks, rows_values, strict=True):
            order = Order(id=ids[values["request_key"]], **values)
            created.append(order)
            outcomes[index] = Reservation(order, True, _target(priced))
        debits = [_charge(order) for order in created if order.charge > 0]  # free ones: none
        if debits:
            await ledger.debit_many(session, debits)
        await orders.record_created_many(session, created)
    return outcomes


def _check_expected(ask: ReserveAsk, priced: Priced) -> None:
    if ask.expected_price is not None and priced.quote.price != ask.expected_price:
        raise PriceChanged(priced.quote.price)


def _order_values(ask: ReserveAsk, priced: Priced, now: datetime) -> dict[str, Any]:
    request = ask.request
    return {
        "user_id": ask.user_id,
        "service_id": priced.service.id,
        "panel_id": priced.service.panel_id,
        "state": OrderState.SUBMITTING.value,
        "link": request.link,
        "quantity": request.billed_quantity(),  # drip-feed: quantity × runs
        "params": request_to_params(request),
        "charge": priced.quote.price,
        "cost": priced.quote.cost,
        "refunded": ZERO,
        "request_key": ask.request_key,
        "created_at": now,
        "updated_at": now,
    }


async def _debit(session: AsyncSession, order: Order) -> None:
    """The order's charge, as its ledger entry (keyed by the order created just now)."""
    if order.charge > 0:  # a free (zero-rate) service moves no money
        charge = _charge(order)
        await ledger.apply(
            session,
            user_id=charge.user_id,
            amount=-charge.amount,
            kind=charge.kind,
            key=charge.key,
            reference=charge.reference,
            new_key=True,  # the order was created just now
        )


def _charge(order: Order) -> ledger.Debit:
    return ledger.Debit(
        order.user_id, order.charge, LedgerKind.ORDER, f"order:{order.id}", f"order:{order.id}"
    )


def _target(priced: Priced) -> SubmitTarget:
    assert priced.panel_name is not None
    return SubmitTarget(priced.panel_name, priced.service.panel_service_id, priced.service.type)


async def submit(
    sessions: async_sessionmaker[AsyncSession],
    panels: PanelRegistry,
    order: Order,
    target: SubmitTarget | None = None,
    *,
    deadline: float = SUBMIT_DEADLINE,
    placements: GroupCommit[Placed, Placement] | None = None,
) -> Placement:
    """Send a freshly reserved order to its panel and settle its state from the answer.
    `target`: where reserve() said it goes (else read from the database). `placements`: the
    process's group commit for accepted orders (else each is recorded in its own transaction).

    The whole call, waiting for a connection slot included, ends within `deadline` seconds,
    far inside the interrupted-orders check's grace (bot/jobs/reconcile.py): an order the check
    holds was not being sent by a live process, unless that process stalled. Right before the
    request goes out the order's state is read again: a held order is never sent."""
    if target is None:
        async with sessions() as session:
            row = (
                await session.execute(
                    _SUBMIT_TARGET, {"panel_id": order.panel_id, "service_id": order.service_id}
                )
            ).one()
        target = SubmitTarget(row.name, row.panel_service_id, row.type)
    panel_name = target.panel_name
    sent = False  # set once the request may have left: from then on a failure is "unknown"

    async def still_submitting() -> None:
        nonlocal sent
        await _check_submitting(sessions, order.id)
        sent = True

    try:
        request = request_from_params(
            target.panel_service_id, ServiceType.parse(target.service_type), order.params
        )
        client = panels.get(panel_name)
        # The form follows the client's current dialect profile (client.add builds it): a
        # request it refuses (an entry with its separator, an interval it does not take) is
        # InvalidOrderParams below, never sent, and the order fails with its money back.
        async with asyncio.timeout(deadline):
            panel_order_id = await client.add(request, before_send=still_submitting)
    except NotSubmitting as exc:
        log.warning(
            "order %s: %s before it was sent to %s; not sent", order.id, exc.state, panel_name
        )
        return await _not_placed_while_held(sessions, order, "never sent to the panel")
    except TimeoutError:
        if sent:
            log.warning(
                "order %s: no answer from %s within %s s; held for review",
                order.id,
                panel_name,
                deadline,
            )
            return await _settle(
                sessions, order, OrderState.REVIEW, error=f"no answer within {deadline:g} s"
            )
        log.warning("order %s: not sent to %s within %s s", order.id, panel_name, deadline)
        return await _settle(
            sessions,
            order,
            OrderState.FAILED,
            reason="unavailable",
            error=f"not sent within {deadline:g} s",
        )
    except PanelOutcomeUnknown as exc:
        log.warning(
            "order %s: outcome unknown on %s (%s); held for review",
            order.id,
            panel_name,
            bounded_text(exc.detail),
        )
        return await _settle(sessions, order, OrderState.REVIEW, error=bounded_text(str(exc)))
    except PanelRejected as exc:
        log.info(
            "order %s: rejected by %s (%s): %s",
            order.id,
            panel_name,
            exc.kind.value,
            bounded_text(exc.message),
        )
        return await _settle(
            sessions,
            order,
            OrderState.FAILED,
            reason=exc.kind.value,
            error=bounded_text(f"{exc.kind.value}: {exc.message}"),
        )
    except PanelUnavailable as exc:
        # No slot in time, or the connection was refused: the request never left.
        log.info("order %s: %s unavailable: %s", order.id, panel_name, bounded_text(exc.detail))
        return await _settle(
            sessions,
            order,
            OrderState.FAILED,
            reason="unavailable",
            error=bounded_text(f"not sent: {exc.detail}"),
        )
    except (PanelError, InvalidOrderParams, KeyError, ValueError) as exc:
        if sent and isinstance(exc, PanelError):  # outside the client's contract: be careful
            return await _settle(sessions, order, OrderState.REVIEW, error=bounded_text(str(exc)))
        # A stored request the panel client refuses, a panel no longer configured: not sent.
        log.info("order %s: not sent to %s: %s", order.id, panel_name, bounded_text(str(exc)))
        kind = ErrorKind.BAD_REQUEST if isinstance(exc, ValueError) else ErrorKind.OTHER
        return await _settle(
            sessions,
            order,
            OrderState.FAILED,
            reason=kind.value,
            error=bounded_text(f"not sent: {exc}"),
        )
    placed = Placed(order, panel_order_id)
    if placements is not None:
        return await placements.run(placed)
    return await settle_placed(sessions, placed)


class Placed(NamedTuple):
    """An order the panel accepted, with the ID it gave."""

    order: Order
    panel_order_id: str


async def settle_placed(sessions: async_sessionmaker[AsyncSession], placed: Placed) -> Placement:
    """Record an accepted order as `pending`, in its own transaction."""
    return await _settle(
        sessions, placed.order, OrderState.PENDING, panel_order_id=placed.panel_order_id
    )


async def settle_placed_group(
    session: AsyncSession, group: Sequence[Placed]
) -> list[Placement | Exception | None]:
    """`settle_placed` for a group, in the caller's one transaction: one compare-and-set for
    every order still `submitting`, one multi-row INSERT of their events. An order that is no
    longer `submitting` (held for review meanwhile) is left to `settle_placed` (None), which
    knows what to do with a late acceptance."""
    first: dict[int, Placed] = {}
    for placed in group:
        first.setdefault(placed.order.id, placed)  # twice in a group: the second is a replay
    now = utcnow()
    won = await orders.place_many(
        session, {order_id: placed.panel_order_id for order_id, placed in first.items()}, now
    )
    outcomes: list[Placement | Exception | None] = []
    for placed in group:
        if placed.order.id not in won or first[placed.order.id] is not placed:
            outcomes.append(None)
            continue
        order = placed.order
        order.panel_order_id = placed.panel_order_id
        order.placed_at = now
        order.state = OrderState.PENDING.value
        outcomes.append(Placement(Outcome.PLACED, order))
    return outcomes


async def _check_submitting(sessions: async_sessionmaker[AsyncSession], order_id: int) -> None:
    """The re-check right before sending (the panel client's before_send hook)."""
    async with sessions() as session:
        state = await session.scalar(_ORDER_STATE, {"order_id": order_id})
    if state != OrderState.SUBMITTING.value:
        raise NotSubmitting(order_id, state)


_ORDER_STATE = select(Order.state).where(Order.id == bindparam("order_id"))


def bounded_text(text: str, limit: int = 500) -> str:
    """A panel's text as stored and logged: printable, on one line, bounded."""
    text = "".join(c if c.isprintable() else " " for c in text[: limit * 2])
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _settle(
    sessions: async_sessionmaker[AsyncSession],
    order: Order,
    state: OrderState,
    *,
    error: str | None = None,
    reason: str | None = None,
    panel_order_id: str | None = None,
) -> Placement:
    fields: dict[str, Any] = {}
    if panel_order_id is not None:
        fields.update(panel_order_id=panel_order_id, placed_at=utcnow())
    if error is not None:
        fields["error"] = error
    async with sessions() as session, session.begin():
        won = await orders.transition(
            session, order.id, state, expected=[OrderState.SUBMITTING], note=error, **fields
        )
        if won and state is OrderState.FAILED:
            await orders.refund(
                session, order, order.charge, key=f"refund:{order.id}", note="not placed"
            )
        # Who won knows what the row holds now; only a loser needs to read it.
        fresh = None if won else await session.get(Order, order.id, populate_existing=True)
    if fresh is not None:
        # The interrupted-orders check (or an admin after it) got there first.
        if panel_order_id is not None:
            return await _placed_after_hold(sessions, order, panel_order_id)
        if fresh.state == OrderState.REVIEW.value:
            what = (
                "outcome still unknown"
                if state is OrderState.REVIEW
                else f"the panel did not place it ({error or 'not sent'})"
            )
            return await _not_placed_while_held(sessions, order, what)
        return Placement(Outcome.DUPLICATE, fresh, error, reason)
    fresh = order
    for name, value in fields.items():
        setattr(fresh, name, value)
    fresh.state = state.value
    outcome = {
        OrderState.PENDING: Outcome.PLACED,
        OrderState.FAILED: Outcome.FAILED,
        OrderState.REVIEW: Outcome.REVIEW,
    }[state]
    return Placement(outcome, fresh, error, reason)


async def _placed_after_hold(
    sessions: async_sessionmaker[AsyncSession], order: Order, panel_order_id: str
) -> Placement:
    """The panel took an order that was held for review while the request was in flight.

    Its ID is never discarded. Still held: it moves to pending with that ID, as an admin's
    "attach" would (the outcome is known now; polling settles the rest, refunds included), so
    nobody refunds a delivered order from the review list. Already resolved (an admin refunded
    it, or attached another ID): the ID is kept on the order (or in its history, if it has one)
    and the caller tells the admins at once."""
    note = f"the panel accepted it after it was held for review: panel order {panel_order_id}"
    async with sessions() as session, session.begin():
        moved = await orders.transition(
            session,
            order.id,
            OrderState.PENDING,
            expected=[OrderState.REVIEW],
            note=note,
            panel_order_id=panel_order_id,
            placed_at=utcnow(),
            error=None,
        )
        if not moved:
            await session.execute(
                update(Order)
                .where(Order.id == order.id, Order.panel_order_id.is_(None))
                .values(panel_order_id=panel_order_id, placed_at=utcnow())
            )
            await _note(session, order.id, note)
        fresh = await session.get(Order, order.id, populate_existing=True)
    assert fresh is not None
    log.warning(
        "order %s: panel order %s arrived after it was held for review; now %s",
        order.id,
        panel_order_id,
        fresh.state,
    )
    if moved:
        return Placement(Outcome.PLACED, fresh, held_first=True)
    if fresh.panel_order_id == panel_order_id and OrderState(fresh.state).is_open:
        return Placement(Outcome.DUPLICATE, fresh)  # an admin attached this very ID
    return Placement(Outcome.LATE_PLACED, fresh, note, panel_order_id=panel_order_id)


async def _not_placed_while_held(
    sessions: async_sessionmaker[AsyncSession], order: Order, what: str
) -> Placement:
    """The order was held for review before this call knew its outcome: it stays held, and
    what this call learnt goes on the order for the admin who resolves it."""
    note = f"held while submitting; {what}"
    async with sessions() as session, session.begin():
        await session.execute(
            update(Order)
            .where(Order.id == order.id, Order.state == OrderState.REVIEW.value)
            .values(error=bounded_text(note))
        )
        await _note(session, order.id, bounded_text(note))
        fresh = await session.get(Order, order.id, populate_existing=True)
    assert fresh is not None
    if fresh.state != OrderState.REVIEW.value:
        return Placement(Outcome.DUPLICATE, fresh)
    return Placement(Outcome.HELD, fresh, note)


async def _note(session: AsyncSession, order_id: int, note: str) -> None:
    """An event in the order's history that changes no state."""
    state = await session.scalar(_ORDER_STATE, {"order_id": order_id})
    await session.execute(
        insert(OrderEvent),
        {
            "order_id": order_id,
            "from_state": state,
            "to_state": state,
            "note": note,
            "created_at": utcnow(),
        },
    )


async def _order_by_request_key(
    sessions: async_sessionmaker[AsyncSession], request_key: str
) -> Order | None:
    async with sessions() as session:
        return await session.scalar(select(Order).where(Order.request_key == request_key))


# -- the order request as stored in orders.params ----------------------------------------------

_SKIP = {"service_id", "service_type"}


def request_to_params(request: OrderRequest) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in dataclasses.fields(request):
        if item.name in _SKIP:
            continue
        value = getattr(request, item.name)
        if value is None or value == []:
            continue
        params[item.name] = value.isoformat() if isinstance(value, date) else value
    return params


def request_from_params(
    panel_service_id: str, service_type: ServiceType, params: dict[str, Any]
) -> OrderRequest:
    values = dict(params)
    if "expiry" in values:
        values["expiry"] = date.fromisoformat(values["expiry"])
    return OrderRequest(service_id=panel_service_id, service_type=service_type, **values)


def missing_amount(balance: Decimal, price_: Decimal) -> Decimal:
    return max(Decimal(0), price_ - balance)


async def order_for_request_key(
    sessions: async_sessionmaker[AsyncSession], request_key: str
) -> Order | None:
    """The order a confirmation created, if any (a replayed button finds it here)."""
    return await _order_by_request_key(sessions, request_key)
