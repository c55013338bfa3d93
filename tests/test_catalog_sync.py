"""Catalog sync against hostile panels: rows checked one by one at the storage boundary, the
sync report (stored, logged once), and a sync that never raises. Real panel client, fake panel
over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import PanelRegistry, PanelSpec
from bot.shop import catalog, catalog_sync
from bot.shop.catalog_sync import ensure_panels, sync_catalogs
from storage.models import Category, Panel, Service
from tests.fakes.panel_server import FakePanel, unused_url
from tests.jobs.factory import make_shop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def row(sid: Any, **fields: Any) -> dict[str, Any]:
    base = {
        "service": sid,
        "name": f"Service {sid}",
        "type": "Default",
        "category": "Instagram",
        "rate": "0.90",
        "min": "10",
        "max": "10000",
    }
    return {**base, **fields}


async def services_by_id(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Service]:
    async with sessions() as session:
        return {s.panel_service_id: s for s in await session.scalars(select(Service))}


async def panel_report(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session:
        panel = await session.scalar(select(Panel).where(Panel.name == "main"))
    assert panel is not None and panel.sync_report is not None
    return panel.sync_report


async def test_long_texts_and_64_bit_bounds_sync_twice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A 300-character category and a 600-character name are cut the same way for lookup and
    insert: the second sync finds what the first stored (no UNIQUE failure); max 5e9 fits."""
    category, name = "Instagram " + "c" * 290, "Followers " + "n" * 590
    async with FakePanel() as panel:
        panel.set_catalog(
            [
                row(1, category=category, name=name, max="5000000000", desc="d" * 10_000),
                row(2, category=category),
            ]
        )
        shop = await make_shop(sessions, {"main": panel.url})
        first = await sync_catalogs(shop)
        second = await sync_catalogs(shop)
        await shop.panels.aclose()
    assert [(r.added, r.changed, r.total, r.skipped) for r in first] == [(2, 0, 2, ())]
    assert [(r.added, r.changed, r.total, r.skipped) for r in second] == [(0, 0, 2, ())]
    async with sessions() as session:
        categories = list(await session.scalars(select(Category)))
    assert [c.name for c in categories] == [category[:255]]
    stored = await services_by_id(sessions)
    assert stored["1"].name == name[:512]
    assert stored["1"].max_quantity == 5_000_000_000
    assert stored["1"].description == "d" * catalog.DESCRIPTION_MAX


