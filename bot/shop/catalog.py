"""The shop's catalog: syncing it from panels, and reading it for customers.

Sync keeps what admins decided (display names, markups, enabled switches) and only touches
what the panel owns (name, type, rate, bounds, flags). A vanished service is marked
unavailable, never deleted, so its orders keep their history.

Every row is checked against what storage can hold before anything is written (the panel
client's parser already skips what it cannot read; this is the storage boundary's own defence):
a row that does not fit is skipped with its reason and the rest of the answer is synced, so one
hostile row can never fail a panel's whole sync.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import to_scale
from bot.panel import Service as PanelService
from bot.panel import ServiceType, SkippedRow
from bot.shop.catalog_entries import CategoryEntry, ServiceEntry
from storage.models import Category, Panel, Service
from storage.types import utcnow

log = logging.getLogger("bot.shop.catalog")

# What the columns hold (storage/models.py); text beyond is cut, the same way everywhere.
CATEGORY_MAX = 255
NAME_MAX = 512
SERVICE_ID_MAX = 64
RAW_TYPE_MAX = 64
URL_MAX = 512
DESCRIPTION_MAX = 4000  # Text column; a card shows far less, a 1 MB "description" is junk
QUANTITY_MAX = 2**63 - 1  # BigInteger (signed 64-bit) on every engine
# Money stores integer 10**-6 units in a signed BigInteger: about 9.2e12 at most. A sane rate
# (panel currency per 1000) is far below, with room left for price = rate × quantity × markup.
RATE_MAX = Decimal(10) ** 9
REPORT_REASONS = 20  # {service_id, reason} pairs kept in panels.sync_report
REASON_MAX = 200  # characters of one reason / service id in the report
LOGGED_REASONS = 5
_CHUNK = 500  # values per IN (...): far below every engine's parameter limit
DEFAULT_CATEGORY = "—"
# The columns a sync owns (and compares to see whether a row changed).
_COMPARED = (
    Service.category_id,
    Service.name,
    Service.type,
    Service.raw_type,
    Service.rate,
    Service.min_quantity,
    Service.max_quantity,
    Service.refill,
    Service.cancel,
    Service.dripfeed,
    Service.description,
    Service.available,
)
# The declarative stubs type __table__ as any FromClause; a mapped class's is a Table.
_SERVICES = cast(Table, Service.__table__)
_UPDATE_SERVICE = (
    update(_SERVICES)
    .where(_SERVICES.c.id == bindparam("row_id"))
    .values(
        {
            column.key: bindparam(f"new_{column.key}", type_=column.type)
            for column in (*_COMPARED, Service.updated_at)
        }
    )
)

# NUL (PostgreSQL text cannot hold it), other control characters and lone surrogates (not
# encodable as UTF-8: the driver would fail the whole batch) never reach storage.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable_text(value: object, limit: int) -> str:
    """`value` as text the column holds: unstorable characters dropped, stripped, cut to
    `limit`. The one function used for both looking a name up and inserting it, so the same
    panel text always finds the row it created. Otherwise the text is kept as the panel sent
    it (as earlier versions stored it), so existing categories keep matching."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # the common case skips the regex: printable is storable
        text = _UNSTORABLE.sub("", text)
    return text.strip()[:limit]


def category_key(raw: str) -> str:
    return storable_text(raw, CATEGORY_MAX) or DEFAULT_CATEGORY


class RowRefused(ValueError):
    """A catalog row storage cannot hold; the message is the reason admins see."""


def _quantity(value: object, what: str) -> int:
    if type(value) is not int or not 0 <= value <= QUANTITY_MAX:
        raise RowRefused(f"{what} out of range")
    return value


def _rate(value: object) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RowRefused("rate is not a number")
    if value < 0 or value > RATE_MAX:
        raise RowRefused("rate out of range")
    return to_scale(value)  # storage scale; rounding up keeps prices above cost


def _service_id(value: object) -> str:
    sid = value.strip() if isinstance(value, str) else ""
    if not sid:
        raise RowRefused("no service id")
    if len(sid) > SERVICE_ID_MAX or _UNSTORABLE.search(sid):
        raise RowRefused("service id too long or not printable")
    return sid


