"""Wiring: one object that owns the database, the panels, the bot and the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypedDict

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.context import Shop
from bot.jobs.leader import make_leader
from bot.jobs.scheduler import ShopScheduler, leader_lease
from bot.panel import PanelRegistry
from bot.shop.catalog_sync import ensure_panels, sync_catalogs
from bot.shop.crypto_pay import CryptoPayClient
from bot.telegram.broadcast_sender import BroadcastManager
from bot.telegram.commands import register_commands, register_commands_later
from bot.telegram.i18n import Translator, make_core
from bot.telegram.middlewares import setup_middlewares
from bot.telegram.notify import Notifier
from bot.telegram.poll_pacing import PollPacing
from bot.telegram.support_desk import SupportDesk
from bot.telegram.telegram_session import call_patiently, make_session, wait_for_telegram
from bot.telegram.webhook import WebhookServer
from handlers import build_router
from storage.db import create_engine, create_session_factory
from storage.fsm import DatabaseStorage
from storage.migrate import upgrade_to_head

log = logging.getLogger("bot")
STARTUP_SYNC_WAIT = 15.0  # seconds the start waits for the first catalog sync


def make_bot(settings: Settings) -> Bot:
    session = make_session(settings.telegram_api_url, proxy=settings.telegram_proxy_url)
    session.middleware(PollPacing())
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def make_fsm_storage(settings: Settings, shop: Shop) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return DatabaseStorage(shop.sessions)


class Delays(TypedDict):
    """The growing retry delays of startup calls to Telegram (call_patiently's keywords)."""

    first_delay: float
    max_delay: float


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    shop: Shop
    bot: Bot
    dispatcher: Dispatcher
    notifier: Notifier
    scheduler: ShopScheduler | None
    webhook: WebhookServer | None = None
    _stopped: asyncio.Event | None = None  # set by stop() to end serve_webhook()
    # Startup calls to Telegram retry after these delays, growing (tests shorten them).
    retry_first_delay: float = 1.0
    retry_max_delay: float = 60.0
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)  # startup retries in flight

    @classmethod
    async def start(
        cls, settings: Settings, *, panels: PanelRegistry | None = None, background: bool = True
    ) -> Runtime:
        """`panels` lets tests tune client timeouts; `background=False` runs no scheduler jobs
        (tests that drive the jobs themselves)."""
        engine = create_engine(settings.database_url)
        await upgrade_to_head(engine)
        translator = Translator(make_core(settings.default_language))
        shop = Shop(
            settings=settings,
            sessions=create_session_factory(engine),
            panels=panels or PanelRegistry(settings.panel_specs()),
            translate=translator,
            crypto_pay=(
                CryptoPayClient(
                    settings.crypto_pay_base_url, settings.crypto_pay_token.get_secret_value()
                )
                if settings.crypto_pay_token and settings.crypto_pay_enabled
                else None
            ),
        )
        await translator.core.startup()  # load the .ftl files now: a broken locale fails fast
        await ensure_panels(shop)
        # A panel that trickles its catalog must not hold the shop's start for the sync's whole
        # time limit: past a short wait the sync goes on in the background while customers
        # browse the catalog already stored.
        first_sync = asyncio.create_task(sync_catalogs(shop))
        await asyncio.wait({first_sync}, timeout=STARTUP_SYNC_WAIT)
        bot = make_bot(settings)
        notifier = Notifier(bot, shop)
        dispatcher = Dispatcher(
            storage=make_fsm_storage(settings, shop), shop=shop, notifier=notifier
        )
        setup_middlewares(dispatcher, shop, translator.core)
        dispatcher["broadcasts"] = BroadcastManager(bot, shop)  # injected into handlers
        dispatcher["support_desk"] = SupportDesk(bot, shop, notifier)
        dispatcher.include_router(build_router())
        scheduler = None
        if background:
            leader = make_leader(settings.redis_url, engine, lease_seconds=leader_lease(settings))
            scheduler = ShopScheduler(shop, notifier, leader)
        runtime = cls(settings, engine, shop, bot, dispatcher, notifier, scheduler)
        if not first_sync.done():
            log.info(
                "catalog sync still running after %g s: it goes on in the background",
                STARTUP_SYNC_WAIT,
            )
            runtime.track(first_sync)
        return runtime

    @property
    def broadcasts(self) -> BroadcastManager:
        manager: BroadcastManager = self.dispatcher["broadcasts"]
        return manager

    async def poll(self, *, handle_signals: bool = False) -> None:
        """Long-poll until stopped; with handle_signals, SIGINT/SIGTERM stop it gracefully."""
        await self._wait_for_telegram()
        # The configuration says polling: a webhook left by a webhook deployment would make
        # Telegram refuse getUpdates (409). Pending updates are kept. If Telegram does not
        # answer, polling starts anyway: aiogram retries getUpdates with its own backoff.
        await call_patiently(
            lambda: self.bot.delete_webhook(drop_pending_updates=False),
            "deleteWebhook",
            **self._delays(),
        )
        await self._start_background()
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=handle_signals,
            close_bot_session=False,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def _wait_for_telegram(self) -> None:
        """getMe until Telegram answers (only a rejected token raises: exit status 2)."""
        await wait_for_telegram(
            self.bot.me, first_delay=self.retry_first_delay, max_delay=self.retry_max_delay
        )

    def _delays(self) -> Delays:
        return {"first_delay": self.retry_first_delay, "max_delay": self.retry_max_delay}

    def in_background(self, work: Coroutine[Any, Any, object]) -> None:
        """A startup retry that must not hold the start; stop() cancels what is left."""
        self.track(asyncio.create_task(work))

    def track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start_background(self) -> None:
        if not await register_commands(self.bot, self.shop):
            self.in_background(register_commands_later(self.bot, self.shop, **self._delays()))
        leads = True
        if self.scheduler is not None:
            leads = await self.scheduler.reconcile_at_startup()  # only if this process leads
            self.scheduler.start()
        if leads:  # a follower must not touch the leader's broadcasts in flight
            self.broadcasts.resume_running()  # what the last run left sending

    async def serve_webhook(self, *, handle_signals: bool = False) -> None:
        """Webhook mode (WEBHOOK_URL): serve until stopped (SIGINT/SIGTERM with handle_signals)."""
        stopped = asyncio.Event()
        self._stopped = stopped
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stopped.set)
        await self._wait_for_telegram()
        await self._start_background()
        self.webhook = WebhookServer(self)
        await self.webhook.start()
        await stopped.wait()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.webhook is not None:
            await self.webhook.stop()
        if self._stopped is not None:
            self._stopped.set()
        with contextlib.suppress(RuntimeError):  # "polling is not started"
            await self.dispatcher.stop_polling()
        await self.broadcasts.shutdown()  # in-flight sends finish; the jobs resume next start
        if self.scheduler is not None:
            self.scheduler.shutdown()
            await self.scheduler.release_leadership()
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.shop.panels.aclose()
        if self.shop.crypto_pay is not None:
            await self.shop.crypto_pay.aclose()
        await self.engine.dispose()
