"""Messages the shop sends on its own (not as a reply): to customers and to admins.

Telegram's rules are respected here once for every caller: a customer who blocked the bot (or
deleted their account) is marked inactive and skipped, and no Telegram error ever propagates
into a job or a handler. A 429 is waited out by the session (bot.telegram.bot_api_retry), as for
every call; one asking for longer than its budget is given up with a log line.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from bot.context import Shop
from bot.shop import users
from bot.shop.referrals import Reward
from storage.models import User

log = logging.getLogger("bot.telegram.notify")


class Notifier:
    def __init__(self, bot: Bot, shop: Shop) -> None:
        self.bot = bot
        self.shop = shop

    async def send(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> bool:
        """Deliver one message; False when it cannot be delivered (and never raises). A 429
        within bounds was already waited out by the session (bot.telegram.bot_api_retry)."""
        try:
            await self.bot.send_message(chat_id, text, reply_markup=reply_markup)
            return True
        except TelegramRetryAfter as exc:
            log.warning(
                "message to %s not sent: Telegram asks to wait %s s", chat_id, exc.retry_after
            )
        except TelegramForbiddenError:
            await users.mark_inactive(self.shop.sessions, chat_id)
            self.shop.recent_users.forget(chat_id)  # their next update re-activates them
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                await users.mark_inactive(self.shop.sessions, chat_id)
                self.shop.recent_users.forget(chat_id)
            else:
                log.warning("message to %s rejected: %s", chat_id, exc.message)
        except TelegramAPIError as exc:  # 5xx, network, timeout, an unreadable answer
            log.warning("message to %s failed: %s", chat_id, exc)
        return False

    async def to_user(
        self,
        telegram_id: int,
        key: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        **kwargs: Any,
    ) -> bool:
        """A localized message in the customer's own language."""
        user = await users.by_telegram_id(self.shop.sessions, telegram_id)
        if user is not None and not user.is_active:
            return False
        language = (user.language if user else None) or self.shop.settings.default_language
        return await self.send(
            telegram_id, self.shop.translate(language, key, **kwargs), reply_markup
        )

    async def to_customer(
        self,
        user_id: int,
        key: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        **kwargs: Any,
    ) -> bool:
        """Like to_user, by the shop's own user id."""
        async with self.shop.sessions() as session:
            user = await session.get(User, user_id)
        if user is None or not user.is_active:
            return False
        language = user.language or self.shop.settings.default_language
        return await self.send(
            user.telegram_id, self.shop.translate(language, key, **kwargs), reply_markup
        )

    async def to_admins(self, key: str, **kwargs: Any) -> int:
        """Tell every admin, each in their language; returns how many were reached."""
        reached = 0
        for admin_id in sorted(self.shop.settings.admin_ids):
            user = await users.by_telegram_id(self.shop.sessions, admin_id)
            language = (user.language if user else None) or self.shop.settings.default_language
            if await self.send(admin_id, self.shop.translate(language, key, **kwargs)):
                reached += 1
        return reached


async def tell_referral_reward(notifier: Notifier, reward: Reward) -> bool:
    """Tell a referrer, in their language, what a friend's finished order earned them (after
    the transaction that paid it committed)."""
    return await notifier.to_customer(
        reward.referrer_id, "notify-referral-reward", amount=notifier.shop.money(reward.amount)
    )