def row_fields(item: PanelService) -> tuple[str, str, dict[str, Any]]:
    """(service id, category name, column values) of a row as storage holds it; RowRefused
    with the reason when it cannot be held."""
    sid = _service_id(item.service_id)
    raw_type = storable_text(item.raw_type, RAW_TYPE_MAX)
    kind = item.type.value if isinstance(item.type, ServiceType) else ServiceType.parse(raw_type)
    description = storable_text(item.description, DESCRIPTION_MAX) if item.description else ""
    fields = {
        "name": storable_text(item.name, NAME_MAX) or sid,
        "type": str(kind),
        "raw_type": raw_type,
        "rate": _rate(item.rate),
        "min_quantity": _quantity(item.min, "min"),
        "max_quantity": _quantity(item.max, "max"),
        "refill": bool(item.refill),
        "cancel": bool(item.cancel),
        "dripfeed": bool(item.dripfeed),
        "description": description or None,
        "available": True,
    }
    return sid, category_key(item.category), fields


@dataclass(frozen=True, slots=True)
class SyncReport:
    panel: str
    added: int
    changed: int
    disabled: int
    total: int  # rows synced
    skipped: tuple[SkippedRow, ...] = field(default=())  # the parser's and the storage's

    def as_json(self) -> dict[str, Any]:
        """What panels.sync_report keeps (the admin screen reads it)."""
        return {
            "finished_at": utcnow().isoformat(),
            "total": self.total,
            "added": self.added,
            "changed": self.changed,
            "disabled": self.disabled,
            "skipped": len(self.skipped),
            "reasons": [
                {"service_id": _bounded(row.service_id), "reason": _bounded(row.reason) or "?"}
                for row in self.skipped[:REPORT_REASONS]
            ],
            "error": None,
            "failed_at": None,
        }


def _bounded(value: object) -> str | None:
    return None if value is None else storable_text(value, REASON_MAX)


def failed_report(previous: dict[str, Any] | None, error: str) -> dict[str, Any]:
    """A failed sync keeps the last good figures (the catalog is still that one) and says when
    and why the newest attempt failed."""
    report = dict(previous) if isinstance(previous, dict) else {}
    report.update(error=storable_text(error, REASON_MAX), failed_at=utcnow().isoformat())
    return report


async def ensure_panel(
    session: AsyncSession, *, name: str, url: str, dialect: str, is_sandbox: bool
) -> Panel:
    # The name is the panel's identity (config allows 64 characters): never cut. The URL is
    # only shown, so an overlong one is cut rather than refusing the panel.
    url = storable_text(url, URL_MAX)
    panel = await session.scalar(select(Panel).where(Panel.name == name))
    if panel is None:
        panel = Panel(name=name, url=url, dialect=dialect, is_sandbox=is_sandbox)
        session.add(panel)
    else:
        panel.url, panel.dialect, panel.is_sandbox = url, dialect, is_sandbox
    await session.flush()
    return panel


def _usable_rows(
    services: Iterable[PanelService],
) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[SkippedRow]]:
    """The rows storage can hold, by service id (first wins), and the others with reasons."""
    rows: dict[str, tuple[str, dict[str, Any]]] = {}
    skipped: list[SkippedRow] = []
    for item in services:
        try:
            sid, category, fields = row_fields(item)
        except RowRefused as exc:
            skipped.append(SkippedRow(_bounded(getattr(item, "service_id", None)), str(exc)))
            continue
        except Exception as exc:  # a hostile row never fails the whole answer
            skipped.append(
                SkippedRow(
                    _bounded(getattr(item, "service_id", None)),
                    f"unreadable row ({type(exc).__name__})",
                )
            )
            continue
        if sid in rows:
            skipped.append(SkippedRow(sid, "duplicate service id (the first row is kept)"))
            continue
        rows[sid] = (category, fields)
    return rows, skipped


