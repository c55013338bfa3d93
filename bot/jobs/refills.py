"""Refill status polling: the customer learns when a refill completes or is rejected."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select, update

from bot.context import Shop
from bot.jobs.batching import fetch_in_chunks
from bot.panel import EntryError, RefillInfo
from storage.models import Order, Panel, Refill, User
from storage.types import utcnow

OPEN_REFILL_STATES = ("pending", "in_progress", "unknown")
# (refill id, panel refill id, state, order id, customer telegram id)
_OpenRefill = tuple[int, str, str, int, int]


@dataclass(frozen=True, slots=True)
class RefillChange:
    refill_id: int
    order_id: int
    telegram_id: int
    state: str  # a terminal RefillStatus value


async def poll_refills(shop: Shop) -> list[RefillChange]:
    async with shop.sessions() as session:
        rows = (await session.execute(
            select(Refill.id, Refill.panel_refill_id, Refill.state, Panel.name, Order.id,
                   User.telegram_id)
            .join(Order, Order.id == Refill.order_id)
            .join(Panel, Panel.id == Order.panel_id)
            .join(User, User.id == Order.user_id)
            .where(Refill.state.in_(OPEN_REFILL_STATES), Refill.panel_refill_id.is_not(None))
        )).all()
    by_panel: dict[str, list[_OpenRefill]] = defaultdict(list)
    for refill_id, panel_refill_id, state, panel_name, order_id, telegram_id in rows:
        if panel_name in shop.panels:
            by_panel[panel_name].append((refill_id, panel_refill_id, state, order_id, telegram_id))

    async def one(panel_name: str, items: list[_OpenRefill]) -> list[RefillChange]:
        client = shop.panels.get(panel_name)
        answers, _ = await fetch_in_chunks(
            [item[1] for item in items], client.refill_statuses, f"refill_status {panel_name}"
        )
        return await _apply(shop, items, answers)

    results = await asyncio.gather(*(one(name, items) for name, items in by_panel.items()))
    return [change for batch in results for change in batch]


async def _apply(
    shop: Shop, items: list[_OpenRefill],
    answers: dict[str, RefillInfo | EntryError],
) -> list[RefillChange]:
    changes: list[RefillChange] = []
    async with shop.sessions() as session, session.begin():
        for refill_id, panel_refill_id, state, order_id, telegram_id in items:
            info = answers.get(panel_refill_id)
            if isinstance(info, EntryError):
                await session.execute(
                    update(Refill).where(Refill.id == refill_id)
                    .values(error=info.message[:500], updated_at=utcnow())
                )
                continue
            if info is None or info.status.value == state:
                continue
            won = await session.execute(
                update(Refill).where(Refill.id == refill_id, Refill.state == state)
                .values(state=info.status.value, panel_status=info.raw_status[:64],
                        updated_at=utcnow())
                .returning(Refill.id)
            )
            if won.first() is not None and info.status.is_terminal:
                changes.append(RefillChange(refill_id, order_id, telegram_id, info.status.value))
    return changes
