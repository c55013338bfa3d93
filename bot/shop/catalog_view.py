"""What customers browse, held in memory: the sellable catalog and the prices' markups.

Browsing, search, service cards and the wizard's summary read the catalog on nearly every
update, while it changes only on a catalog sync or an admin's edit. So the sellable part is
loaded once into an immutable `CatalogView` and shared; this process's catalog writes call
`CatalogCache.invalidate()`, and changes made by another process (several processes on
PostgreSQL) are picked up within `TTL` seconds.

Money never depends on this copy: Confirm prices the order again from the database inside the
transaction that debits it, and refuses a price other than the one the customer was shown
(ordering.reserve → PriceChanged), which also invalidates this view.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cache import Cache
from bot.shop import catalog, shop_settings
from bot.shop.catalog_entries import CategoryEntry, ServiceEntry
from bot.shop.pricing import PriceRules
from storage.models import Category, Panel, Service


@dataclass(frozen=True, slots=True)
class CatalogView:
    """Frozen entries, not ORM rows: one view serves every update, and none may change it."""

    categories: tuple[CategoryEntry, ...]  # those with something to sell, in display order
    services: Mapping[int, ServiceEntry]  # sellable services by id
    by_category: Mapping[int, tuple[ServiceEntry, ...]]  # in display order (rate, id)
    category_by_id: Mapping[int, CategoryEntry]
    global_markup: Decimal | None  # the admin's override of MARKUP_PERCENT, if any
    names: tuple[tuple[ServiceEntry, tuple[str, ...]], ...]  # lowercased, in display order
    panel_names: Mapping[int, str] = field(default_factory=dict)  # by id: the panels sold from

    def rules(self, base: PriceRules) -> PriceRules:
        """`base` with the stored global markup, if any, as the shop default."""
        return shop_settings.with_global_markup(base, self.global_markup)

    def category_markup(self, service: Service | ServiceEntry) -> Decimal | None:
        category = self.category_by_id.get(service.category_id)
        return category.markup_percent if category else None

    def search(self, text: str, limit: int) -> list[ServiceEntry]:
        """Services whose name (any language) contains every word typed, cheapest first."""
        words = [word for word in text.lower().split() if word][:5]
        if not words:
            return []
        found = []
        for service, names in self.names:
            if all(any(word in name for name in names) for word in words):
                found.append(service)
                if len(found) == limit:
                    break
        return found


def _display_order(service: ServiceEntry) -> tuple[Decimal, int]:
    return service.rate, service.id


async def load_view(session: AsyncSession) -> CatalogView:
    rows = (
        await session.execute(
            select(Service, Category)
            .join(Category, Service.category_id == Category.id)
            .where(*catalog.SELLABLE)
        )
    ).all()
    services = {service.id: ServiceEntry.of(service) for service, _ in rows}
    category_by_id = {category.id: CategoryEntry.of(category) for _, category in rows}
    ordered = sorted(services.values(), key=_display_order)
    by_category: dict[int, list[ServiceEntry]] = {}
    for service in ordered:
        by_category.setdefault(service.category_id, []).append(service)
    categories = sorted(category_by_id.values(), key=lambda c: (c.sort_order, c.name))
    return CatalogView(
        categories=tuple(categories),
        services=services,
        by_category={key: tuple(value) for key, value in by_category.items()},
        category_by_id=category_by_id,
        global_markup=await shop_settings.global_markup(session),
        names=tuple(
            (s, tuple(n.lower() for n in (s.name, s.name_en, s.name_ar) if n)) for s in ordered
        ),
        panel_names={
            panel_id: name
            for panel_id, name in (await session.execute(select(Panel.id, Panel.name))).all()
        },
    )


class CatalogCache:
    """The current CatalogView: loaded on first use, again after invalidate() or TTL seconds.

    Concurrent readers of a stale view share one reload."""

    TTL = 30.0

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._view: Cache[None, CatalogView] = Cache(1, self.TTL, clock)  # one view, or none
        self._generation = 0  # bumped by invalidate(); a load that began before is not kept
        self._loading: asyncio.Future[CatalogView] | None = None

    def invalidate(self) -> None:
        self._generation += 1
        self._view.clear()

    async def view(self) -> CatalogView:
        if (view := self._view.get(None)) is not None:
            return view
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self._load())
        return await asyncio.shield(self._loading)

    async def _load(self) -> CatalogView:
        generation = self._generation
        async with self.sessions() as session:
            view = await load_view(session)
        if generation == self._generation:
            self._view.put(None, view)
        return view
