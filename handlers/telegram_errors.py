"""When Telegram fails under a handler: the person is told, the log gets one line.

The reusable pattern for every router: handlers `await` Bot API calls plainly, and an error
handler (aiogram's `errors` observer with an ExceptionTypeFilter, registered on the fallback
router, which error events reach after every other router's error handlers) catches any
TelegramAPIError that escapes a handler — a refusal (400), a 5xx, a 429, a network failure or
timeout, an unreadable answer (bot.telegram_session.UnreadableAnswer) — and sends the person a
localized notice that their last step may not have been shown, without touching their
conversation state. A customer who blocked the bot cannot be told: they are marked inactive
(bot.notify). If the notice fails too (Telegram is down), the log line is all there is; the
person's next message finds the bot working again.

Flows that can say something more precise catch the error themselves (broadcast preview,
/refundstars, invoices) and use `reason` for the text.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import Chat, ErrorEvent
from aiogram_i18n import I18nContext

from bot import users
from bot.context import Shop
from bot.notify import Notifier
from bot.telegram_session import describe, is_transient

log = logging.getLogger("bot.telegram")
REASON_CHARS = 150  # of Telegram's own text, quoted to an admin


def reason(exc: BaseException, i18n: I18nContext) -> str:
    """What Telegram said, as a message argument: its own description when it gave a verdict,
    bounded (the translator HTML-escapes every string argument), or a localized "did not
    answer" when it did not."""
    if isinstance(exc, TelegramRetryAfter):
        return i18n.get("tg-reason-flood", seconds=exc.retry_after)
    if is_transient(exc) or not isinstance(exc, TelegramAPIError):
        return i18n.get("tg-reason-no-answer")
    text = " ".join(str(exc.message or "").split())
    if len(text) > REASON_CHARS:
        text = text[:REASON_CHARS - 1] + "…"
    return text or type(exc).__name__


async def telegram_failed(
    event: ErrorEvent, shop: Shop, notifier: Notifier, event_chat: Chat | None = None,
    i18n: I18nContext | None = None,
) -> bool:
    exc = event.exception
    update_id = event.update.update_id
    if event_chat is None:
        log.warning("update %d: Telegram failed under a handler: %s", update_id, describe(exc))
        return True
    if isinstance(exc, TelegramForbiddenError):  # blocked the bot: nobody to tell
        log.info("update %d: chat %d cannot be reached: %s", update_id, event_chat.id,
                 describe(exc))
        await users.mark_inactive(shop.sessions, event_chat.id)
        shop.recent_users.forget(event_chat.id)
        return True
    log.warning("update %d: Telegram failed under a handler for chat %d: %s", update_id,
                event_chat.id, describe(exc))
    if i18n is not None:
        text = notice(exc, i18n, admin=shop.is_admin(event_chat.id))
    else:  # failed before the language was known
        text = shop.translate(shop.settings.default_language, "tg-fault-reply")
    if not await notifier.send(event_chat.id, text):
        log.warning("update %d: chat %d not told either", update_id, event_chat.id)
    return True


def notice(exc: BaseException, i18n: I18nContext, *, admin: bool) -> str:
    if not admin:  # customers: what to do, not Telegram's wording
        return i18n.get("tg-fault-reply")
    return i18n.get("tg-fault-reply-admin", reason=reason(exc, i18n))


def register(router: Router) -> None:
    router.errors.register(telegram_failed, ExceptionTypeFilter(TelegramAPIError))


