"""Startup reconciliation: orders a crash left in `submitting` go to review, never elsewhere.

A crash between the debit and the panel's answer means nobody knows whether the panel took
the order: resubmitting could place it twice, refunding could give away a delivered order.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot import orders
from bot.context import Shop
from storage.models import Order, OrderState

log = logging.getLogger("bot.jobs.reconcile")


async def hold_interrupted_orders(shop: Shop) -> list[int]:
    """Move every `submitting` order to `review`; returns their ids (for the admin alert)."""
    held: list[int] = []
    async with shop.sessions() as session, session.begin():
        ids = list(await session.scalars(
            select(Order.id).where(Order.state == OrderState.SUBMITTING.value).order_by(Order.id)
        ))
        for order_id in ids:
            if await orders.transition(
                session, order_id, OrderState.REVIEW, expected=[OrderState.SUBMITTING],
                note="interrupted while submitting (restart)",
                error="interrupted while submitting",
            ):
                held.append(order_id)
    if held:
        log.warning("held %d interrupted orders for review: %s", len(held), held)
    return held
