"""APScheduler 3 wiring: the jobs of bot/jobs on their intervals, and what they tell people.

Every job runs as a single instance and coalesces missed runs, so a slow cycle is never
overlapped by the next one. Status polling is the exception in shape: its job only starts each
panel's cycle (bot/jobs/status_runner.py) and returns, so one hanging panel neither holds back
the others nor makes APScheduler skip (and warn about) the next tick.

With several bot processes only the leader (bot/jobs/leader.py) runs the jobs: a light "leader"
job keeps trying to take or renew the leadership, every third of the status poll interval,
so a dead leader's successor starts within one interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiogram.types import InlineKeyboardMarkup
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from bot.config import Settings
from bot.context import Shop
from bot.jobs.balances import check_balances
from bot.jobs.crypto_invoices import poll_crypto_invoices
from bot.jobs.leader import Leader, SoleLeader
from bot.jobs.reconcile import hold_interrupted_orders
from bot.jobs.refills import poll_refills, resolve_stuck_refills
from bot.jobs.status_runner import PanelCycles
from bot.jobs.statuses import PollReport, cycle_limit
from bot.shop.catalog import display_name
from bot.shop.catalog_sync import sync_catalogs
from bot.shop.orders import MAX_BAD_CYCLES, HoldReason, StatusChange
from bot.telegram.dedupe import UpdateClaims
from bot.telegram.i18n import format_panel_money, order_number
from bot.telegram.notify import Notifier, tell_referral_reward
from keyboards.orders import open_order
from storage.models import Order, OrderState, Service, User

log = logging.getLogger("bot.jobs.scheduler")


class QuietShutdown(logging.Filter):
    """Drops APScheduler's "Error running job" for jobs it cancelled itself.

    Its asyncio executor cannot wait for running jobs: shutdown cancels them, and any job
    submitted a moment before, and logs each as an error with a traceback. A stopping shop is
    not an error; every job picks up where it left off at the next start.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.exc_info[0] if record.exc_info else None
        return not (kind is not None and issubclass(kind, asyncio.CancelledError))


QUIET_SHUTDOWN = QuietShutdown()
logging.getLogger("apscheduler.executors.default").addFilter(QUIET_SHUTDOWN)
BALANCE_CHECK_MINUTES = 5

_STATUS_MESSAGES = {
    OrderState.COMPLETED: "notify-order-completed",
    OrderState.PARTIAL: "notify-order-partial",
    OrderState.CANCELED: "notify-order-canceled",
    OrderState.REFUNDED: "notify-order-canceled",
}
_HOLD_MESSAGES: dict[HoldReason | None, str] = {
    HoldReason.PARTIAL_NO_REMAINS: "admin-order-review-partial",
    HoldReason.BAD_ROWS: "admin-order-review-bad-rows",
    HoldReason.UNKNOWN_STATUS: "admin-order-review-unknown-status",
    HoldReason.GAVE_UP_DELIVERED: "admin-order-review-gave-up",
}


