"""Each panel's status cycle as a task of its own, so a slow or hanging panel delays only its
own orders, and its customers are told as soon as its answer is settled.

The scheduler's tick only starts cycles and returns at once: APScheduler never sees a run that
outlives its interval, so it never skips one (nor logs a WARNING about it). A panel whose
previous cycle is still running is skipped by this runner with a DEBUG line. What customers are
told runs after the panel's transactions committed, in a task chained per panel (messages stay
in order), so a slow Telegram (a long 429) never holds back the panel's next cycle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.context import Shop
from bot.jobs.statuses import PollReport, poll_panel

log = logging.getLogger("bot.jobs.statuses")

Tell = Callable[[PollReport], Awaitable[None]]


class PanelCycles:
    def __init__(self, shop: Shop, tell: Tell, *, limit: float | None) -> None:
        self.shop = shop
        self.tell = tell
        self.limit = limit
        self._cycles: dict[str, asyncio.Task[None]] = {}
        self._telling: dict[str, asyncio.Task[None]] = {}

    def running(self, panel_name: str) -> bool:
        task = self._cycles.get(panel_name)
        return task is not None and not task.done()

    def start(self) -> list[asyncio.Task[None]]:
        """Start a cycle for every panel not in one; returns the cycles started."""
        started = []
        for client in self.shop.panels:
            name = client.name
            if self.running(name):
                log.debug("status cycle of panel %s still running: this tick skips it", name)
                continue
            task = asyncio.create_task(self._cycle(name), name=f"statuses:{name}")
            self._cycles[name] = task
            started.append(task)
        return started

    async def run_once(self) -> None:
        """Start the cycles and wait for them and for what they tell (direct calls, tests)."""
        started = self.start()
        if started:
            await asyncio.wait(started)
        telling = [task for task in self._telling.values() if not task.done()]
        if telling:
            await asyncio.wait(telling)

    def cancel(self) -> None:
        for task in (*self._cycles.values(), *self._telling.values()):
            task.cancel()

    async def stop(self) -> None:
        """Cancel what runs and wait until it has unwound (transactions rolled back)."""
        self.cancel()
        tasks = [t for t in (*self._cycles.values(), *self._telling.values()) if not t.done()]
        if tasks:
            await asyncio.wait(tasks)
        self._cycles.clear()
        self._telling.clear()

    async def _cycle(self, name: str) -> None:
        try:
            report = await poll_panel(self.shop, name, limit=self.limit)
        except Exception:
            log.exception("status cycle of panel %s failed", name)
            return
        if report.changes:
            previous = self._telling.get(name)
            self._telling[name] = asyncio.create_task(
                self._tell(previous, report), name=f"statuses-tell:{name}"
            )

    async def _tell(self, previous: asyncio.Task[None] | None, report: PollReport) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # not `await previous`: never cancel it from here
        try:
            await self.tell(report)
        except Exception:
            log.exception("telling about %d status changes failed", len(report.changes))
