"""Bot commands, registered per language (setMyCommands with language_code).

Commands are a convenience: registering them never blocks or stops the start. A scope Telegram
refuses (an admin who never opened the bot: "chat not found") is skipped and the others still
set; when Telegram does not answer, the runtime tries the whole registration again later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BotCommandScopeUnion,
)

from bot.context import Shop
from bot.telegram.i18n import LANGUAGES
from bot.telegram.telegram_session import Outcome, call_patiently

log = logging.getLogger("bot")

CUSTOMER_COMMANDS = (
    "start",
    "menu",
    "orders",
    "balance",
    "language",
    "help",
    "support",
    "cancel",
    "paysupport",
    "terms",
    "invite",
    "promo",
)
ADMIN_COMMANDS = (
    "credit",
    "admin",
    "refund",
    "user",
    "order",
    "refundstars",
    "broadcast",
    "stats",
    "newpromo",
    "promos",
)
LATER_ATTEMPTS = 8  # background rounds after a start Telegram did not answer (~4 min)


def _calls(bot: Bot, shop: Shop) -> list[tuple[str, Callable[[], Awaitable[object]]]]:
    default = shop.settings.default_language

    def commands(language: str, names: tuple[str, ...]) -> list[BotCommand]:
        return [
            BotCommand(command=name, description=shop.translate(language, f"cmd-{name}"))
            for name in names
        ]

    def setting(
        names: tuple[str, ...], scope: BotCommandScopeUnion, language: str | None = None
    ) -> Callable[[], Awaitable[object]]:
        """One setMyCommands call, made when called (each retry renders it afresh)."""

        async def call() -> bool:
            return await bot.set_my_commands(
                commands(language or default, names), scope, language_code=language
            )

        return call

    # Without language_code: what clients in any other language see.
    calls = [("setMyCommands(default)", setting(CUSTOMER_COMMANDS, BotCommandScopeDefault()))]
    for language in LANGUAGES:
        calls.append(
            (
                f"setMyCommands({language})",
                setting(CUSTOMER_COMMANDS, BotCommandScopeDefault(), language),
            )
        )
    for admin_id in sorted(shop.settings.admin_ids):
        for language in LANGUAGES:
            calls.append(
                (
                    f"setMyCommands(admin {admin_id}, {language})",
                    setting(
                        CUSTOMER_COMMANDS + ADMIN_COMMANDS,
                        BotCommandScopeChat(chat_id=admin_id),
                        language,
                    ),
                )
            )
    return calls


async def register_commands(bot: Bot, shop: Shop) -> bool:
    """Set every scope once; False when Telegram did not answer (try again later)."""
    for what, call in _calls(bot, shop):
        if await call_patiently(call, what, attempts=1) is Outcome.UNANSWERED:
            return False  # Telegram is not answering now: the rest would fail the same way
    return True


async def register_commands_later(
    bot: Bot,
    shop: Shop,
    *,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
    attempts: int = LATER_ATTEMPTS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """Retry the registration in the background with growing delays, a bounded number of
    times (the bot runs meanwhile)."""
    delay = first_delay
    for _ in range(attempts):
        await sleep(delay)
        if await register_commands(bot, shop):
            log.info("bot commands registered")
            return True
        delay = min(max_delay, delay * 2)
    log.warning("bot commands not registered: Telegram did not answer; next start tries again")
    return False