class ShopScheduler:
    def __init__(self, shop: Shop, notifier: Notifier, leader: Leader | None = None) -> None:
        self.shop = shop
        self.notifier = notifier
        self.leader: Leader = leader or SoleLeader()
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        self.statuses = PanelCycles(shop, self.tell_report, limit=cycle_limit(shop.settings))

    def start(self) -> None:
        settings = self.shop.settings
        soon = datetime.now(UTC) + timedelta(seconds=2)

        async def heartbeat() -> None:
            await self.leader.acquire()

        self.scheduler.add_job(
            _guarded("leader", heartbeat),
            "interval",
            seconds=leader_heartbeat(settings),
            id="leader",
            name="leader",
            next_run_time=datetime.now(UTC),
        )
        self._every(
            "statuses", self.start_status_cycles, seconds=settings.status_poll_seconds, first=soon
        )
        self._every("refills", self.run_refills, seconds=settings.status_poll_seconds, first=soon)
        self._every("catalog", self.run_catalog_sync, seconds=settings.catalog_sync_minutes * 60)
        self._every(
            "balances", self.run_balance_watch, seconds=BALANCE_CHECK_MINUTES * 60, first=soon
        )
        self._every("updates", self.run_prune_updates, seconds=3600)
        self._every("reconcile", self.run_reconcile, seconds=settings.status_poll_seconds)
        if self.shop.crypto_pay is not None:
            self._every(
                "crypto_invoices",
                self.run_crypto_invoices,
                seconds=settings.crypto_pay_poll_seconds,
            )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.statuses.cancel()

    async def release_leadership(self) -> None:
        await self.statuses.stop()  # no cycle of ours outlives the leadership
        await self.leader.release()

    def _every(
        self,
        job_id: str,
        func: Callable[[], Awaitable[None]],
        *,
        seconds: int,
        first: datetime | None = None,
    ) -> None:
        async def if_leader() -> None:
            if await self.leader.is_leader():
                await func()

        self.scheduler.add_job(
            _guarded(job_id, if_leader),
            "interval",
            seconds=seconds,
            id=job_id,
            name=job_id,
            next_run_time=first or datetime.now(UTC) + timedelta(seconds=seconds),
        )

    # -- the jobs -----------------------------------------------------------------------------

    async def run_crypto_invoices(self) -> None:
        await poll_crypto_invoices(self.shop, self.notifier)

    async def start_status_cycles(self) -> None:
        """The scheduled tick: starts each idle panel's cycle and returns at once."""
        self.statuses.start()

    async def run_statuses(self) -> None:
        """One cycle of every idle panel, waited for, its customers told (direct calls)."""
        await self.statuses.run_once()

    async def run_refills(self) -> None:
        for change in await poll_refills(self.shop):
            key = (
                "notify-refill-completed"
                if change.state == "completed"
                else "notify-refill-rejected"
            )
            await self.notifier.to_user(change.telegram_id, key, order_id=change.order_id)
        resolved = await resolve_stuck_refills(self.shop)
        for item in resolved:
            if item.state == "failed":  # not blocking any more: they may ask again
                await self.notifier.to_user(
                    item.telegram_id, "refill-retry-allowed", order_id=item.order_id
                )
            elif item.state in ("completed", "rejected", "canceled"):
                key = (
                    "notify-refill-completed"
                    if item.state == "completed"
                    else "notify-refill-rejected"
                )
                await self.notifier.to_user(item.telegram_id, key, order_id=item.order_id)
        if resolved:
            await self.notifier.to_admins(
                "admin-refills-resolved",
                count=len(resolved),
                refills="\n".join(
                    f"{order_number(r.order_id)}: {r.state} ({r.reason})" for r in resolved
                ),
            )

    async def run_catalog_sync(self) -> None:
        await sync_catalogs(self.shop)

    async def run_balance_watch(self) -> None:
        for alert in await check_balances(self.shop):
            key = "admin-low-balance" if alert.low else "admin-balance-recovered"
            await self.notifier.to_admins(
                key,
                panel=alert.panel,
                balance=format_panel_money(alert.balance, alert.currency, "?"),
                threshold=format_panel_money(
                    self.shop.settings.low_balance_alert, alert.currency, "?"
                ),
            )

    async def run_prune_updates(self) -> None:
        await UpdateClaims(self.shop.sessions).prune()

    async def reconcile_at_startup(self) -> bool:
        """Reconcile now if this process leads; returns whether it does."""
        if not await self.leader.acquire():
            return False  # the leader reconciles, every poll interval
        await self.run_reconcile()
        return True

    async def run_reconcile(self) -> None:
        held = await hold_interrupted_orders(self.shop)
        if held:
            await self.notifier.to_admins(
                "admin-orders-held",
                count=len(held),
                orders=", ".join(order_number(i) for i in held),
            )

    # -- what customers are told --------------------------------------------------------------

    async def tell_report(self, report: PollReport) -> None:
        for change in report.changes:
            try:
                await self.tell_status(change)
            except Exception:  # one message that fails to go out never silences the rest
                log.exception("telling about order %s failed", change.order_id)

    async def tell_status(self, change: StatusChange) -> None:
        if change.reward is not None:
            await tell_referral_reward(self.notifier, change.reward)
        if change.gave_up and change.to_state is not OrderState.REVIEW:
            # The panel gave up ("Fail", "Error"): the customer hears canceled/partial below,
            # admins hear the panel's word, as a panel failing orders needs a look.
            await self.notifier.to_admins(
                "admin-order-panel-gave-up",
                order_id=change.order_id,
                status=change.gave_up,
                refunded=self.shop.money(change.refunded),
            )
        if change.to_state is OrderState.REVIEW:
            hold_key = _HOLD_MESSAGES.get(change.reason, "admin-order-review-partial")
            await self.notifier.to_admins(
                hold_key, order_id=change.order_id, detail=change.detail, cycles=MAX_BAD_CYCLES
            )
            return
        key = _STATUS_MESSAGES.get(change.to_state)
        if key is None and change.started:
            key = "notify-order-started"
        if key is None:
            return  # pending ↔ processing and the like: nothing the customer needs to hear
        async with self.shop.sessions() as session:
            row = (
                await session.execute(
                    select(Order, Service, User.language)
                    .join(Service, Service.id == Order.service_id)
                    .join(User, User.id == Order.user_id)
                    .where(Order.id == change.order_id)
                )
            ).first()
        if row is None:
            return
        order, service, language = row
        language = language or self.shop.settings.default_language
        await self.notifier.to_customer(
            change.user_id,
            key,
            reply_markup=order_button(self.shop, language, order.id),
            order_id=order.id,
            service=display_name(service, language),
            refunded=self.shop.money(change.refunded),
            delivered=_delivered(order),
        )


def leader_heartbeat(settings: Settings) -> float:
    """How often the leadership is taken or renewed: a lease lasts two heartbeats, so a dead
    leader is replaced within one status poll interval."""
    return settings.status_poll_seconds / 3


def leader_lease(settings: Settings) -> float:
    return 2 * leader_heartbeat(settings)


def order_button(shop: Shop, language: str, order_id: int) -> InlineKeyboardMarkup:
    return open_order(shop.translate(language, "btn-order-open"), order_id)


def _delivered(order: Order) -> int:
    if order.quantity is None or order.remains is None:
        return 0
    return max(0, order.quantity - max(order.remains, 0))


def _guarded(job_id: str, func: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """A failing run is logged and retried next interval; it never stops the scheduler."""

    async def run() -> None:
        try:
            await func()
        except Exception:
            log.exception("job %s failed", job_id)

    run.__name__ = job_id
    return run
