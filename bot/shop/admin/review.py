"""Orders held for review: the list, and attaching the panel order ID an admin found.

(Refunding one in full is bot.shop.admin.refunds.refund_order with review_only=True and the key
`refund:<order id>`, the scheduler's own: a refund can never be applied twice.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import audit, orders
from storage.models import Order, OrderState
from storage.types import utcnow

PANEL_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def review_key(order_id: int) -> str:
    """The refund key of an order's full refund: the same as the scheduler's."""
    return f"refund:{order_id}"


async def held(sessions: async_sessionmaker[AsyncSession], limit: int) -> tuple[int, list[Order]]:
    """How many orders are held for review, and the oldest `limit` of them."""
    async with sessions() as session:
        where = Order.state == OrderState.REVIEW.value
        total = await session.scalar(select(func.count()).select_from(Order).where(where))
        rows = list(
            await session.scalars(select(Order).where(where).order_by(Order.id).limit(limit))
        )
    return total or 0, rows


class AttachStatus(StrEnum):
    APPLIED = "applied"
    INVALID = "invalid"  # not an ID a panel would give
    NOT_FOUND = "not_found"
    NOT_IN_REVIEW = "not_in_review"
    TAKEN = "taken"  # another order of the same panel already has this panel order ID


@dataclass(frozen=True, slots=True)
class AttachResult:
    status: AttachStatus
    order_id: int
    panel_order_id: str
    other_order_id: int | None = None  # for TAKEN


async def attach_panel_order(
    sessions: async_sessionmaker[AsyncSession], *, admin_id: int, order_id: int, panel_order_id: str
) -> AttachResult:
    """review → pending with the panel's order ID: from then on it is polled like any other."""
    panel_order_id = panel_order_id.strip().lstrip("#")
    if not PANEL_ORDER_ID.match(panel_order_id):
        return AttachResult(AttachStatus.INVALID, order_id, panel_order_id)
    async with sessions() as session, session.begin():
        order = await session.get(Order, order_id)
        if order is None:
            return AttachResult(AttachStatus.NOT_FOUND, order_id, panel_order_id)
        if order.state != OrderState.REVIEW.value:
            return AttachResult(AttachStatus.NOT_IN_REVIEW, order_id, panel_order_id)
        other = await _holder(session, order, panel_order_id)
        if other is not None:
            return AttachResult(AttachStatus.TAKEN, order_id, panel_order_id, other)
        before = {"state": order.state, "panel_order_id": order.panel_order_id}
        won = await orders.transition(
            session,
            order.id,
            OrderState.PENDING,
            expected=[OrderState.REVIEW],
            note=f"admin {admin_id}: panel order {panel_order_id}",
            panel_order_id=panel_order_id,
            placed_at=order.placed_at or utcnow(),
            error=None,
        )
        if not won:
            return AttachResult(AttachStatus.NOT_IN_REVIEW, order_id, panel_order_id)
        audit.record(
            session,
            admin_id,
            "order.attach",
            f"order:{order.id}",
            before,
            {"state": OrderState.PENDING.value, "panel_order_id": panel_order_id},
        )
    return AttachResult(AttachStatus.APPLIED, order_id, panel_order_id)


async def _holder(session: AsyncSession, order: Order, panel_order_id: str) -> int | None:
    return await session.scalar(
        select(Order.id)
        .where(
            Order.panel_id == order.panel_id,
            Order.panel_order_id == panel_order_id,
            Order.id != order.id,
        )
        .limit(1)
    )
