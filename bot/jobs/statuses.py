"""Order status polling, one panel at a time: its open orders, at most 100 IDs per request.

Every panel's cycle stands alone (bot/jobs/status_runner.py runs them side by side): its own
time limit for the panel's answers, its own transactions, its own report. Within a cycle a bad
row costs only its own order: the answer is settled set-based in batches, and a batch that
fails is settled again in savepoints, halved down to the row at fault, which is counted as a
bad row (bot.shop.orders.record_bad_rows).
A failed request loses only its own chunk until next cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Shop
from bot.jobs.batching import chunked, fetch_within
from bot.panel import MAX_IDS_PER_REQUEST, EntryError, OrderInfo
from bot.shop import orders, profiles
from bot.shop.orders import StatusChange
from storage.models import Order, Panel
from storage.types import utcnow

log = logging.getLogger("bot.jobs.statuses")
APPLY_BATCH = 200  # orders settled per transaction: short transactions, few commits
# A panel's answers are waited for at most this many poll intervals. The client's own request
# timeout ends a plain hang much sooner; this bounds a panel that trickles its answer forever,
# yet gives a slow panel with many chunks time to finish (meanwhile its next ticks are skipped).
PANEL_CYCLE_INTERVALS = 2


def cycle_limit(settings: Settings) -> float:
    return float(PANEL_CYCLE_INTERVALS * settings.status_poll_seconds)


@dataclass
class PollReport:
    orders: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # per panel
    changes: list[StatusChange] = field(default_factory=list)
    entry_errors: int = 0  # rows the panel answered with an error for that ID
    bad_rows: int = 0  # rows that failed to apply (settled apart from their batch)
    cut: dict[str, int] = field(default_factory=dict)  # per panel: requests cut by the limit

    def add(self, other: PollReport) -> None:
        self.orders += other.orders
        self.requests.update(other.requests)
        self.changes.extend(other.changes)
        self.entry_errors += other.entry_errors
        self.bad_rows += other.bad_rows
        self.cut.update(other.cut)


async def poll_statuses(shop: Shop, *, limit: float | None = None) -> PollReport:
    """One cycle of every panel, side by side, each settled on its own; the merged report."""
    reports = await asyncio.gather(
        *(poll_panel(shop, client.name, limit=limit) for client in shop.panels)
    )
    merged = PollReport()
    for report in reports:
        merged.add(report)
    return merged


async def poll_panel(shop: Shop, panel_name: str, *, limit: float | None = None) -> PollReport:
    """One cycle of one panel: ask about its open orders (answers after `limit` seconds are
    not waited for) and settle what came back."""
    items = await _open_orders(shop, panel_name)
    report = PollReport(orders=len(items))
    client = shop.panels.get(panel_name)
    if not items:
        await profiles.save_learned(shop, client)
        return report
    ids = [order.panel_order_id for order in items if order.panel_order_id]
    size = MAX_IDS_PER_REQUEST
    if client.profile.multi_status == "single":
        # One request per order: a cycle cut by the limit keeps every answer it got, and the
        # order is shuffled so that the orders left unasked differ from cycle to cycle.
        size = 1
        random.shuffle(ids)
    fetched = await fetch_within(
        ids,
        client.statuses,
        f"status {panel_name}",
        limit=limit,
        unusable=_unusable_answer,
        size=size,
    )
    await profiles.save_learned(shop, client)  # a form learned this cycle is used next cycle
    report.requests[panel_name] = fetched.requests
    if fetched.cut:
        report.cut[panel_name] = fetched.cut
    for batch in chunked(items, APPLY_BATCH):
        await _settle(shop, batch, fetched.answers, report)
    return report


async def _open_orders(shop: Shop, panel_name: str) -> list[Order]:
    open_states = [state.value for state in orders.OPEN_STATES]
    async with shop.sessions() as session:
        return list(
            await session.scalars(
                select(Order)
                .join(Panel, Panel.id == Order.panel_id)
                .where(
                    Panel.name == panel_name,
                    Order.state.in_(open_states),
                    Order.panel_order_id.is_not(None),
                )
                .order_by(Order.id)
            )
        )


async def _settle(
    shop: Shop,
    batch: Sequence[Order],
    answers: dict[str, OrderInfo | EntryError],
    report: PollReport,
) -> None:
    answered: list[tuple[Order, OrderInfo]] = []
    bad: list[tuple[Order, str]] = []
    for order in batch:
        answer = answers.get(order.panel_order_id or "")
        if isinstance(answer, EntryError):
            bad.append((order, answer.message))
        elif answer is not None:
            answered.append((order, answer))
    report.entry_errors += len(bad)
    precision = shop.settings.currency_precision
    referral = shop.settings.referral_percent
    now = utcnow()
    try:
        async with shop.sessions() as session, session.begin():
            changes = await orders.record_bad_rows(session, bad, now)
            changes += await orders.apply_panel_statuses(
                session, answered, precision, now, referral_percent=referral
            )
    except Exception as exc:
        # Some row of this batch cannot be written (a charge beyond the Money column, …):
        # everything above rolled back, so settle the batch again one order at a time.
        log.warning(
            "statuses: a batch of %d orders failed (%s); settling it in parts",
            len(batch),
            type(exc).__name__,
        )
        changes = await _settle_in_parts(shop, answered, bad, report, now)
    report.changes.extend(changes)


async def _settle_in_parts(
    shop: Shop,
    answered: list[tuple[Order, OrderInfo]],
    bad: list[tuple[Order, str]],
    report: PollReport,
    now: datetime,
) -> list[StatusChange]:
    """Settle a failed batch again in savepoints (session.begin_nested), halving the part that
    fails down to the one row at fault: a part that fails rolls back only itself, transitions
    and refunds together, so a refund is still written exactly once (its compare-and-set and
    its ledger key commit or vanish as one). One bad row in 200 costs ~16 savepoints, not 200."""
    precision = shop.settings.currency_precision
    referral = shop.settings.referral_percent
    changes: list[StatusChange] = []
    failed: list[tuple[Order, str]] = []

    async def settle(session: AsyncSession, part: Sequence[tuple[Order, OrderInfo]]) -> None:
        try:
            async with session.begin_nested():
                changes.extend(
                    await orders.apply_panel_statuses(
                        session, part, precision, now, referral_percent=referral
                    )
                )
            return
        except Exception as exc:
            if len(part) == 1:
                order, info = part[0]
                log.info(
                    "statuses: order %s: status row not applied: %s", order.id, type(exc).__name__
                )
                failed.append((order, _unusable(info, exc)))
                return
        middle = len(part) // 2
        await settle(session, part[:middle])
        await settle(session, part[middle:])

    try:
        async with shop.sessions() as session, session.begin():
            middle = len(answered) // 2  # the whole batch failed already: start with halves
            for part in (answered[:middle], answered[middle:]):
                if part:
                    await settle(session, part)
            changes += await orders.record_bad_rows(session, bad + failed, now)
    except Exception:
        log.exception(
            "statuses: settling a failed batch of %d orders in parts failed", len(answered)
        )
        return []
    report.bad_rows += len(failed)
    return changes


def _unusable_answer(panel_order_id: str, exc: Exception) -> EntryError:
    return EntryError(panel_order_id, f"status row could not be read ({type(exc).__name__})")


def _unusable(info: OrderInfo, exc: Exception) -> str:
    """What admins see on the order: the failure and the row's values, each bounded."""
    return (
        f"status row could not be applied ({type(exc).__name__}): "
        f"status={_short(info.raw_status)}, charge={_short(info.charge)}, "
        f"start_count={_short(info.start_count)}, remains={_short(info.remains)}"
    )


def _short(value: Any) -> str:
    if isinstance(value, int) and not -(10**18) < value < 10**18:
        return "(out of range)"  # str() of a huge int is slow or refused outright
    text = "—" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