async def test_hostile_rows_are_skipped_with_reasons_and_good_rows_synced(
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [
        row(1),
        row(2, name="<b>Likes</b> & co", category="TikTok\u0000 Likes"),
        row(3, rate="1e30"),
        row(4, rate="-1"),
        row("x" * 65),
        row(6, min="-5"),
        row(7, max="99999999999999999999"),
        row(1, name="Second row with the same id"),
        row(8, name="Views \ud800\u0007 fast", category="\u0000"),
        {"service": 9, "name": "no rate"},
    ]
    async with FakePanel() as panel:
        panel.set_catalog(rows)
        shop = await make_shop(sessions, {"main": panel.url})
        with caplog.at_level(logging.INFO, logger="bot.shop.catalog"):
            [report] = await sync_catalogs(shop)
        await shop.panels.aclose()

    stored = await services_by_id(sessions)
    assert sorted(stored) == ["1", "2", "8"]
    assert stored["1"].name == "Service 1"  # the first of two rows with one id wins
    assert stored["2"].name == "<b>Likes</b> & co"  # stored verbatim, escaped when shown
    assert stored["8"].name.split() == ["Views", "fast"]  # NUL, BEL, the surrogate dropped
    async with sessions() as session:
        names = {c.name for c in await session.scalars(select(Category))}
    assert names == {"Instagram", "TikTok Likes", catalog.DEFAULT_CATEGORY}

    assert (report.total, report.added, len(report.skipped)) == (3, 3, 7)
    ids = {skipped.service_id for skipped in report.skipped}
    assert {"1", "3", "4", "6", "7"} <= ids
    saved = await panel_report(sessions)
    assert (saved["total"], saved["added"], saved["skipped"], saved["error"]) == (3, 3, 7, None)
    assert len(saved["reasons"]) == 7
    assert all(item["reason"] for item in saved["reasons"])
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "skipped 7 rows" in warnings[0].getMessage()


async def test_the_report_keeps_a_bounded_list_of_reasons(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        panel.set_catalog([row(1)] + [row(100 + i, rate="-" + "9" * 300) for i in range(150)])
        shop = await make_shop(sessions, {"main": panel.url})
        [report] = await sync_catalogs(shop)
        await shop.panels.aclose()
    saved = await panel_report(sessions)
    assert (report.total, saved["skipped"]) == (1, 150)
    assert len(saved["reasons"]) == catalog.REPORT_REASONS
    assert all(len(item["reason"]) <= catalog.REASON_MAX for item in saved["reasons"])


async def test_a_failed_sync_keeps_the_catalog_is_recorded_and_retried(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with FakePanel() as panel:
        panel.set_catalog([row(1), row(2)])
        shop = await make_shop(sessions, {"main": panel.url})
        assert len(await sync_catalogs(shop)) == 1

        panel.respond("services", "<html><title>502 Bad gateway</title>", 200)
        panel.respond("services", "<html><title>502 Bad gateway</title>", 200)
        assert await sync_catalogs(shop) == []
        garbage = await panel_report(sessions)
        assert garbage["error"] and garbage["failed_at"]
        assert garbage["total"] == 2  # the last good figures stay: that catalog is still sold

        # A database refusal (any unexpected exception) is one panel's failure, not a crash.
        async def refused(*args: Any, **kwargs: Any) -> None:
            raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed\nSQL"))

        monkeypatch.setattr(catalog, "apply_catalog", refused)
        assert await sync_catalogs(shop) == []
        failed = await panel_report(sessions)
        assert failed["error"].startswith("IntegrityError: ")
        assert "\n" not in failed["error"]
        monkeypatch.undo()

        stored = await services_by_id(sessions)
        assert sorted(stored) == ["1", "2"] and all(s.available for s in stored.values())
        assert len(await sync_catalogs(shop)) == 1  # the next scheduled run heals it
        assert (await panel_report(sessions))["error"] is None
        await shop.panels.aclose()


async def test_a_panel_that_is_down_never_stops_the_others(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url, "down": unused_url()})
        reports = await sync_catalogs(shop)
        await shop.panels.aclose()
    assert [r.panel for r in reports] == ["main"]
    async with sessions() as session:
        down = await session.scalar(select(Panel).where(Panel.name == "down"))
    assert down is not None and down.sync_report and down.sync_report["error"]


async def test_ensure_panels_never_raises(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = dataclasses.replace(
        await make_shop(sessions, {}),
        panels=PanelRegistry(
            [
                PanelSpec("bad", "http://127.0.0.1:1/api/v2", "k" * 20),
                PanelSpec("good", "http://127.0.0.1:1/" + "p" * 2000, "k" * 20),
            ]
        ),
    )
    original = catalog.ensure_panel

    async def flaky(session: AsyncSession, **kwargs: Any) -> Panel:
        if kwargs["name"] == "bad":
            raise IntegrityError("INSERT …", {}, Exception("value too long"))
        return await original(session, **kwargs)

    monkeypatch.setattr(catalog, "ensure_panel", flaky)
    await ensure_panels(shop)
    await shop.panels.aclose()
    async with sessions() as session:
        panels = {p.name: p for p in await session.scalars(select(Panel))}
    assert "bad" not in panels
    assert len(panels["good"].url) == catalog.URL_MAX


async def test_rows_the_parser_skips_are_counted_and_the_rest_syncs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Panel contract (bot/panel/decode.py): rows the parser cannot read ("²", "1e3" as a
    quantity) come back as ServiceCatalog.skipped; the good rows of the answer are synced."""
    async with FakePanel() as panel:
        panel.set_catalog([row(1), row(2, min="²"), row(3, max="١٢"), row(4)])
        shop = await make_shop(sessions, {"main": panel.url})
        reports = await sync_catalogs(shop)
        await shop.panels.aclose()
    assert [(r.total, len(r.skipped)) for r in reports] == [(2, 2)]
    assert sorted(await services_by_id(sessions)) == ["1", "4"]


async def test_a_panel_slower_than_the_time_limit_fails_alone(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalog_sync, "SYNC_TIME_LIMIT", 0.5)
    async with FakePanel() as slow, FakePanel() as fast:
        slow.action_latency["services"] = 1.5  # within the client's timeout, past the limit
        shop = await make_shop(sessions, {"slow": slow.url, "fast": fast.url})
        reports = await sync_catalogs(shop)
        await shop.panels.aclose()
    assert [r.panel for r in reports] == ["fast"]
    async with sessions() as session:
        panel = await session.scalar(select(Panel).where(Panel.name == "slow"))
    assert panel is not None and panel.sync_report is not None
    assert panel.sync_report["error"] == "no complete answer within 0.5 s"


async def test_panels_bringing_the_same_new_category_sync_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Categories are shared by name across panels; panels sync concurrently."""
    async with FakePanel() as one, FakePanel() as two, FakePanel() as three:
        for panel in (one, two, three):
            panel.set_catalog(
                [row(n, category=f"Shared {n}") for n in range(1, 30)]
                + [row(30, category="Instagram Followers")]
            )
        shop = await make_shop(sessions, {"one": one.url, "two": two.url, "three": three.url})
        reports = await sync_catalogs(shop)
        await shop.panels.aclose()
    assert sorted(r.panel for r in reports) == ["one", "three", "two"]
    async with sessions() as session:
        names = sorted(c.name for c in await session.scalars(select(Category)))
    assert names == sorted({"Instagram Followers", *(f"Shared {n}" for n in range(1, 30))})


async def test_two_syncs_of_one_panel_at_once_both_succeed(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The schedule and an admin's "Sync now" may overlap: the second finds nothing new."""
    original = catalog.apply_catalog

    async def slow_commit(*args: Any, **kwargs: Any) -> catalog.SyncReport:
        report = await original(*args, **kwargs)
        await asyncio.sleep(0.3)  # the transaction is still open: the other sync overlaps it
        return report

    async with FakePanel() as panel:
        panel.set_catalog([row(1)])
        shop = await make_shop(sessions, {"main": panel.url})
        await sync_catalogs(shop)  # the category exists: nothing else orders the two syncs
        panel.set_catalog([row(n) for n in range(1, 200)])
        monkeypatch.setattr(catalog, "apply_catalog", slow_commit)
        first, second = await asyncio.gather(sync_catalogs(shop), sync_catalogs(shop))
        await shop.panels.aclose()
    assert sorted((r.added, r.total) for r in first + second) == [(0, 199), (198, 199)]
