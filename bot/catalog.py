"""The shop's catalog: syncing it from panels, and reading it for customers.

Sync keeps what admins decided (display names, markups, enabled switches) and only touches
what the panel owns (name, type, rate, bounds, flags). A vanished service is marked
unavailable, never deleted, so its orders keep their history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import to_scale
from bot.panel import Service as PanelService
from bot.panel import ServiceType
from storage.models import Category, Panel, Service
from storage.types import utcnow

log = logging.getLogger("bot.catalog")


@dataclass(frozen=True, slots=True)
class SyncReport:
    panel: str
    added: int
    changed: int
    disabled: int
    total: int


async def ensure_panel(
    session: AsyncSession, *, name: str, url: str, dialect: str, is_sandbox: bool
) -> Panel:
    panel = await session.scalar(select(Panel).where(Panel.name == name))
    if panel is None:
        panel = Panel(name=name, url=url, dialect=dialect, is_sandbox=is_sandbox)
        session.add(panel)
    else:
        panel.url, panel.dialect, panel.is_sandbox = url, dialect, is_sandbox
    await session.flush()
    return panel


async def apply_catalog(
    session: AsyncSession, panel: Panel, services: list[PanelService]
) -> SyncReport:
    """Upsert one panel's catalog answer into the shop (one transaction, the caller's)."""
    categories = await _categories_by_name(session, {s.category.strip() or "—" for s in services})
    existing = {
        row.panel_service_id: row
        for row in await session.scalars(select(Service).where(Service.panel_id == panel.id))
    }
    added = changed = 0
    seen: set[str] = set()
    for item in services:
        if item.service_id in seen:
            continue  # a panel listing one ID twice: the first row wins
        seen.add(item.service_id)
        category = categories[item.category.strip() or "—"]
        fields = {
            "category_id": category.id,
            "name": item.name.strip() or item.service_id,
            "type": item.type.value,
            "raw_type": item.raw_type[:64],
            "rate": to_scale(item.rate),  # storage scale; rounding up keeps prices above cost
            "min_quantity": item.min,
            "max_quantity": item.max,
            "refill": item.refill,
            "cancel": item.cancel,
            "dripfeed": item.dripfeed,
            "description": item.description,
            "available": True,
        }
        row = existing.get(item.service_id)
        if row is None:
            session.add(Service(panel_id=panel.id, panel_service_id=item.service_id, **fields))
            added += 1
            continue
        if any(getattr(row, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            changed += 1
    vanished = [sid for sid, row in existing.items() if sid not in seen and row.available]
    if vanished:
        await session.execute(
            update(Service)
            .where(Service.panel_id == panel.id, Service.panel_service_id.in_(vanished))
            .values(available=False, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        for sid in vanished:
            existing[sid].available = False
    panel.last_synced_at = utcnow()
    await session.flush()
    report = SyncReport(panel.name, added, changed, len(vanished), len(seen))
    log.info("catalog sync %s: %s", panel.name, report)
    return report


async def _categories_by_name(session: AsyncSession, names: set[str]) -> dict[str, Category]:
    found = {
        c.name: c for c in await session.scalars(select(Category).where(Category.name.in_(names)))
    }
    for name in sorted(names - found.keys()):
        category = Category(name=name[:255])
        session.add(category)
        found[name] = category
    await session.flush()
    return found


# -- reading the catalog --------------------------------------------------------------------

def _sellable() -> list:  # type: ignore[type-arg]
    return [Service.enabled.is_(True), Service.available.is_(True), Category.enabled.is_(True)]


async def count_categories(session: AsyncSession) -> int:
    return await session.scalar(
        select(func.count(func.distinct(Category.id))).join(Service).where(*_sellable())
    ) or 0


async def list_categories(session: AsyncSession, offset: int, limit: int) -> list[Category]:
    result = await session.scalars(
        select(Category)
        .join(Service)
        .where(*_sellable())
        .group_by(Category.id)
        .order_by(Category.sort_order, Category.name)
        .offset(offset)
        .limit(limit)
    )
    return list(result)


async def count_services(session: AsyncSession, category_id: int) -> int:
    return await session.scalar(
        select(func.count(Service.id)).join(Category).where(
            Service.category_id == category_id, *_sellable()
        )
    ) or 0


async def list_services(
    session: AsyncSession, category_id: int, offset: int, limit: int
) -> list[Service]:
    result = await session.scalars(
        select(Service)
        .join(Category)
        .where(Service.category_id == category_id, *_sellable())
        .order_by(Service.rate, Service.id)
        .offset(offset)
        .limit(limit)
    )
    return list(result)


async def search_services(session: AsyncSession, text: str, limit: int) -> list[Service]:
    """Case-insensitive substring match on every name a customer may see."""
    words = [w for w in text.lower().split() if w][:5]
    if not words:
        return []
    conditions = [
        or_(
            func.lower(Service.name).contains(word, autoescape=True),
            func.lower(func.coalesce(Service.name_en, "")).contains(word, autoescape=True),
            func.lower(func.coalesce(Service.name_ar, "")).contains(word, autoescape=True),
        )
        for word in words
    ]
    result = await session.scalars(
        select(Service).join(Category).where(*_sellable(), *conditions)
        .order_by(Service.rate, Service.id).limit(limit)
    )
    return list(result)


async def sellable_service(session: AsyncSession, service_id: int) -> Service | None:
    return await session.scalar(
        select(Service).join(Category).where(Service.id == service_id, *_sellable())
    )


def display_name(row: Service | Category, language: str) -> str:
    override = row.name_ar if language == "ar" else row.name_en
    return override or row.name


def to_panel_service(row: Service) -> PanelService:
    return PanelService(
        service_id=row.panel_service_id,
        name=row.name,
        category="",
        type=ServiceType.parse(row.type),
        raw_type=row.raw_type,
        rate=row.rate,
        min=row.min_quantity,
        max=row.max_quantity,
        refill=row.refill,
        cancel=row.cancel,
        dripfeed=row.dripfeed,
        description=row.description,
    )
