"""The bot's connection to Telegram: aiogram's own AiohttpSession, customised only through
its public hooks, and waiting for the Bot API at startup.

- orjson as the session's `json_loads`/`json_dumps` (aiogram's json_dumps must return str).
- `UnreadableAnswer`: an answer that is not a Bot API answer — a proxy's HTML 502 page, an
  empty body, JSON of another shape — makes aiogram raise ClientDecodeError, which no
  `except TelegramAPIError` catches. A request middleware turns it into UnreadableAnswer, a
  TelegramNetworkError: every caller treats it like the network failing (Telegram did not
  answer). Its message quotes the first bytes of the body, never the token.
- An error answer without a description (`{"ok": false}`) gets one in `json_loads`: aiogram's
  5xx path tests `"restart" in description` and would raise a TypeError on None.
- Flood limits and failed sends are retried in bot.telegram.bot_api_retry (another request
  middleware).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import orjson
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import User

from bot.telegram.bot_api_retry import RetryMiddleware
from bot.telegram.request_chain import forward

log = logging.getLogger("bot")
SNIPPET_CHARS = 120  # of an unreadable body, in the error's message


class UnreadableAnswer(TelegramNetworkError):
    """The Bot API (or something in front of it) answered with something that is not a Bot
    API answer: the call's outcome is unknown, as if the connection had dropped."""

    label = "Unreadable answer"

    def __init__(self, method: TelegramMethod[Any], content: Any, token: str = "") -> None:
        # aiogram gives the body, or the decoded JSON when it was of the wrong shape
        text = content if isinstance(content, str) else json.dumps(content, default=repr)
        head = text[: SNIPPET_CHARS * 2 + len(token) * 2]
        if token:  # a proxy's page may quote the URL, and the token is in the URL's path
            head = head.replace(token, "<token>").replace(token.partition(":")[2], "<token>")
        snippet = " ".join(head.split())[:SNIPPET_CHARS]
        super().__init__(method=method, message=f"not a Bot API answer: {snippet!r}")


def json_loads(text: str | bytes) -> Any:
    """orjson, and a description for an error answer that has none (see the module doc)."""
    data = orjson.loads(text)
    if (
        type(data) is dict
        and data.get("ok") is False
        and not isinstance(data.get("description"), str)
    ):
        code = data.get("error_code")
        data["description"] = f"HTTP {code if isinstance(code, int) else '?'} without a description"
    return data


def json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class UnreadableAnswers(BaseRequestMiddleware):
    """ClientDecodeError (aiogram's "not a Bot API answer") → UnreadableAnswer."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        try:
            return await forward(make_request, bot, method)
        except ClientDecodeError as exc:
            raise UnreadableAnswer(method, exc.data, bot.token) from exc


class PinnedResponses(BaseRequestMiddleware):
    """aiogram validates each answer as `Response[<the method's return type>]`. pydantic
    keeps parametrized generic models only weakly, and they sit in reference cycles, so a
    garbage collection can drop one and the next call rebuilds its schema (milliseconds of
    CPU). Holding one strong reference per return type, through the same public subscription
    aiogram makes, keeps pydantic's cache warm."""

    def __init__(self) -> None:
        self.pinned: dict[Any, type] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        returning = method.__returning__
        if returning not in self.pinned:
            self.pinned[returning] = Response[returning]  # type: ignore[valid-type]
        return await forward(make_request, bot, method)


def make_session(api_url: str | None = None, **kwargs: Any) -> AiohttpSession:
    """aiogram's AiohttpSession with orjson and the bot's request middlewares, outermost
    first: flood/failure retry → unreadable answers → pinned response models. `kwargs` go to
    AiohttpSession (proxy=, limit=, timeout=, json_loads=...)."""
    api = TelegramAPIServer.from_base(api_url) if api_url else PRODUCTION
    options: dict[str, Any] = {"json_loads": json_loads, "json_dumps": json_dumps, **kwargs}
    session = AiohttpSession(api=api, **options)
    session.middleware(RetryMiddleware())
    session.middleware(UnreadableAnswers())
    session.middleware(PinnedResponses())
    return session


async def wait_for_telegram(
    get_me: Callable[[], Awaitable[User]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_delay: float = 60.0,
    first_delay: float = 1.0,
) -> User:
    """Ask Telegram who we are until it answers: a network outage, a Bot API server that is
    still starting, a proxy's error page, a 429 delay the start instead of crashing it. Only a
    rejected token is final (TelegramUnauthorizedError propagates: the process exits 2)."""
    delay = first_delay
    while True:
        try:
            return await get_me()
        except TelegramUnauthorizedError:
            raise
        except Exception as exc:  # anything else may pass: retry
            wait = retry_delay(exc, delay, max_delay)
            log.warning(
                "Telegram Bot API unreachable (%s); retrying in %.1f s", describe(exc), wait
            )
            await sleep(wait)
            delay = min(max_delay, delay * 2)


class Outcome(Enum):
    DONE = "done"
    REFUSED = "refused"  # Telegram said no for good (4xx): asking again changes nothing
    UNANSWERED = "unanswered"  # network, timeout, 5xx, 429, unreadable answer: ask later


def is_transient(exc: BaseException) -> bool:
    """Whether asking again later may succeed: no definite verdict from Telegram."""
    if isinstance(exc, TelegramNetworkError | TelegramServerError | TelegramRetryAfter):
        return True  # UnreadableAnswer is a TelegramNetworkError
    if isinstance(exc, TelegramAPIError):
        return False  # a Bot API verdict (400, 403, 404, 409, ...)
    return isinstance(exc, AiogramError | OSError | TimeoutError)


async def call_patiently(
    call: Callable[[], Awaitable[object]],
    what: str,
    *,
    attempts: int | None = 5,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Outcome:
    """A startup call (setMyCommands, deleteWebhook, setWebhook) that must neither crash nor
    block the bot: transient failures are retried with growing delays (Telegram's retry_after
    when it gives one) up to `attempts` times (None: until it works), a refusal is logged
    once. Nothing is raised, a rejected token included (getMe settled that at startup)."""
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            await call()
            return Outcome.DONE
        except Exception as exc:
            if not is_transient(exc):
                log.error("%s refused by Telegram: %s", what, describe(exc))
                return Outcome.REFUSED
            if attempts is not None and attempt >= attempts:
                log.warning(
                    "%s: Telegram did not answer (%s); giving up for now", what, describe(exc)
                )
                return Outcome.UNANSWERED
            wait = retry_delay(exc, delay, max_delay)
            log.warning(
                "%s: Telegram did not answer (%s); retrying in %.1f s", what, describe(exc), wait
            )
            await sleep(wait)
            delay = min(max_delay, delay * 2)


def retry_delay(exc: BaseException, delay: float, max_delay: float) -> float:
    """Telegram's own retry_after when it gave one (never beyond max_delay), else `delay`."""
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after > 0:
        return float(min(retry_after, max_delay))
    return delay


def describe(exc: BaseException) -> str:
    """One line for a log: the error's class and message (aiogram's messages carry no token)."""
    return f"{type(exc).__name__}: {exc}"[:300]
