"""Bot commands, registered per language (setMyCommands with language_code)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.context import Shop
from bot.i18n import LANGUAGES

log = logging.getLogger("bot")

CUSTOMER_COMMANDS = ("start", "menu", "orders", "balance", "language", "help", "cancel",
                     "paysupport", "terms")
ADMIN_COMMANDS = ("credit", "admin", "refund", "user", "order", "refundstars", "broadcast",
                  "stats")


async def register_commands(bot: Bot, shop: Shop) -> None:
    default = shop.settings.default_language

    def commands(language: str, names: tuple[str, ...]) -> list[BotCommand]:
        return [
            BotCommand(command=name, description=shop.translate(language, f"cmd-{name}"))
            for name in names
        ]

    try:
        # Without language_code: what clients in any other language see.
        await bot.set_my_commands(commands(default, CUSTOMER_COMMANDS), BotCommandScopeDefault())
        for language in LANGUAGES:
            await bot.set_my_commands(
                commands(language, CUSTOMER_COMMANDS), BotCommandScopeDefault(),
                language_code=language,
            )
        for admin_id in shop.settings.admin_ids:
            for language in LANGUAGES:
                await bot.set_my_commands(
                    commands(language, CUSTOMER_COMMANDS + ADMIN_COMMANDS),
                    BotCommandScopeChat(chat_id=admin_id), language_code=language,
                )
    except TelegramAPIError as exc:  # commands are a convenience: never block startup on them
        log.warning("could not register bot commands: %s", exc)
