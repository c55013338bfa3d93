"""Order status polling: open orders grouped by panel, at most 100 IDs per status request.

One bad entry or one failing panel never blocks the others: a per-ID error is recorded on that
order only, and a failed request loses only its own chunk until the next cycle.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from bot import orders
from bot.context import Shop
from bot.jobs.batching import chunked, fetch_in_chunks
from bot.orders import StatusChange
from bot.panel import EntryError, OrderInfo
from storage.models import Order, Panel
from storage.types import utcnow

log = logging.getLogger("bot.jobs.statuses")
APPLY_BATCH = 200  # orders settled per transaction: short transactions, few commits


@dataclass
class PollReport:
    orders: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # per panel
    changes: list[StatusChange] = field(default_factory=list)
    entry_errors: int = 0


async def poll_statuses(shop: Shop) -> PollReport:
    report = PollReport()
    by_panel = await _open_orders_by_panel(shop)
    report.orders = sum(len(items) for items in by_panel.values())

    async def one(panel_name: str, items: list[Order]) -> None:
        client = shop.panels.get(panel_name)
        ids = [order.panel_order_id for order in items if order.panel_order_id]
        answers, requests = await fetch_in_chunks(ids, client.statuses, f"status {panel_name}")
        report.requests[panel_name] = requests
        for batch in chunked(items, APPLY_BATCH):
            changes, errors = await _apply(shop, batch, answers)
            report.changes.extend(changes)
            report.entry_errors += errors

    await asyncio.gather(*(one(name, items) for name, items in by_panel.items()))
    return report


async def _open_orders_by_panel(shop: Shop) -> dict[str, list[Order]]:
    open_states = [state.value for state in orders.OPEN_STATES]
    async with shop.sessions() as session:
        rows = (await session.execute(
            select(Order, Panel.name)
            .join(Panel, Panel.id == Order.panel_id)
            .where(Order.state.in_(open_states), Order.panel_order_id.is_not(None))
            .order_by(Order.id)
        )).all()
    by_panel: dict[str, list[Order]] = defaultdict(list)
    for order, panel_name in rows:
        if panel_name in shop.panels:  # a panel removed from the config keeps its history
            by_panel[panel_name].append(order)
    return by_panel


async def _apply(
    shop: Shop, batch: Sequence[Order], answers: dict[str, OrderInfo | EntryError]
) -> tuple[list[StatusChange], int]:
    answered: list[tuple[Order, OrderInfo]] = []
    failed: list[dict[str, object]] = []
    for order in batch:
        answer = answers.get(order.panel_order_id or "")
        if isinstance(answer, EntryError):
            if order.error != answer.message[:500]:
                failed.append({"b_id": order.id, "b_error": answer.message[:500]})
        elif answer is not None:
            answered.append((order, answer))
    async with shop.sessions() as session, session.begin():
        if failed:
            table = Order.__table__
            await session.execute(
                update(table).where(table.c.id == bindparam("b_id"))
                .values(error=bindparam("b_error"), checked_at=utcnow()),
                failed,
            )
        changes = await orders.apply_panel_statuses(
            session, answered, shop.settings.currency_precision
        )
    errors = sum(isinstance(answers.get(o.panel_order_id or ""), EntryError) for o in batch)
    return changes, errors
