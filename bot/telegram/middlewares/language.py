from __future__ import annotations

from typing import Any

from aiogram_i18n.managers import BaseManager

from bot.context import Shop
from bot.shop import users
from bot.telegram.i18n import LANGUAGES, guess_language
from storage.models import User


class UserLanguageManager(BaseManager):
    """The customer's stored language; a first guess from Telegram's language_code."""

    def __init__(self, shop: Shop) -> None:
        super().__init__(default_locale=shop.settings.default_language)
        self.shop = shop

    async def get_locale(self, user: User | None = None, **data: Any) -> str:
        if user is not None and user.language in LANGUAGES:
            return user.language
        sender = data.get("event_from_user")
        code = getattr(sender, "language_code", None)
        return guess_language(code, self.shop.settings.default_language)

    async def set_locale(self, locale: str, user: User | None = None, **_: Any) -> None:
        if user is not None:
            await users.set_language(self.shop.sessions, user.id, locale)
            user.language = locale
            self.shop.recent_users.remember(user)  # this update's row is its own: keep the change
