"""Catalog switches for admins: enable/disable, markups (global, per category, per service),
display names per language, and a sync on demand. Each change writes its audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import Shop
from bot.shop import audit, shop_settings
from bot.shop.catalog import SyncReport
from bot.shop.catalog_sync import sync_catalogs
from bot.shop.digits import parse_decimal
from bot.shop.pricing import price_per_1000
from storage.models import Category, Panel, Service

Kind = Literal["category", "service"]
MAX_MARKUP = Decimal(10_000)  # as MARKUP_PERCENT allows
RESET_WORDS = frozenset({"-", "reset", "default", "افتراضي"})
NAME_LIMITS = {"category": 255, "service": 512}


class BadInput(ValueError):
    pass


def parse_markup(text: str) -> Decimal | None:
    """A percent 0…10000 with at most 2 decimals ('%' allowed); None means "remove the
    override". Raises BadInput otherwise."""
    text = text.strip()
    if text.lower() in RESET_WORDS:
        return None
    value = parse_decimal(text.removesuffix("%").removesuffix("٪"))
    if value is None or value < 0 or value > MAX_MARKUP or value != round(value, 2):
        raise BadInput(text)
    return value.quantize(Decimal("0.01"))


def parse_name(text: str, kind: Kind) -> str | None:
    """A display name; None means "show the panel's name again". Raises BadInput."""
    text = " ".join(text.split())
    if text.lower() in RESET_WORDS:
        return None
    if not text or len(text) > NAME_LIMITS[kind]:
        raise BadInput(text)
    return text


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PanelSync:
    """A panel's last catalog sync as panels.sync_report keeps it (bot.shop.catalog.SyncReport):
    the last good sync's figures and skipped rows, and the newest failure if it came after."""

    panel: str
    finished_at: datetime | None = None
    total: int = 0
    skipped: int = 0
    reasons: list[tuple[str | None, str]] = field(default_factory=list)
    error: str | None = None
    failed_at: datetime | None = None

    @classmethod
    def of(cls, panel: str, report: Any) -> PanelSync:
        """Read defensively: an old or hand-edited report shows what it can, never raises."""
        if not isinstance(report, dict):
            return cls(panel)
        reasons = [
            (_text(item.get("service_id")), _text(item.get("reason")) or "?")
            for item in report.get("reasons") or []
            if isinstance(item, dict)
        ]
        return cls(
            panel,
            _moment(report.get("finished_at")),
            _count(report.get("total")),
            _count(report.get("skipped")),
            reasons,
            _text(report.get("error")),
            _moment(report.get("failed_at")),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: Any) -> int:
    return value if type(value) is int and value >= 0 else 0


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


@dataclass(frozen=True, slots=True)
class Overview:
    markup: Decimal  # effective global markup
    override: bool  # True when an admin's value replaces MARKUP_PERCENT
    categories: int
    services: int
    enabled: int  # services enabled and available
    syncs: list[PanelSync] = field(default_factory=list)  # per configured panel, by name


async def overview(shop: Shop) -> Overview:
    async with shop.sessions() as session:
        stored = await shop_settings.global_markup(session)
        categories = await session.scalar(select(func.count()).select_from(Category))
        services = await session.scalar(select(func.count()).select_from(Service))
        enabled = await session.scalar(
            select(func.count())
            .select_from(Service)
            .where(Service.enabled.is_(True), Service.available.is_(True))
        )
        reports = {
            name: report
            for name, report in await session.execute(select(Panel.name, Panel.sync_report))
        }
    markup = shop_settings.with_global_markup(shop.rules, stored).default_markup_percent
    syncs = [PanelSync.of(name, reports.get(name)) for name in sorted(shop.panels.names)]
    return Overview(markup, stored is not None, categories or 0, services or 0, enabled or 0, syncs)


async def categories_page(
    sessions: async_sessionmaker[AsyncSession], page: int, size: int
) -> tuple[int, list[Category]]:
    async with sessions() as session:
        total = await session.scalar(select(func.count()).select_from(Category)) or 0
        rows = list(
            await session.scalars(
                select(Category)
                .order_by(Category.sort_order, Category.name, Category.id)
                .offset(page * size)
                .limit(size)
            )
        )
    return total, rows


async def services_page(
    sessions: async_sessionmaker[AsyncSession], category_id: int, page: int, size: int
) -> tuple[Category | None, int, list[Service]]:
    async with sessions() as session:
        category = await session.get(Category, category_id)
        where = Service.category_id == category_id
        total = await session.scalar(select(func.count()).select_from(Service).where(where)) or 0
        rows = list(
            await session.scalars(
                select(Service).where(where).order_by(Service.id).offset(page * size).limit(size)
            )
        )
    return category, total, rows


