"""The bot's connection to Telegram: the aiogram HTTP session (with pydantic's generic-model
cache pinned), and waiting for the Bot API at startup.

aiogram validates every Bot API answer as `Response[<the method's return type>]`. pydantic
caches such parametrized generic models only weakly, and they sit in reference cycles, so the
garbage collector keeps dropping them and the next API call rebuilds the class's schema — a few
milliseconds of CPU per call, most of the bot's time under load. Holding one strong reference
per return type makes each class a one-time cost.

Requests without a file upload are sent as one JSON body (`application/json`, which the Bot API
accepts for every method) instead of aiogram's urlencoded form of JSON-dumped fields: the values
are prepared by aiogram itself (`prepare_value`: defaults from DefaultBotProperties, enums, dates,
None dropped), only the encoding differs. Uploads (an InputFile anywhere) keep aiogram's multipart
path.

In fetched updates, the message a pressed button belongs to arrives without its keyboard
(`callback.message.reply_markup` is None): no handler reads it, and it was half the cost of
validating a callback update.

A message the bot sent or edited comes back with the inline keyboard it was sent with; that
echo is not validated again: the answer carries the keyboard object of the request (validating
a 10-button echo was two thirds of the answer's cost, ~120 of 180 µs).

An answer that is not a Bot API answer — a proxy's HTML 502 page, an empty body, JSON of
another shape — raises `UnreadableAnswer`, a TelegramNetworkError (aiogram raises
ClientDecodeError, which no `except TelegramAPIError` catches): every caller treats it like the
network failing, i.e. Telegram did not answer. Its message names the status and the first bytes
of the body, never the token.

Within `results_unread()` (every handler runs in it: bot.middlewares.results) an answer that is
an object — the Message a send or an edit returns — is not validated at all and the call
returns None; scalar answers (True of answerCallbackQuery) still are. Errors are raised as ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from enum import Enum
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiogram.types import InlineKeyboardMarkup, User
from pydantic import ValidationError

from bot.http1 import HttpClient, HttpError

log = logging.getLogger("bot")
_PINNED: dict[Any, type] = {}
_RESULTS_UNREAD: ContextVar[bool] = ContextVar("bot_api_results_unread", default=False)
JSON_CONTENT_TYPE = "application/json"
# The types aiogram's prepare_value returns as they are (exact types: an Enum is also a str).
_AS_IS = frozenset({str, int, float, bool})
SNIPPET_CHARS = 120  # of an unreadable body, in the error's message


class UnreadableAnswer(TelegramNetworkError):
    """The Bot API (or something in front of it) answered with something that is not a Bot
    API answer: the call's outcome is unknown, as if the connection had dropped."""

    label = "Unreadable answer"

    def __init__(self, method: TelegramMethod[Any], status_code: int, content: str,
                 token: str = "") -> None:
        head = content[:SNIPPET_CHARS * 2 + len(token) * 2]
        if token:  # a proxy's page may quote the URL, and the token is in the URL's path
            head = head.replace(token, "<token>").replace(token.partition(":")[2], "<token>")
        snippet = " ".join(head.split())[:SNIPPET_CHARS]
        super().__init__(method=method, message=f"HTTP {status_code}: {snippet!r}")
        self.status_code = status_code


