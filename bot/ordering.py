"""Placing an order: reserve (debit + `submitting` row, one transaction), then submit.

The panel is called outside any transaction. Its answer decides the next state:
accepted → pending; a definite rejection → failed and refunded at once; no definite answer
(timeout, broken connection) → review, for a human to reconcile. An order is never sent twice:
only the call that created the `submitting` row submits it, and a replayed confirmation finds
the existing order by its request key.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import catalog, ledger, orders, shop_settings
from bot.catalog_view import CatalogView
from bot.money import ZERO
from bot.panel import (
    InvalidOrderParams,
    OrderRequest,
    PanelError,
    PanelOutcomeUnknown,
    PanelRegistry,
    ServiceType,
)
from bot.pricing import PriceRules, Quote, quote
from storage.models import Category, LedgerKind, Order, OrderState, Panel, Service, ShopSetting
from storage.types import utcnow

log = logging.getLogger("bot.ordering")


class Outcome(StrEnum):
    PLACED = "placed"
    FAILED = "failed"  # definitely not placed; refunded
    REVIEW = "review"  # outcome unknown; held for an admin
    DUPLICATE = "duplicate"  # this confirmation was already handled


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
    service: Service
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
    error: str | None = None  # the panel's verbatim reason for a definite failure


async def price(
    session: AsyncSession, rules: PriceRules, service_id: int, request: OrderRequest
) -> Priced:
    """Validate the request against the current service and price it (no money moves)."""
    found = (await session.execute(_PRICING, {"service_id": service_id})).first()
    if found is None:
        raise ServiceUnavailable(service_id)
    service, category_markup, global_markup, panel_name = found
    request.validate(catalog.to_panel_service(service))
    rules = shop_settings.with_global_markup(rules, global_markup)
    markup = rules.markup(service.markup_percent, category_markup)
    return Priced(service, quote(rules, service.rate, markup, request), panel_name)


# The admin's global markup, read in the same statement as the service it prices.
_GLOBAL_MARKUP = select(ShopSetting.value).where(
    ShopSetting.key == shop_settings.GLOBAL_MARKUP).scalar_subquery()

# The service with what prices it (its category's markup and the admin's global one) and its
# panel's name, for submitting. Built once: a reused statement keeps its cache key, so each
# call skips building and keying it.
_PRICING = select(Service, Category.markup_percent, _GLOBAL_MARKUP, Panel.name).join(
    Category).join(Panel, Panel.id == Service.panel_id).where(
    Service.id == bindparam("service_id"), Service.enabled.is_(True),
    Service.available.is_(True), Category.enabled.is_(True))

# What submit needs to address the panel: its service ID and type there, the panel's name.
_SUBMIT_TARGET = select(Service.panel_service_id, Service.type, Panel.name).join(
    Panel, Panel.id == bindparam("panel_id")).where(Service.id == bindparam("service_id"))

# Core, built once: the new row is returned as a plain Order, no unit of work needed.
_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)


def price_in_view(
    view: CatalogView, rules: PriceRules, service_id: int, request: OrderRequest
) -> Priced:
    """`price` from the catalog in memory, for what the customer is shown before Confirm."""
    service = view.services.get(service_id)
    if service is None:
        raise ServiceUnavailable(service_id)
    request.validate(catalog.to_panel_service(service))
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
            if expected_price is not None and priced.quote.price != expected_price:
                raise PriceChanged(priced.quote.price)
            now = utcnow()
            values = {
                "user_id": user_id, "service_id": priced.service.id,
                "panel_id": priced.service.panel_id, "state": OrderState.SUBMITTING.value,
                "link": request.link,
                "quantity": request.billed_quantity(),  # drip-feed: quantity × runs
                "params": request_to_params(request), "charge": priced.quote.price,
                "cost": priced.quote.cost, "refunded": ZERO, "request_key": request_key,
                "created_at": now, "updated_at": now,
            }
            order_id = (await session.execute(_INSERT_ORDER, values)).scalar_one()
            order = Order(id=order_id, **values)  # the row as written, outside the session
            if priced.quote.price > 0:  # a free (zero-rate) service moves no money
                await ledger.apply(
                    session,
                    user_id=user_id,
                    amount=-priced.quote.price,
                    kind=LedgerKind.ORDER,
                    key=f"order:{order.id}",
                    reference=f"order:{order.id}",
                    new_key=True,  # the order was created just now
                )
            await orders.record_created(session, order)
    except IntegrityError:
        # The same confirmation won a race a moment ago.
        existing = await _order_by_request_key(sessions, request_key)
        if existing is None:
            raise
        return Reservation(existing, False, None)
    assert priced.panel_name is not None
    target = SubmitTarget(priced.panel_name, priced.service.panel_service_id,
                          priced.service.type)
    return Reservation(order, True, target)


async def submit(
    sessions: async_sessionmaker[AsyncSession], panels: PanelRegistry, order: Order,
    target: SubmitTarget | None = None,
) -> Placement:
    """Send a freshly reserved order to its panel and settle its state from the answer.
    `target`: where reserve() said it goes (else read from the database)."""
    if target is None:
        async with sessions() as session:
            row = (await session.execute(_SUBMIT_TARGET, {
                "panel_id": order.panel_id, "service_id": order.service_id})).one()
        target = SubmitTarget(row.name, row.panel_service_id, row.type)
    request = request_from_params(target.panel_service_id,
                                  ServiceType.parse(target.service_type), order.params)
    panel_name = target.panel_name
    try:
        client = panels.get(panel_name)
        panel_order_id = await client.add(request)
    except PanelOutcomeUnknown as exc:
        log.warning("order %s: outcome unknown on %s (%s); held for review", order.id,
                    panel_name, type(exc).__name__)
        return await _settle(sessions, order, OrderState.REVIEW, error=str(exc)[:500])
    except (PanelError, InvalidOrderParams, KeyError) as exc:
        reason = getattr(exc, "message", None) or str(exc)
        log.info("order %s: rejected by %s: %s", order.id, panel_name, reason)
        return await _settle(sessions, order, OrderState.FAILED, error=reason[:500])
    return await _settle(sessions, order, OrderState.PENDING, panel_order_id=panel_order_id)


async def _settle(
    sessions: async_sessionmaker[AsyncSession],
    order: Order,
    state: OrderState,
    *,
    error: str | None = None,
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
            await orders.refund(session, order, order.charge, key=f"refund:{order.id}",
                                note="not placed")
        # Who won knows what the row holds now; only a loser needs to read it.
        fresh = None if won else await session.get(Order, order.id, populate_existing=True)
    if fresh is None:
        fresh = order
        for name, value in fields.items():
            setattr(fresh, name, value)
        fresh.state = state.value
    assert fresh is not None
    outcome = {
        OrderState.PENDING: Outcome.PLACED,
        OrderState.FAILED: Outcome.FAILED,
        OrderState.REVIEW: Outcome.REVIEW,
    }[state]
    return Placement(outcome if won else Outcome.DUPLICATE, fresh, error)


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
