"""A panel whose services answer is hostile (garbage, unreachable, bad rows) never stops the
shop: the bot starts with the catalog it has, sells the good rows, and tells the admins."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.models import Category, Service
from tests.e2e.harness import Shop, running_shop
from tests.e2e.test_admin_console import arabic_admin, open_console
from tests.e2e.test_wizard import LINK, answer, new_customer, no_flood_limit, open_service
from tests.fakes.panel_server import FakePanel, Fault

__all__ = ["no_flood_limit"]  # the autouse fixture applies here too

GOOD = [
    {
        "service": 201,
        "name": "Good Followers",
        "type": "Default",
        "category": "Instagram",
        "rate": "1.00",
        "min": "10",
        "max": "5000000000",
    },
    {
        "service": 202,
        "name": "Good Likes",
        "type": "Default",
        "category": "Instagram",
        "rate": "2.00",
        "min": "10",
        "max": "10000",
    },
]


def hostile_rows() -> list[dict[str, Any]]:
    base = {"type": "Default", "category": "Instagram", "rate": "1", "min": "10", "max": "100"}
    return [
        {**base, "service": 301, "name": "Rate 1e30", "rate": "1e30"},
        {**base, "service": 302, "name": "Huge max", "max": "99999999999999999999"},
        {**base, "service": "9" * 65, "name": "Long id"},
        {**base, "service": 201, "name": "Duplicate of Good Followers"},
        {**base, "service": 303, "name": "Nested junk", "rate": {"a": [1, {"b": [2]}]}},
        {
            **base,
            "service": 304,
            "name": "<script>alert(1)</script> & co " + "x" * 1000,
            "category": "<b>HTML</b> " + "c" * 400,
        },
        {"service": 305},
    ]


async def browse(shop: Shop, telegram_id: int) -> str:
    customer = await new_customer(shop, telegram_id, funds=None)
    await customer.click("🛒 New order")
    listing = await customer.wait_edit(contains="Choose a category")
    return " | ".join([listing.content, *(b.text for row in listing.buttons for b in row)])


async def test_the_bot_starts_with_its_catalog_while_the_panel_is_garbage_or_down(
    tmp_path: Path,
) -> None:
    first = FakePanel()
    first.set_catalog(GOOD)
    async with running_shop(
        tmp_path, panel=first, database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    ) as shop:
        assert "Instagram" in await browse(shop, 5001)

    garbage = FakePanel()
    garbage.set_catalog(GOOD, raw_text="<html><title>Bad gateway</title>" + "{[" * 5000)
    async with running_shop(
        tmp_path, panel=garbage, database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    ) as shop:
        assert "Instagram" in await browse(shop, 5002)  # the catalog it already had
        admin = shop.admin()
        await open_console(admin, "Admin console")
        await admin.click("🗂 Catalog")
        screen = await admin.wait_edit(contains="Last catalog syncs")
        assert "main: synced" in screen.content and "2 services" in screen.content
        assert "The last sync failed" in screen.content

    down = FakePanel()
    down.inject(Fault.DROP, action="services", times=10)
    async with running_shop(
        tmp_path, panel=down, database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    ) as shop:
        assert "Instagram" in await browse(shop, 5003)
        async with shop.sessions() as session:
            services = list(await session.scalars(select(Service)))
        assert sorted(s.panel_service_id for s in services if s.available) == ["201", "202"]


async def test_good_rows_of_a_hostile_answer_are_sold_and_admins_see_the_skipped(
    tmp_path: Path,
) -> None:
    panel = FakePanel()
    panel.set_catalog([*GOOD, *hostile_rows()])
    async with running_shop(tmp_path, panel=panel) as shop:
        async with shop.sessions() as session:
            stored = {s.panel_service_id: s for s in await session.scalars(select(Service))}
            categories = {c.name for c in await session.scalars(select(Category))}
        assert {"201", "202", "304"} <= set(stored) and "301" not in stored
        assert stored["201"].name == "Good Followers"  # the first of the two rows wins
        assert stored["201"].max_quantity == 5_000_000_000
        assert len(stored["304"].name) == 512
        assert ("<b>HTML</b> " + "c" * 400)[:255] in categories

        customer = await new_customer(shop, 5101)
        await open_service(customer, "Good Followers")
        await answer(customer, "send", LINK, "en")
        summary = await answer(customer, "num", "1000", "en")
        assert "Price: 1.30 USD" in summary
        await customer.click("✅ Confirm order")
        await customer.wait_message(contains="placed.")
        [add] = shop.panel.requests_for("add")
        assert add.fields == {"action": "add", "service": "201", "link": LINK, "quantity": "1000"}
        [order] = await shop.orders()
        assert order.state == "pending" and order.panel_order_id

        admin = shop.admin()
        await open_console(admin, "Admin console")
        await admin.click("🗂 Catalog")
        screen = await admin.wait_edit(contains="rows skipped")
        # 2 rows the parser refuses (no rate, junk rate), 4 that storage cannot hold.
        assert "⚠️ 6 rows skipped:" in screen.content
        assert "• 301: " in screen.content and "• 302: " in screen.content
        assert "• … and 1 more" in screen.content
        assert len(screen.content) < 4096
        await admin.click("🔄 Sync now")
        synced = await admin.wait_edit(contains="Catalog synced")
        assert "main: 3 services" in synced.content and "⚠️ 6 rows skipped:" in synced.content

        ar = await arabic_admin(shop)
        await open_console(ar, "لوحة الإدارة")
        await ar.click("🗂 الكتالوج")
        arabic = await ar.wait_edit(contains="تم تخطي")
        assert "تم تخطي 6 صفوف" in arabic.content
        assert await shop.invariant_holds()


async def test_a_row_the_parser_cannot_read_skips_only_itself(tmp_path: Path) -> None:
    """Panel contract (ServiceCatalog.skipped): min "²" skips its row, the rest is sold."""
    panel = FakePanel()
    panel.set_catalog(
        [
            *GOOD,
            {
                "service": 401,
                "name": "Superscript",
                "type": "Default",
                "category": "Instagram",
                "rate": "1",
                "min": "²",
                "max": "10",
            },
        ]
    )
    async with running_shop(tmp_path, panel=panel) as shop:
        assert "Instagram" in await browse(shop, 5201)
        async with shop.sessions() as session:
            stored = sorted(s.panel_service_id for s in await session.scalars(select(Service)))
        assert stored == ["201", "202"]


async def test_a_panel_trickling_its_catalog_does_not_hold_the_start(
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    """The first sync waits a short while at startup; a panel still answering after that syncs
    in the background while customers browse the catalog already stored."""
    import time

    import bot.runtime

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    first = FakePanel()
    first.set_catalog(GOOD)
    async with running_shop(tmp_path, panel=first, database_url=database_url):
        pass

    monkeypatch.setattr(bot.runtime, "STARTUP_SYNC_WAIT", 0.5)
    slow = FakePanel()
    slow.set_catalog([*GOOD, {**GOOD[1], "service": 203, "name": "Late Views"}])
    slow.hang_seconds = 8.0
    slow.inject(Fault.HANG, action="services")  # 8 s, then a 504; the client's retry gets it
    started = time.monotonic()
    async with running_shop(
        tmp_path, panel=slow, database_url=database_url, panel_timeout=30.0
    ) as shop:
        assert time.monotonic() - started < 6.0  # not held by the panel's 8-second answer
        assert "Instagram" in await browse(shop, 5101)  # the catalog it already had

        async def synced() -> bool:
            async with shop.sessions() as session:
                ids = set(await session.scalars(select(Service.panel_service_id)))
            return "203" in ids

        deadline = time.monotonic() + 20
        while not await synced():
            assert time.monotonic() < deadline, "the background sync never finished"
            await asyncio.sleep(0.2)
