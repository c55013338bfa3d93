"""bot.telegram.bot_api_retry's bounds, with a fake clock and sleep: what is retried, how long, and
what never is (a request that may have been carried out)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    RestartingTelegram,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, SendMessage, TelegramMethod

from bot.telegram.bot_api_retry import RetryMiddleware, never_sent, no_retry
from bot.telegram.broadcast_sender import copier
from bot.telegram.telegram_session import UnreadableAnswer, make_session
from storage.models import Broadcast
from tests.fakes.bot_api import FakeTelegram

SEND = SendMessage(chat_id=1, text="hi")
BOT = Bot("1:TOKEN-abcdefghijklmnop")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def failing(*errors: Exception) -> tuple[Callable[..., Any], list[TelegramMethod[Any]]]:
    """A make_request that raises `errors` in turn, then answers "done"."""
    calls: list[TelegramMethod[Any]] = []
    queue = list(errors)

    async def make_request(bot: Bot, method: TelegramMethod[Any]) -> str:
        calls.append(method)
        if queue:
            raise queue.pop(0)
        return "done"

    return make_request, calls


def flood(seconds: int, method: TelegramMethod[Any] = SEND) -> TelegramRetryAfter:
    return TelegramRetryAfter(method, f"Too Many Requests: retry after {seconds}", seconds)


def connect_failure() -> TelegramNetworkError:
    """What aiogram raises when the connection never opened (its cause: aiohttp's)."""
    error = TelegramNetworkError(SEND, "ClientConnectorError: refused")
    error.__cause__ = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 1, False, True, None, None, None),
        ConnectionRefusedError(111, "refused"),
    )
    return error


def middleware(clock: Clock) -> RetryMiddleware:
    return RetryMiddleware(sleep=clock.sleep, clock=clock)


async def test_429s_are_waited_out_within_the_budget() -> None:
    clock = Clock()
    make_request, calls = failing(flood(1), flood(5), flood(20))
    assert await middleware(clock)(make_request, BOT, SEND) == "done"
    assert clock.slept == [1, 5, 20] and len(calls) == 4

    clock = Clock()
    make_request, calls = failing(flood(20), flood(20))  # 40 s in all: past the 30 s budget
    with pytest.raises(TelegramRetryAfter):
        await middleware(clock)(make_request, BOT, SEND)
    assert clock.slept == [20] and len(calls) == 2


async def test_a_callback_answer_is_retried_only_while_it_can_still_be_answered() -> None:
    answer = AnswerCallbackQuery(callback_query_id="q")
    clock = Clock()
    make_request, _ = failing(flood(3, answer))
    assert await middleware(clock)(make_request, BOT, answer) == "done"
    clock = Clock()
    make_request, calls = failing(flood(12, answer))  # past the ~10 s a query stays valid
    with pytest.raises(TelegramRetryAfter):
        await middleware(clock)(make_request, BOT, answer)
    assert clock.slept == [] and len(calls) == 1


async def test_5xx_and_connections_that_never_opened_are_retried_a_few_times() -> None:
    clock = Clock()
    make_request, calls = failing(
        TelegramServerError(SEND, "Internal Server Error"),
        RestartingTelegram(SEND, "restart"),
        connect_failure(),
    )
    assert await middleware(clock)(make_request, BOT, SEND) == "done"
    assert clock.slept == [0.5, 1.0, 2.0] and len(calls) == 4

    clock = Clock()
    make_request, calls = failing(*[TelegramServerError(SEND, "Bad Gateway")] * 4)
    with pytest.raises(TelegramServerError):
        await middleware(clock)(make_request, BOT, SEND)
    assert len(calls) == 4  # one try and FAILURE_RETRIES more


@pytest.mark.parametrize(
    "error",
    [
        TelegramNetworkError(SEND, "Request timeout error"),  # it may have been sent
        UnreadableAnswer(SEND, "<html>502 Bad Gateway</html>"),  # a proxy's page: unknown
        TelegramBadRequest(SEND, "Bad Request: chat not found"),  # a verdict
    ],
    ids=["read-timeout", "unreadable", "400"],
)
async def test_what_may_have_been_carried_out_is_never_retried(error: Exception) -> None:
    if isinstance(error, TelegramNetworkError) and not isinstance(error, UnreadableAnswer):
        error.__cause__ = TimeoutError()
    clock = Clock()
    make_request, calls = failing(error)
    with pytest.raises(type(error)):
        await middleware(clock)(make_request, BOT, SEND)
    assert len(calls) == 1 and clock.slept == []
    assert not never_sent(error)
    assert never_sent(connect_failure())


async def test_no_retry_and_get_updates_go_straight_through() -> None:
    clock = Clock()
    make_request, calls = failing(flood(1))
    with no_retry(), pytest.raises(TelegramRetryAfter):
        await middleware(clock)(make_request, BOT, SEND)
    make_request, calls = failing(TelegramServerError(GetUpdates(), "Bad Gateway"))
    with pytest.raises(TelegramServerError):  # aiogram's polling loop has its own backoff
        await middleware(clock)(make_request, BOT, GetUpdates())
    assert clock.slept == [] and len(calls) == 1
    make_request, calls = failing(flood(1))
    assert await middleware(clock)(make_request, BOT, SEND) == "done"  # outside no_retry()


async def test_a_broadcast_copy_meets_the_429_at_once_over_the_shop_session() -> None:
    """The broadcast paces the whole job on a 429 (bot.shop.broadcast): its copies must not be
    waited out one by one by the session."""
    async with FakeTelegram(token=BOT.token) as tg:
        tg.user(7)
        session = make_session(tg.url)
        bot = Bot(BOT.token, session=session)
        job = Broadcast(
            admin_telegram_id=1, from_chat_id=7, message_id=1, reply_markup=None, paid=False
        )
        tg.fail_next("copyMessage", error_code=429, retry_after=1)
        started = time.monotonic()
        try:
            outcome = await copier(bot, job)(7)
        finally:
            await session.close()
    assert outcome.state is None and outcome.retry_after == 1  # "the job waits 1 s"
    assert time.monotonic() - started < 0.9
    assert len(tg.calls("copyMessage")) == 1
