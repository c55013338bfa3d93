"""Catalog sync: every panel's services into the shop; one failing panel never blocks another.

Nothing a panel sends (or a database refusing a write) stops the shop: at startup and on every
scheduled run, a panel whose sync fails keeps the catalog the shop already has, the failure is
logged (never a key: PanelError carries none, and other errors are reduced to their first line)
and recorded in panels.sync_report for the admins, and the next scheduled run tries again.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Shop
from bot.panel import PanelClient, PanelError
from bot.shop import catalog, profiles
from bot.shop.catalog import SyncReport
from storage.models import Panel

log = logging.getLogger("bot.jobs.catalog")
# One panel's whole sync (fetch and write). The client's timeouts bound each read, not a panel
# that trickles its answer byte by byte; past this the sync fails like any other and the next
# scheduled run tries again (startup waits at most this long for a panel).
SYNC_TIME_LIMIT = 120.0
# One sync per panel at a time in this process (the schedule and an admin's "Sync now"): the
# second waits and finds nothing new, rather than inserting the same new rows and failing.
_running: weakref.WeakKeyDictionary[PanelClient, asyncio.Lock] = weakref.WeakKeyDictionary()


def failure_text(exc: BaseException) -> str:
    """What admins and the log are told about a failed sync: the panel client's message, or
    the exception's type and first line (a database error's SQL and parameters stay out)."""
    if isinstance(exc, PanelError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return f"no complete answer within {SYNC_TIME_LIMIT:g} s"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


async def ensure_panels(shop: Shop) -> None:
    """A row per configured panel (orders reference it), even before its first good sync.
    Never raises: a panel whose row cannot be written is logged and retried by the next sync."""
    for client in shop.panels:
        try:
            async with shop.sessions() as session, session.begin():
                await _panel_row(session, client)
        except Exception as exc:  # startup goes on with the other panels
            log.error("panel %s could not be registered: %s", client.name, failure_text(exc))
    await profiles.load_learned(shop)  # what each panel was learned to speak


async def _panel_row(session: AsyncSession, client: PanelClient) -> Panel:
    return await catalog.ensure_panel(
        session,
        name=client.name,
        url=client.url,
        dialect=client.dialect,
        is_sandbox=client.is_sandbox,
    )


async def _record_failure(shop: Shop, client: PanelClient, error: str) -> None:
    try:
        async with shop.sessions() as session, session.begin():
            panel = await _panel_row(session, client)
            panel.sync_report = catalog.failed_report(panel.sync_report, error)
    except Exception as exc:  # the log line below is all that is left
        log.error(
            "catalog sync of %s: the failure could not be recorded: %s",
            client.name,
            failure_text(exc),
        )


async def sync_one(shop: Shop, client: PanelClient) -> SyncReport | None:
    """One panel's sync; None when it failed (logged and recorded, the old catalog kept)."""
    lock = _running.setdefault(client, asyncio.Lock())
    try:
        async with lock, asyncio.timeout(SYNC_TIME_LIMIT):
            answer = await client.catalog()
            # A v1 panel's refill support, while it is answering (a read; once known, skipped).
            await client.probe_v1_refill()
            await profiles.save_learned(shop, client)
            async with shop.sessions() as session, session.begin():
                panel = await _panel_row(session, client)
                return await catalog.apply_catalog(session, panel, answer.services, answer.skipped)
    except Exception as exc:  # PanelError, a parser bug, a database refusal
        error = failure_text(exc)
        if isinstance(exc, PanelError | TimeoutError):
            log.warning("catalog sync of %s failed: %s", client.name, error)
        else:
            # The traceback helps the fix; the log filter redacts keys and tokens in it.
            log.error(
                "catalog sync of %s failed unexpectedly: %s", client.name, error, exc_info=exc
            )
        await _record_failure(shop, client, error)
        return None


async def sync_catalogs(shop: Shop) -> list[SyncReport]:
    """Every panel at once; the reports of those that synced. Never raises (but cancellation)."""
    reports = await asyncio.gather(*(sync_one(shop, client) for client in shop.panels))
    shop.catalog.invalidate()
    return [report for report in reports if report is not None]
