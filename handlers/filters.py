"""Filters shared by routers."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.context import Shop


class IsAdmin(Filter):
    """Matches only updates from ADMIN_IDS. Admin handlers register with it, so for anyone
    else they do not exist: the update falls through to the ordinary answers (an unknown
    command, a stale button), and nothing admin is revealed."""

    async def __call__(self, event: Message | CallbackQuery, shop: Shop) -> bool:
        return event.from_user is not None and shop.is_admin(event.from_user.id)
