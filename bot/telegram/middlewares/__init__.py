"""Update middlewares, outermost first: in-flight count → customer →
language → flood limit → ban."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram_i18n import I18nMiddleware
from aiogram_i18n.cores import FluentRuntimeCore

from bot.context import Shop
from bot.telegram.middlewares.ban import BanMiddleware
from bot.telegram.middlewares.inflight import InFlight
from bot.telegram.middlewares.language import UserLanguageManager
from bot.telegram.middlewares.throttling import ThrottlingMiddleware
from bot.telegram.middlewares.user import UserMiddleware


def setup_middlewares(dispatcher: Dispatcher, shop: Shop, core: FluentRuntimeCore) -> None:
    in_flight = InFlight()
    dispatcher.update.outer_middleware(in_flight)
    # Registered before the i18n core's own shutdown (which unloads the locales): shutdown
    # handlers run in order, so updates still being handled finish with everything in place.
    dispatcher.shutdown.register(in_flight.drain)
    dispatcher.update.outer_middleware(UserMiddleware(shop))
    I18nMiddleware(
        core=core,
        manager=UserLanguageManager(shop),
        default_locale=shop.settings.default_language,
    ).setup(dispatcher)
    dispatcher.update.outer_middleware(ThrottlingMiddleware())
    dispatcher.update.outer_middleware(BanMiddleware(shop))
