"""Reconciliation: orders a crash left in `submitting` go to review, never elsewhere.

A crash between the debit and the panel's answer means nobody knows whether the panel took
the order: resubmitting could place it twice, refunding could give away a delivered order.
Only orders older than SUBMIT_GRACE are touched: a younger one may still be in the hands of a
live process (another bot process, or this one) waiting for the panel's answer. A live submit
ends within bot.shop.ordering.SUBMIT_DEADLINE (slot wait included), several times less, and re-reads
the order's state right before sending: a held order is never sent. If a stalled process's
answer still arrives after the hold, bot.shop.ordering stores the panel's order ID on the held order
(never discards it) and the admins are told.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot.context import Shop
from bot.shop import orders
from bot.shop.ordering import SUBMIT_DEADLINE
from storage.models import Order, OrderState
from storage.types import utcnow

log = logging.getLogger("bot.jobs.reconcile")


SUBMIT_GRACE = timedelta(minutes=5)  # far beyond any panel timeout
# A live submit is over long before the check may hold its order (tests/test_submit_race.py).
LIVE_SUBMIT_BOUND = timedelta(seconds=SUBMIT_DEADLINE)


async def hold_interrupted_orders(shop: Shop, grace: timedelta = SUBMIT_GRACE) -> list[int]:
    """Move `submitting` orders older than `grace` to `review`; returns their ids (for the
    admin alert)."""
    held: list[int] = []
    cutoff = utcnow() - grace
    async with shop.sessions() as session, session.begin():
        ids = list(
            await session.scalars(
                select(Order.id)
                .where(Order.state == OrderState.SUBMITTING.value, Order.updated_at <= cutoff)
                .order_by(Order.id)
            )
        )
        for order_id in ids:
            if await orders.transition(
                session,
                order_id,
                OrderState.REVIEW,
                expected=[OrderState.SUBMITTING],
                note="interrupted while submitting",
                error="interrupted while submitting",
            ):
                held.append(order_id)
    if held:
        log.warning("held %d interrupted orders for review: %s", len(held), held)
    return held
