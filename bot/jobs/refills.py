"""Refill status polling: the customer learns when a refill completes or is rejected.

And no refill stays stuck: one left `requesting` (its process died mid-request) or `unknown`
(the request timed out) blocks every later refill of its order (aftersale's
ACTIVE_REFILL_STATES). Past REFILL_GRACE it is resolved: with a panel refill ID the panel is
asked again (refill_status); without one, nothing can be asked, so it is marked failed and the
customer may request a refill again (a second request is harmless: the panel refuses a
refill it is already doing). The scheduler tells the customer and the admins.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot.context import Shop
from bot.jobs.batching import fetch_in_chunks
from bot.panel import MAX_IDS_PER_REQUEST, EntryError, PanelClient, RefillInfo, RefillStatus
from bot.shop import profiles
from storage.models import Order, Panel, Refill, User
from storage.types import utcnow

log = logging.getLogger("bot.jobs.refills")

OPEN_REFILL_STATES = ("pending", "in_progress", "unknown")
# Far beyond a refill request's own bound (the panel client's slot wait + connect + answer,
# about a minute): a refill this old in one of these states is no longer being requested.
REFILL_GRACE = timedelta(minutes=10)
STUCK_REFILL_STATES = ("requesting", "unknown")
# (refill id, panel refill id, state, order id, customer telegram id)
_OpenRefill = tuple[int, str, str, int, int]
_Refill = tuple[int, str | None, str, int, int]  # a row whose panel refill ID may be missing


def _size(client: PanelClient) -> int:
    """IDs per fetch: one where the panel is asked one refill per request (each counts)."""
    return 1 if client.profile.multi_refill_status == "single" else MAX_IDS_PER_REQUEST


@dataclass(frozen=True, slots=True)
class RefillChange:
    refill_id: int
    order_id: int
    telegram_id: int
    state: str  # a terminal RefillStatus value


# A refill with what its job needs: its panel's name and its customer's Telegram ID.
_REFILLS = (
    select(Refill.id, Refill.panel_refill_id, Refill.state, Panel.name, Order.id, User.telegram_id)
    .join(Order, Order.id == Refill.order_id)
    .join(Panel, Panel.id == Order.panel_id)
    .join(User, User.id == Order.user_id)
)


async def poll_refills(shop: Shop) -> list[RefillChange]:
    async with shop.sessions() as session:
        rows = (
            await session.execute(
                _REFILLS.where(
                    Refill.state.in_(OPEN_REFILL_STATES), Refill.panel_refill_id.is_not(None)
                )
            )
        ).all()
    by_panel: dict[str, list[_OpenRefill]] = defaultdict(list)
    for refill_id, panel_refill_id, state, panel_name, order_id, telegram_id in rows:
        if panel_name in shop.panels and panel_refill_id is not None:  # the query's own filter
            by_panel[panel_name].append((refill_id, panel_refill_id, state, order_id, telegram_id))

    async def one(panel_name: str, items: list[_OpenRefill]) -> list[RefillChange]:
        client = shop.panels.get(panel_name)
        answers, _ = await fetch_in_chunks(
            [item[1] for item in items],
            client.refill_statuses,
            f"refill_status {panel_name}",
            size=_size(client),
        )
        await profiles.save_learned(shop, client)
        return await _apply(shop, items, answers)

    results = await asyncio.gather(*(one(name, items) for name, items in by_panel.items()))
    return [change for batch in results for change in batch]


async def _apply(
    shop: Shop,
    items: list[_OpenRefill],
    answers: dict[str, RefillInfo | EntryError],
) -> list[RefillChange]:
    changes: list[RefillChange] = []
    async with shop.sessions() as session, session.begin():
        for refill_id, panel_refill_id, state, order_id, telegram_id in items:
            info = answers.get(panel_refill_id)
            if isinstance(info, EntryError):
                await session.execute(
                    update(Refill)
                    .where(Refill.id == refill_id)
                    .values(error=info.message[:500], updated_at=utcnow())
                )
                continue
            if info is None or info.status.value == state:
                continue
            won = await session.execute(
                update(Refill)
                .where(Refill.id == refill_id, Refill.state == state)
                .values(
                    state=info.status.value, panel_status=info.raw_status[:64], updated_at=utcnow()
                )
                .returning(Refill.id)
            )
            if won.first() is not None and info.status.is_terminal:
                changes.append(RefillChange(refill_id, order_id, telegram_id, info.status.value))
    return changes


@dataclass(frozen=True, slots=True)
class ResolvedRefill:
    """A refill that was stuck past REFILL_GRACE, and what it became."""

    refill_id: int
    order_id: int
    telegram_id: int
    state: str  # a RefillStatus value; "failed": the customer may ask again
    reason: str  # for admins and logs


async def resolve_stuck_refills(
    shop: Shop, grace: timedelta = REFILL_GRACE
) -> list[ResolvedRefill]:
    """Resolve refills stuck in `requesting`/`unknown` since before `grace` (see above)."""
    cutoff = utcnow() - grace
    async with shop.sessions() as session:
        rows = (
            await session.execute(
                _REFILLS.where(
                    Refill.state.in_(STUCK_REFILL_STATES), Refill.updated_at <= cutoff
                ).order_by(Refill.id)
            )
        ).all()
    decided: list[tuple[_Refill, str, str | None, str]] = []  # row, state, raw, reason
    by_panel: dict[str, list[_OpenRefill]] = defaultdict(list)
    minutes = int(grace.total_seconds() // 60)
    for refill_id, panel_refill_id, state, panel_name, order_id, telegram_id in rows:
        if panel_refill_id is None:
            decided.append(
                (
                    (refill_id, None, state, order_id, telegram_id),
                    RefillStatus.FAILED.value,
                    None,
                    f"no refill ID from the panel within {minutes} min",
                )
            )
        elif panel_name in shop.panels:
            by_panel[panel_name].append((refill_id, panel_refill_id, state, order_id, telegram_id))
    for panel_name, items in by_panel.items():
        client = shop.panels.get(panel_name)
        answers, _ = await fetch_in_chunks(
            [item[1] for item in items],
            client.refill_statuses,
            f"refill_status {panel_name}",
            size=_size(client),
        )
        await profiles.save_learned(shop, client)
        for item in items:
            info = answers.get(item[1])
            if info is None:
                continue  # the panel did not answer: asked again next cycle
            if isinstance(info, EntryError):
                decided.append(
                    (
                        item,
                        RefillStatus.FAILED.value,
                        None,
                        f"the panel does not know it: {info.message[:200]}",
                    )
                )
            elif info.status is RefillStatus.UNKNOWN:
                decided.append(
                    (
                        item,
                        RefillStatus.FAILED.value,
                        info.raw_status,
                        f"status not understood after {minutes} min",
                    )
                )
            else:
                decided.append((item, info.status.value, info.raw_status, "asked again"))
    resolved: list[ResolvedRefill] = []
    async with shop.sessions() as session, session.begin():
        for (refill_id, _, state, order_id, telegram_id), new_state, raw, reason in decided:
            values: dict[str, object] = {"state": new_state, "updated_at": utcnow()}
            if raw is not None:
                values["panel_status"] = raw[:64]
            if new_state == RefillStatus.FAILED.value:
                values["error"] = reason[:500]
            won = await session.execute(  # compare-and-set: a late answer may have settled it
                update(Refill)
                .where(Refill.id == refill_id, Refill.state == state, Refill.updated_at <= cutoff)
                .values(**values)
                .returning(Refill.id)
            )
            if won.first() is not None:
                resolved.append(ResolvedRefill(refill_id, order_id, telegram_id, new_state, reason))
    if resolved:
        log.warning(
            "resolved %d stuck refills: %s",
            len(resolved),
            [(r.refill_id, r.state) for r in resolved],
        )
    return resolved
