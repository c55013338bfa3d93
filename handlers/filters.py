"""Filters shared by routers."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from bot.context import Shop


class IsAdmin(Filter):
    """Matches only updates from ADMIN_IDS. Admin handlers register with it, so for anyone
    else they do not exist: the update falls through to the ordinary answers (an unknown
    command, a stale button), and nothing admin is revealed."""

    async def __call__(self, event: Message | CallbackQuery, shop: Shop) -> bool:
        return event.from_user is not None and shop.is_admin(event.from_user.id)


class Magic(Filter):
    """A magic filter (`F…`) checked on the event loop.

    aiogram runs every synchronous filter — a bare `F.text` or a `State` among them — through
    `asyncio.to_thread` on each check: a worker thread and a GIL hand-off for a one-line test,
    per handler, per update (under load the hand-off waits for the busy loop). As a Filter
    subclass it is awaited in place. Routers register no bare magic filters or states
    (tests/test_routers.py checks the whole tree).
    """

    __slots__ = ("rule",)

    def __init__(self, rule: MagicFilter) -> None:
        self.rule = rule

    async def __call__(self, event: TelegramObject) -> Any:
        return self.rule.resolve(event)

    def __str__(self) -> str:
        return f"Magic({self.rule!r})"


# Text a customer typed, not a command.
TYPED_TEXT = Magic(F.text & ~F.text.startswith("/"))
# Anything but text (a photo, a sticker…) where text is expected.
NOT_TEXT = Magic(~F.text)