async def apply_catalog(
    session: AsyncSession,
    panel: Panel,
    services: Sequence[PanelService],
    skipped: Sequence[SkippedRow] = (),
) -> SyncReport:
    """Upsert one panel's catalog answer into the shop (one transaction, the caller's).

    `skipped`: the rows the parser already refused; they count in the report with this
    layer's own. The report is stored in panels.sync_report and logged in one line.
    """
    rows, refused = _usable_rows(services)
    categories = await _category_ids(session, {category for category, _ in rows.values()})
    # Plain rows, not ORM objects, and bulk statements: a 5,000-row catalog syncs in a
    # fraction of the time the unit of work takes for 5,000 objects.
    existing = {
        row.panel_service_id: row
        for row in await session.execute(
            select(Service.id, Service.panel_service_id, *_COMPARED).where(
                Service.panel_id == panel.id
            )
        )
    }
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for sid, (category_name, fields) in rows.items():
        fields["category_id"] = categories[category_name]
        row = existing.get(sid)
        if row is None:
            inserts.append({"panel_id": panel.id, "panel_service_id": sid, **fields})
        elif any(getattr(row, key) != value for key, value in fields.items()):
            updates.append(
                {
                    "row_id": row.id,
                    **{f"new_{k}": v for k, v in fields.items()},
                    "new_updated_at": now,
                }
            )
    # Core statements on the table, one executemany each (the ORM's bulk path splits a batch
    # wherever a column's None-ness changes, e.g. description, into hundreds of statements).
    if inserts:
        await session.execute(insert(_SERVICES), inserts)
    if updates:
        await session.execute(_UPDATE_SERVICE, updates)
    vanished = [row.id for sid, row in existing.items() if sid not in rows and row.available]
    for start in range(0, len(vanished), _CHUNK):
        await session.execute(
            update(Service)
            .where(Service.id.in_(vanished[start : start + _CHUNK]))
            .values(available=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    added, changed = len(inserts), len(updates)
    report = SyncReport(panel.name, added, changed, len(vanished), len(rows), (*skipped, *refused))
    panel.last_synced_at = utcnow()
    panel.sync_report = report.as_json()
    await session.flush()
    log.info(
        "catalog sync %s: %d services (%d new, %d changed, %d gone), %d rows skipped",
        panel.name,
        report.total,
        added,
        changed,
        report.disabled,
        len(report.skipped),
    )
    if report.skipped:  # once per sync, never a line per row
        log.warning(
            "catalog sync %s skipped %d rows; first: %r",
            panel.name,
            len(report.skipped),
            [(row.service_id, row.reason) for row in report.skipped[:LOGGED_REASONS]],
        )
    return report


async def _category_ids(session: AsyncSession, names: set[str]) -> dict[str, int]:
    """Category ids by stored name (`category_key`), created when missing. Panels sync at
    once and share categories by name: an insert another sync won is no error, only found."""
    found = await _find_categories(session, names)
    missing = sorted(names - found.keys())
    if missing:
        now = utcnow()
        await session.execute(
            _insert_new(session, cast(Table, Category.__table__)),
            [
                {"name": name, "enabled": True, "sort_order": 0, "created_at": now}
                for name in missing
            ],
        )
        found |= await _find_categories(session, set(missing))
    return found


async def _find_categories(session: AsyncSession, names: set[str]) -> dict[str, int]:
    ordered, found = sorted(names), dict[str, int]()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for name, category_id in await session.execute(
            select(Category.name, Category.id).where(Category.name.in_(chunk))
        ):
            found[name] = category_id
    return found


def _insert_new(session: AsyncSession, table: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on the engines the shop runs on."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table)


# -- reading the catalog --------------------------------------------------------------------

# What a customer may buy: the admin's switches on the service and on its category, and the
# panel still listing it. Every reader of the sellable catalog filters on exactly these.
SELLABLE = (Service.enabled.is_(True), Service.available.is_(True), Category.enabled.is_(True))


async def sellable_service(session: AsyncSession, service_id: int) -> Service | None:
    return await session.scalar(
        select(Service).join(Category).where(Service.id == service_id, *SELLABLE)
    )


def display_name(row: Service | Category | ServiceEntry | CategoryEntry, language: str) -> str:
    override = row.name_ar if language == "ar" else row.name_en
    return override or row.name


def to_panel_service(row: Service | ServiceEntry) -> PanelService:
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