class PinnedResponseSession(AiohttpSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = HttpClient(limit=self._connector_init.get("limit", 100),
                                ssl_context=self._connector_init.get("ssl"))

    async def close(self) -> None:
        await self._http.close()
        await super().close()

    def build_json_body(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
        """The method's parameters as one JSON object, or None when it uploads a file.

        The values of aiogram's form (`AiohttpSession.build_form_data`), except that nested
        ones stay objects instead of JSON strings: each field is prepared as aiogram prepares
        the items of a nested value (`prepare_value(..., _dumps_json=False)`), and is left out
        when the form leaves it out (None or an empty string). Nones are left out by the dump
        already (aiogram drops them too): an inline button has a dozen unset fields."""
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        prepare = self._prepare_json
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            prepared = prepare(value, bot, files)
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        return None if files else body

    def _prepare_json(self, value: Any, bot: Bot, files: dict[str, Any]) -> Any:
        """`self.prepare_value(value, bot=bot, files=files, _dumps_json=False)`, with what it
        returns unchanged (None, str, int, float, bool) and its recursion into plain dicts and
        lists done inline: a dumped method is mostly those (an inline button has a dozen None
        fields), and a prepare_value call per value was most of the body's cost. Anything else
        (Default, InputFile, Enum, datetime, TelegramObject, subclasses) goes to aiogram."""
        cls = type(value)
        if cls in _AS_IS or value is None:
            return value
        if cls is dict:
            return {key: prepared for key, item in value.items()
                    if (prepared := self._prepare_item(item, bot, files)) is not None}
        if cls is list:
            return [prepared for item in value
                    if (prepared := self._prepare_item(item, bot, files)) is not None]
        return self.prepare_value(value, bot=bot, files=files, _dumps_json=False)

    def _prepare_item(self, item: Any, bot: Bot, files: dict[str, Any]) -> Any:
        return item if type(item) in _AS_IS else self._prepare_json(item, bot, files)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        body = self.build_json_body(bot, method)
        if body is None or self.proxy is not None:  # an upload or a proxy: aiogram's aiohttp
            return await super().make_request(bot, method, timeout)
        data = self.json_dumps(body).encode()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with asyncio.timeout(self.timeout if timeout is None else timeout):
                answer = await self._http.post(url, data, JSON_CONTENT_TYPE)
            raw_result = answer.body.decode()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except (OSError, HttpError, UnicodeDecodeError) as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=answer.status, content=raw_result)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        response_type = _PINNED.get(returning)
        if response_type is None:
            response_type = _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        if status_code == HTTPStatus.OK:
            with contextlib.suppress(ValueError, ValidationError):  # aiogram's path raises them
                data = self.json_loads(content)
                if isinstance(data, dict) and data.get("ok") is True:
                    result = data.get("result")
                    if isinstance(result, dict) and _RESULTS_UNREAD.get():
                        return response_type.model_construct(ok=True, result=None)
                    if type(method) is GetUpdates and isinstance(result, list):
                        _drop_pressed_keyboards(result)
                    else:
                        _reuse_sent_keyboard(result, method)
                    return response_type.model_validate(data, context={"bot": bot})
        content = self._readable(bot, method, status_code, content)
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError as exc:  # JSON, but not of the method's answer's shape
            raise UnreadableAnswer(method, status_code, content, bot.token) from exc

    def _readable(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> str:
        """The content when it is a Bot API answer aiogram can classify; an `ok: false` answer
        without a description gets one (aiogram's 5xx path tests `"restart" in description`)."""
        try:
            data = self.json_loads(content)
        except Exception as exc:  # a custom json_loads may raise anything
            raise UnreadableAnswer(method, status_code, content, bot.token) from exc
        if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
            raise UnreadableAnswer(method, status_code, content, bot.token)
        if data["ok"] is False and not isinstance(data.get("description"), str):
            data["description"] = f"HTTP {status_code} without a description"
            return str(self.json_dumps(data))
        return content


@contextlib.contextmanager
def results_unread(unread: bool = True) -> Iterator[None]:
    """Bot API calls in this context (and in tasks started from it) skip validating object
    answers and return None; `results_unread(False)` restores them for a call that reads its
    answer."""
    token = _RESULTS_UNREAD.set(unread)
    try:
        yield
    finally:
        _RESULTS_UNREAD.reset(token)


def _reuse_sent_keyboard(result: Any, method: TelegramMethod[Any]) -> None:
    """Put the request's keyboard object in place of Telegram's echo of it."""
    sent = getattr(method, "reply_markup", None)
    if type(sent) is InlineKeyboardMarkup and isinstance(result, dict) \
            and "reply_markup" in result:
        result["reply_markup"] = sent


def _drop_pressed_keyboards(updates: list[Any]) -> None:
    """Leave out the keyboard of the message each pressed button belongs to: no handler reads
    it (the button's callback data says what was pressed), and validating it was half the cost
    of a callback update (a 10-button keyboard: ~0.6 of 1.3 M instructions)."""
    for update in updates:
        query = update.get("callback_query") if isinstance(update, dict) else None
        message = query.get("message") if isinstance(query, dict) else None
        if isinstance(message, dict):
            message.pop("reply_markup", None)


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
            log.warning("Telegram Bot API unreachable (%s); retrying in %.1f s",
                        describe(exc), wait)
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
    call: Callable[[], Awaitable[object]], what: str, *, attempts: int | None = 5,
    first_delay: float = 1.0, max_delay: float = 60.0,
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
                log.warning("%s: Telegram did not answer (%s); giving up for now", what,
                            describe(exc))
                return Outcome.UNANSWERED
            wait = retry_delay(exc, delay, max_delay)
            log.warning("%s: Telegram did not answer (%s); retrying in %.1f s", what,
                        describe(exc), wait)
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
