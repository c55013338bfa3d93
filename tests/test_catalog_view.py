"""The catalog customers browse, in memory: only what is sellable, in display order; search in
every language; reloaded after invalidate() or TTL; concurrent readers share one load; a load
that began before an invalidation is not kept."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.shop import catalog_view
from bot.shop.catalog_view import CatalogCache, CatalogView, load_view
from bot.shop.pricing import PriceRules
from storage.db import all_engines
from storage.models import Category, Panel, Service, ShopSetting

Sessions = async_sessionmaker[AsyncSession]
RULES = PriceRules(currency_rate=Decimal(1), precision=2, default_markup_percent=Decimal(30))


async def seed(sessions: Sessions) -> dict[str, int]:
    """Two categories (one disabled), services cheap to dear, one off sale, one vanished."""
    async with sessions() as session, session.begin():
        panel = Panel(name="main", url="http://p")
        likes = Category(name="Likes", sort_order=2)
        followers = Category(
            name="Followers", sort_order=1, name_ar="متابعين", markup_percent=Decimal(10)
        )
        hidden = Category(name="Hidden", enabled=False)
        session.add_all([panel, likes, followers, hidden])
        await session.flush()

        def service(name: str, category: Category, rate: str, **extra: object) -> Service:
            row = Service(
                panel_id=panel.id,
                panel_service_id=name,
                category_id=category.id,
                name=name,
                type="Default",
                rate=Decimal(rate),
                min_quantity=10,
                max_quantity=1000,
                **extra,
            )
            session.add(row)
            return row

        rows = {
            "ig dear": service("Instagram Followers HQ", followers, "2.00"),
            "ig cheap": service(
                "Instagram Followers", followers, "0.50", name_ar="متابعين انستغرام"
            ),
            "likes": service("Instagram Likes", likes, "0.10"),
            "off": service("Instagram Followers Off", followers, "0.01", enabled=False),
            "gone": service("Instagram Followers Gone", followers, "0.02", available=False),
            "hidden": service("Instagram Hidden", hidden, "0.03"),
        }
        session.add(ShopSetting(key="markup_percent", value="50"))
        await session.flush()
        return {key: row.id for key, row in rows.items()}


async def test_view_holds_only_what_is_sellable_in_display_order(sessions: Sessions) -> None:
    ids = await seed(sessions)
    async with sessions() as session:
        view = await load_view(session)
    assert [c.name for c in view.categories] == ["Followers", "Likes"]  # sort_order
    assert set(view.services) == {ids["ig dear"], ids["ig cheap"], ids["likes"]}
    followers = view.categories[0].id
    assert [s.id for s in view.by_category[followers]] == [ids["ig cheap"], ids["ig dear"]]
    assert view.global_markup == Decimal(50)
    assert view.rules(RULES).default_markup_percent == Decimal(50)
    assert view.category_markup(view.services[ids["ig cheap"]]) == Decimal(10)
    # the wizard finds a service's panel profile by name without a query of its own
    assert view.panel_names[view.services[ids["likes"]].panel_id] == "main"


async def test_search_matches_every_word_in_any_language(sessions: Sessions) -> None:
    ids = await seed(sessions)
    async with sessions() as session:
        view = await load_view(session)
    assert [s.id for s in view.search("followers", 10)] == [ids["ig cheap"], ids["ig dear"]]
    assert [s.id for s in view.search("INSTAGRAM hq", 10)] == [ids["ig dear"]]
    assert [s.id for s in view.search("متابعين", 10)] == [ids["ig cheap"]]
    assert [s.id for s in view.search("instagram", 2)] == [ids["likes"], ids["ig cheap"]]
    assert view.search("   ", 10) == [] and view.search("tiktok", 10) == []
    # Each word must appear within one name, not across two of them.
    assert view.search("hq متابعين", 10) == []


async def test_cache_reloads_after_invalidate_or_ttl(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    ids = await seed(sessions)
    now = [0.0]
    cache = CatalogCache(sessions, clock=lambda: now[0])
    loads: list[str] = []
    for each in all_engines(engine):  # reads run on SQLite's read-only pool
        event.listen(
            each.sync_engine,
            "before_cursor_execute",
            lambda *args: loads.append(args[2]) if "JOIN categories" in args[2] else None,
        )
    first = await cache.view()
    assert await cache.view() is first and len(loads) == 1  # served from memory
    async with sessions() as session, session.begin():
        service = await session.get(Service, ids["likes"])
        assert service is not None
        service.enabled = False
    assert ids["likes"] in (await cache.view()).services  # not seen until told or expired
    cache.invalidate()
    assert ids["likes"] not in (await cache.view()).services and len(loads) == 2
    async with sessions() as session, session.begin():
        service = await session.get(Service, ids["likes"])
        assert service is not None
        service.enabled = True
    now[0] += CatalogCache.TTL + 1  # another process's change, picked up after TTL
    assert ids["likes"] in (await cache.view()).services and len(loads) == 3


async def test_concurrent_readers_share_one_load(sessions: Sessions, engine: AsyncEngine) -> None:
    await seed(sessions)
    cache = CatalogCache(sessions)
    loads: list[str] = []
    for each in all_engines(engine):  # reads run on SQLite's read-only pool
        event.listen(
            each.sync_engine,
            "before_cursor_execute",
            lambda *args: loads.append(args[2]) if "JOIN categories" in args[2] else None,
        )
    views = await asyncio.gather(*(cache.view() for _ in range(20)))
    assert len(loads) == 1 and all(view is views[0] for view in views)


async def test_a_load_begun_before_invalidate_is_not_kept(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(sessions)
    cache = CatalogCache(sessions)
    release = asyncio.Event()

    async def slow_load(session: AsyncSession) -> CatalogView:
        view = await load_view(session)
        await release.wait()
        return view

    monkeypatch.setattr(catalog_view, "load_view", slow_load)
    loading = asyncio.ensure_future(cache.view())
    await asyncio.sleep(0.01)  # the load has read the catalog...
    cache.invalidate()  # ...when a catalog change lands
    release.set()
    stale = await loading
    fresh = await cache.view()
    assert fresh is not stale  # the next reader loads again
    assert await cache.view() is fresh  # and that one is kept


async def test_view_entries_are_frozen_values_not_orm_rows(sessions: Sessions) -> None:
    """One view serves every update: nothing in it may be changed by one of them, and no ORM
    row (bound to the session that loaded it) is shared between updates."""
    ids = await seed(sessions)
    cache = CatalogCache(sessions)
    view = await cache.view()
    service = view.services[ids["ig cheap"]]
    category = view.categories[0]
    entries = [
        service,
        category,
        *view.category_by_id.values(),
        *(s for row in view.by_category.values() for s in row),
        *(s for s, _ in view.names),
    ]
    for entry in entries:
        with pytest.raises(NoInspectionAvailable):
            inspect(entry)  # not mapped: no session, no identity map, no lazy loads
    with pytest.raises(dataclasses.FrozenInstanceError):
        service.rate = Decimal("0.01")  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        category.markup_percent = Decimal(99)  # type: ignore[misc]
    # A change written through the ORM afterwards does not reach the view already handed out.
    async with sessions() as session, session.begin():
        row = await session.get(Service, ids["ig cheap"])
        assert row is not None
        row.rate = Decimal("9.99")
        row.name = "Renamed"
    assert service.rate == Decimal("0.50") and service.name == "Instagram Followers"
    assert (await cache.view()).services[ids["ig cheap"]] is service  # until invalidated
    cache.invalidate()
    fresh = (await cache.view()).services[ids["ig cheap"]]
    assert fresh.rate == Decimal("9.99") and fresh.name == "Renamed"
