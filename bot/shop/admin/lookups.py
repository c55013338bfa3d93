"""Orders as an admin sees them: by the shop's order ID or by the panel's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop.digits import normalize_digits
from storage.models import Order, Panel, Service, User

MAX_MATCHES = 10


@dataclass(frozen=True, slots=True)
class OrderCard:
    order: Order
    service: Service
    panel: Panel
    user: User


def clean_query(text: str) -> str | None:
    """'#123', '١٢٣' or a panel's ID as typed; None when it cannot be an order ID."""
    text = normalize_digits(text).lstrip("#").strip()
    if not text or len(text) > 64 or any(c.isspace() for c in text):
        return None
    return text


async def find_orders(sessions: async_sessionmaker[AsyncSession], query: str) -> list[int]:
    """IDs of the orders whose shop ID or panel order ID is `query` (shop ID first)."""
    conditions = [Order.panel_order_id == query]
    if query.isdigit() and len(query) <= 15:
        conditions.append(Order.id == int(query))
    async with sessions() as session:
        ids = list(
            await session.scalars(
                select(Order.id).where(or_(*conditions)).order_by(Order.id).limit(MAX_MATCHES)
            )
        )
    if query.isdigit() and int(query) in ids:
        ids.remove(int(query))
        ids.insert(0, int(query))
    return ids


async def order_card(sessions: async_sessionmaker[AsyncSession], order_id: int) -> OrderCard | None:
    async with sessions() as session:
        row = (
            await session.execute(
                select(Order, Service, Panel, User)
                .join(Service, Service.id == Order.service_id)
                .join(Panel, Panel.id == Order.panel_id)
                .join(User, User.id == Order.user_id)
                .where(Order.id == order_id)
            )
        ).first()
    return OrderCard(*row) if row is not None else None