@dataclass(frozen=True, slots=True)
class ServiceCard:
    service: Service
    category: Category
    panel: str
    markup: Decimal  # effective: service, else category, else global
    price: Decimal  # per 1000 (or per package), shop currency
    panel_currency: str | None = None  # what the panel's rate is in; None: never reported


async def service_card(shop: Shop, service_id: int) -> ServiceCard | None:
    async with shop.sessions() as session:
        row = (
            await session.execute(
                select(Service, Category, Panel.name, Panel.currency)
                .join(Category, Category.id == Service.category_id)
                .join(Panel, Panel.id == Service.panel_id)
                .where(Service.id == service_id)
            )
        ).first()
        if row is None:
            return None
        service, category, panel, panel_currency = row
        rules = await shop_settings.effective_rules(session, shop.rules)
    markup = rules.markup(service.markup_percent, category.markup_percent)
    return ServiceCard(
        service,
        category,
        panel,
        markup,
        price_per_1000(rules, service.rate, markup),
        panel_currency,
    )


async def category_card(
    sessions: async_sessionmaker[AsyncSession], category_id: int
) -> tuple[Category, int] | None:
    """The category and how many services it holds."""
    async with sessions() as session:
        category = await session.get(Category, category_id)
        if category is None:
            return None
        count = await session.scalar(
            select(func.count()).select_from(Service).where(Service.category_id == category_id)
        )
    return category, count or 0


# -- changing --------------------------------------------------------------------------------


def _model(kind: Kind) -> type[Category] | type[Service]:
    return Category if kind == "category" else Service


async def _change(
    sessions: async_sessionmaker[AsyncSession],
    admin_id: int,
    kind: Kind,
    row_id: int,
    field: str,
    value: object,
) -> bool:
    """Set one admin-owned field with its audit row; False when the row does not exist."""
    async with sessions() as session, session.begin():
        row = await session.get(_model(kind), row_id)
        if row is None:
            return False
        before = getattr(row, field)
        setattr(row, field, value)
        audit.record(
            session,
            admin_id,
            f"{kind}.{field}",
            f"{kind}:{row_id}",
            {field: _json(before)},
            {field: _json(value)},
        )
    return True


def _json(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


async def set_enabled(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    kind: Kind,
    row_id: int,
    enabled: bool,
) -> bool:
    return await _change(sessions, admin_id, kind, row_id, "enabled", enabled)


async def toggle_enabled(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    kind: Kind,
    row_id: int,
) -> bool | None:
    """Flip the switch as it is now (not as a possibly old button showed it); the new value,
    None when the row does not exist."""
    async with sessions() as session, session.begin():
        row = await (
            session.get(Category, row_id) if kind == "category" else session.get(Service, row_id)
        )
        if row is None:
            return None
        row.enabled = not row.enabled
        audit.record(
            session,
            admin_id,
            f"{kind}.enabled",
            f"{kind}:{row_id}",
            {"enabled": not row.enabled},
            {"enabled": row.enabled},
        )
        return row.enabled


async def set_markup(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    kind: Kind,
    row_id: int,
    percent: Decimal | None,
) -> bool:
    return await _change(sessions, admin_id, kind, row_id, "markup_percent", percent)


async def set_name(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    kind: Kind,
    row_id: int,
    language: Literal["en", "ar"],
    name: str | None,
) -> bool:
    return await _change(sessions, admin_id, kind, row_id, f"name_{language}", name)


async def set_global_markup(shop: Shop, *, admin_id: int, percent: Decimal | None) -> None:
    async with shop.sessions() as session, session.begin():
        await shop_settings.set_global_markup(
            session, admin_id=admin_id, percent=percent, default=shop.settings.markup_percent
        )
    shop.catalog.invalidate()


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    reports: list[SyncReport]
    failed: list[str]  # panels that did not answer


async def sync_now(shop: Shop, *, admin_id: int) -> SyncOutcome:
    """Sync every panel now (network first, no transaction held), then the audit row."""
    reports = await sync_catalogs(shop)
    done = {report.panel for report in reports}
    failed = [name for name in shop.panels.names if name not in done]
    async with shop.sessions() as session, session.begin():
        audit.record(
            session,
            admin_id,
            "catalog.sync",
            "catalog",
            None,
            {
                "synced": {
                    r.panel: {
                        "added": r.added,
                        "changed": r.changed,
                        "disabled": r.disabled,
                        "total": r.total,
                        "skipped": len(r.skipped),
                    }
                    for r in reports
                },
                "failed": failed,
            },
        )
    return SyncOutcome(reports, failed)
