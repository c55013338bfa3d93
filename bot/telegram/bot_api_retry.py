"""Bot API calls that Telegram did not carry out are retried here, in one place.

A request middleware on the bot's session (bot.telegram.telegram_session.make_session):

- 429 (TelegramRetryAfter): wait `retry_after` and ask again, while the call's whole time stays
  within FLOOD_BUDGET (a reply, an edit or a notification is then delivered late, not
  dropped). An answerCallbackQuery only within CALLBACK_BUDGET: Telegram stops accepting an
  answer a few seconds after the button was pressed.
- 5xx with a Bot API answer (TelegramServerError, RestartingTelegram included) and connection
  failures before the request was sent (aiohttp's ClientConnectorError: refused, DNS, proxy
  unreachable — aiogram wraps it in TelegramNetworkError, the cause tells): a few more tries
  with a short growing backoff.
- Never retried: a timeout or a dropped connection after the request was sent, and an
  unreadable answer (a proxy's 502 page): Telegram may have carried it out, and a second
  sendMessage would be a duplicate. Those reach the caller as before.

The broadcast paces a whole job on a 429 (bot.shop.broadcast): its sends run inside
`no_retry()`, so a 429 reaches the job at once instead of being waited out per message.
getUpdates is left to aiogram's polling loop, which has its own backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.telegram.request_chain import forward

log = logging.getLogger("bot.retry")

FLOOD_BUDGET = 30.0  # seconds in all, per call, spent waiting out 429s and backoffs
CALLBACK_BUDGET = 10.0  # an answerCallbackQuery later than this is refused by Telegram anyway
FAILURE_RETRIES = 3  # more tries after a 5xx or a connection that never opened
FIRST_BACKOFF = 0.5  # seconds, doubled after each failure

_RETRY: ContextVar[bool] = ContextVar("bot_api_retry", default=True)


@contextlib.contextmanager
def no_retry() -> Iterator[None]:
    """Bot API calls in this context (and tasks started from it) raise at the first 429 or
    failure: for callers that pace themselves (the broadcast)."""
    token = _RETRY.set(False)
    try:
        yield
    finally:
        _RETRY.reset(token)


def never_sent(exc: BaseException) -> bool:
    """Whether a network error happened before the request left: the connection itself
    failed (refused, DNS, proxy unreachable). A certificate error is not worth retrying."""
    cause = exc.__cause__
    return isinstance(cause, aiohttp.ClientConnectorError) and not isinstance(
        cause, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError
    )


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        budget: float = FLOOD_BUDGET,
        callback_budget: float = CALLBACK_BUDGET,
        retries: int = FAILURE_RETRIES,
        first_backoff: float = FIRST_BACKOFF,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = budget
        self.callback_budget = callback_budget
        self.retries = retries
        self.first_backoff = first_backoff
        self.sleep = sleep
        self.clock = clock

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        if isinstance(method, GetUpdates) or not _RETRY.get():
            return await forward(make_request, bot, method)
        budget = self.callback_budget if isinstance(method, AnswerCallbackQuery) else self.budget
        deadline = self.clock() + budget
        failures = 0
        while True:
            try:
                return await forward(make_request, bot, method)
            except TelegramRetryAfter as exc:
                wait = float(exc.retry_after)
                error: Exception = exc
            except (TelegramServerError, TelegramNetworkError) as exc:
                if isinstance(exc, TelegramNetworkError) and not never_sent(exc):
                    raise  # it may have been carried out: never a blind second send
                failures += 1
                if failures > self.retries:
                    raise
                wait = self.first_backoff * 2 ** (failures - 1)
                error = exc
            if self.clock() + wait > deadline:
                raise error
            log.info(
                "%s: %s; asking again in %.1f s", method.__api_method__, type(error).__name__, wait
            )
            await self.sleep(wait)
