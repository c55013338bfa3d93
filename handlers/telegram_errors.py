"""When Telegram fails under a handler: the person is told, the log gets one line.

The reusable pattern for every router: handlers `await` Bot API calls plainly, and an error
handler (aiogram's `errors` observer with an ExceptionTypeFilter, registered on the fallback
router, which error events reach after every other router's error handlers) catches any
TelegramAPIError that escapes a handler — a refusal (400), a 5xx, a 429, a network failure or
timeout, an unreadable answer (bot.telegram.telegram_session.UnreadableAnswer) — and sends the
person a localized notice that their last step may not have been shown, without touching their
conversation state. A customer who blocked the bot cannot be told: they are marked inactive
(bot.telegram.notify). If the notice fails too (Telegram is down), the log line is all there is; the
person's next message finds the bot working again.

Flows that can say something more precise catch the error themselves and use `reason`:

- broadcast preview: a refused message or buttons → "send another"; any other failure → "not
  shown, your message is kept", the step unchanged (Skip / the same buttons retry);
- /refundstars: refused (Telegram's reason) / outcome unknown (money held, retry is safe) /
  429 (nothing refunded yet, money held);
- a top-up invoice not sent → the customer is told; the stats chart not sent → the admin is;
- a customer not reached after an admin's credit or refund → the admin is told.

Where the failure is the message itself, there is only the log line: a button's answer that
fails inside `show` (the spinner stops by itself; the new screen is what matters), a
pre-checkout answer (Telegram declines the payment and shows the customer its own error), a
payment receipt (the money is credited and shows in /balance), and notifications from jobs
(bot.telegram.notify gives up with a log line).

Before any of this, the session has already waited out a 429 within its budget and retried a
5xx or a connection that never opened (bot.telegram.bot_api_retry): what reaches a handler is what
waiting could not fix.
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

from bot.context import Shop
from bot.shop import users
from bot.telegram.notify import Notifier
from bot.telegram.telegram_session import describe, is_transient

log = logging.getLogger("bot.telegram")
REASON_CHARS = 150  # of Telegram's own text, quoted to an admin


def reason(exc: BaseException, i18n: I18nContext) -> str:
    """What Telegram said, as a message argument (the translator HTML-escapes every string
    argument): "asks to wait N s" for a 429, "did not answer: <detail>" when there is no
    verdict (network, timeout, 5xx, an unreadable answer), else Telegram's own description.
    Bounded: a proxy's page or a long description never makes the message too long."""
    if isinstance(exc, TelegramRetryAfter):
        return i18n.get("tg-reason-flood", seconds=exc.retry_after)
    detail = _bounded(exc.message if isinstance(exc, TelegramAPIError) else str(exc))
    if is_transient(exc) or not isinstance(exc, TelegramAPIError):
        no_answer = i18n.get("tg-reason-no-answer")
        return f"{no_answer}: {detail}" if detail else no_answer
    return detail or type(exc).__name__


def _bounded(text: str | None) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


async def telegram_failed(
    event: ErrorEvent,
    shop: Shop,
    notifier: Notifier,
    event_chat: Chat | None = None,
    i18n: I18nContext | None = None,
) -> bool:
    exc = event.exception
    update_id = event.update.update_id
    if event_chat is None:
        log.warning("update %d: Telegram failed under a handler: %s", update_id, describe(exc))
        return True
    if isinstance(exc, TelegramForbiddenError):  # blocked the bot: nobody to tell
        log.info(
            "update %d: chat %d cannot be reached: %s", update_id, event_chat.id, describe(exc)
        )
        await users.mark_inactive(shop.sessions, event_chat.id)
        shop.recent_users.forget(event_chat.id)
        return True
    log.warning(
        "update %d: Telegram failed under a handler for chat %d: %s",
        update_id,
        event_chat.id,
        describe(exc),
    )
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
