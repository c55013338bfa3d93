"""Wiring: one object that owns the database, the panels, the bot and the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import catalog
from bot.commands import register_commands
from bot.config import Settings
from bot.context import Shop
from bot.i18n import Translator, make_core
from bot.middlewares import setup_middlewares
from bot.panel import PanelClient, PanelError, PanelRegistry
from handlers import build_router
from storage.db import create_engine, create_session_factory
from storage.fsm import DatabaseStorage
from storage.migrate import upgrade_to_head

log = logging.getLogger("bot")


def make_bot(settings: Settings) -> Bot:
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
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


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    shop: Shop
    bot: Bot
    dispatcher: Dispatcher

    @classmethod
    async def start(cls, settings: Settings, *, panels: PanelRegistry | None = None) -> Runtime:
        """`panels` lets tests tune client timeouts; by default they come from settings."""
        engine = create_engine(settings.database_url)
        await upgrade_to_head(engine)
        shop = Shop(
            settings=settings,
            sessions=create_session_factory(engine),
            panels=panels or PanelRegistry(settings.panel_specs()),
            translate=Translator(make_core(settings.default_language)),
        )
        await shop.translate.core.startup()  # load the .ftl files now: a broken locale fails fast
        await sync_all_catalogs(shop)
        bot = make_bot(settings)
        dispatcher = Dispatcher(storage=make_fsm_storage(settings, shop), shop=shop)
        setup_middlewares(dispatcher, shop)
        dispatcher.include_router(build_router(shop))
        return cls(settings, engine, shop, bot, dispatcher)

    async def poll(self) -> None:
        await register_commands(self.bot, self.shop)
        await self.dispatcher.start_polling(
            self.bot, handle_signals=False, close_bot_session=False,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def stop(self) -> None:
        with contextlib.suppress(RuntimeError):  # "polling is not started"
            await self.dispatcher.stop_polling()
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.shop.panels.aclose()
        await self.engine.dispose()


async def sync_all_catalogs(shop: Shop) -> None:
    """Bring every panel's catalog into the shop; a failing panel is logged, not fatal."""

    async def one(client: PanelClient) -> None:
        try:
            services = await client.services()
        except PanelError as exc:
            log.warning("catalog sync of %s failed: %s", client.name, exc)
            return
        async with shop.sessions() as session, session.begin():
            panel = await catalog.ensure_panel(
                session, name=client.name, url=client.url[:512], dialect=client.dialect,
                is_sandbox=client.is_sandbox,
            )
            await catalog.apply_catalog(session, panel, services)

    await asyncio.gather(*(one(client) for client in shop.panels))
