"""Catalog sync: every panel's services into the shop; one failing panel never blocks another."""

from __future__ import annotations

import asyncio
import logging

from bot import catalog
from bot.catalog import SyncReport
from bot.context import Shop
from bot.panel import PanelClient, PanelError

log = logging.getLogger("bot.jobs.catalog")


async def ensure_panels(shop: Shop) -> None:
    """A row per configured panel (orders reference it), even before its first good sync."""
    async with shop.sessions() as session, session.begin():
        for client in shop.panels:
            await catalog.ensure_panel(
                session, name=client.name, url=client.url[:512], dialect=client.dialect,
                is_sandbox=client.is_sandbox,
            )


async def sync_catalogs(shop: Shop) -> list[SyncReport]:
    async def one(client: PanelClient) -> SyncReport | None:
        try:
            services = (await client.catalog()).services
        except PanelError as exc:
            log.warning("catalog sync of %s failed: %s", client.name, exc)
            return None
        async with shop.sessions() as session, session.begin():
            panel = await catalog.ensure_panel(
                session, name=client.name, url=client.url[:512], dialect=client.dialect,
                is_sandbox=client.is_sandbox,
            )
            return await catalog.apply_catalog(session, panel, services)

    reports = await asyncio.gather(*(one(client) for client in shop.panels))
    shop.catalog.invalidate()
    return [report for report in reports if report is not None]
