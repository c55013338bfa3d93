"""Startup against an unreachable or refusing Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    GetMe,
    SendMessage,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)
from aiohttp import ClientConnectorError

from bot.telegram.bot_api_retry import no_retry
from bot.telegram.telegram_session import (
    Outcome,
    PinnedResponses,
    UnreadableAnswer,
    call_patiently,
    json_loads,
    make_session,
    wait_for_telegram,
)
from tests.fakes.bot_api import FakeTelegram
from tests.fakes.telegram.models import WireRequest
from tests.fakes.telegram.server import HTML_502

ROOT = Path(__file__).resolve().parent.parent
ME = User(id=1, is_bot=True, first_name="Shop")


async def test_waits_for_telegram_with_growing_delays() -> None:
    failures = [TelegramNetworkError(GetMe(), "connection refused")] * 3
    delays: list[float] = []

    async def get_me() -> User:
        if failures:
            raise failures.pop()
        return ME

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    assert await wait_for_telegram(get_me, sleep) == ME
    assert delays == [1.0, 2.0, 4.0]


async def test_a_rejected_token_is_final() -> None:
    async def get_me() -> User:
        raise TelegramUnauthorizedError(GetMe(), "Unauthorized")

    with pytest.raises(TelegramUnauthorizedError):
        await wait_for_telegram(get_me)


async def test_bot_exits_2_when_telegram_rejects_the_token(tmp_path: Path) -> None:
    async with FakeTelegram(token="1:right-token-abcdefghijklmnopqrst") as tg:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": "2:wrong-token-abcdefghijklmno",
            "TELEGRAM_API_URL": tg.url,
            "PANEL_URL": "sandbox",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}",
        }
        env.pop("PANELS", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 2, stderr[-2000:]
    assert "BOT_TOKEN was rejected by Telegram" in stderr
    assert "wrong-token" not in stderr + out.decode()
    assert "Traceback" not in stderr


# ---------------------------------------------------------------------- the session
ALICE = 1001
TOKEN = "123456:TEST-TOKEN"
DEFAULTS = DefaultBotProperties(
    parse_mode=ParseMode.HTML, link_preview_is_disabled=True, protect_content=True
)


def dumped(model: Any) -> Any:
    return model.model_dump(exclude_none=True) if model is not None else None


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="🛒 New order", callback_data="order:new"),
                InlineKeyboardButton(text="Site", url="https://example.com/shop"),
            ],
            [InlineKeyboardButton(text="طلب", callback_data="order:ar")],
        ]
    )


@pytest.fixture
def wire(tg: FakeTelegram) -> list[WireRequest]:
    """Every request the fake Bot API received, as it came over HTTP."""
    return tg.wire


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, default_timeout=3.0) as fake:
        fake.user(ALICE, first_name="Alice")
        yield fake


@asynccontextmanager
async def bot_of(session: AiohttpSession) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=session, default=DEFAULTS)
    try:
        yield bot
    finally:
        await session.close()


def ours(tg: FakeTelegram, **kwargs: Any) -> AbstractAsyncContextManager[Bot]:
    """A bot on the shop's session (bot.telegram.telegram_session.make_session)."""
    return bot_of(make_session(tg.url, **kwargs))


def test_the_session_is_aiogram_s_own_with_orjson() -> None:
    session = make_session()
    assert type(session) is AiohttpSession
    assert session.json_dumps({"a": [1, "ب"]}) == '{"a":[1,"ب"]}'  # a str, as aiogram needs
    assert session.json_loads('{"ok": true, "result": 1}') == {"ok": True, "result": 1}
    assert session.api.base.startswith("https://api.telegram.org/")


async def test_sends_nested_objects_and_the_bot_defaults(tg: FakeTelegram) -> None:
    async with ours(tg) as bot:
        message = await bot.send_message(ALICE, "<b>Welcome</b>, Alice", reply_markup=keyboard())

    (call,) = tg.calls("sendMessage")
    assert call.params == {
        "chat_id": ALICE,
        "text": "<b>Welcome</b>, Alice",
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "disable_web_page_preview": True,
        "protect_content": True,
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "🛒 New order", "callback_data": "order:new"},
                    {"text": "Site", "url": "https://example.com/shop"},
                ],
                [{"text": "طلب", "callback_data": "order:ar"}],
            ]
        },
    }
    # The answer is aiogram's Message, bound to the bot, with the default parse mode applied.
    assert isinstance(message, Message)
    assert message.bot is bot
    assert message.chat.id == ALICE
    assert message.text == "Welcome, Alice"
    assert message.entities is not None and [e.type for e in message.entities] == ["bold"]
    assert dumped(message.reply_markup) == dumped(keyboard())
    (chat_message,) = tg.sent_messages
    assert chat_message.parse_mode == "HTML"
    assert chat_message.reply_markup == call.params["reply_markup"]


async def test_edits_and_callback_answers_return_what_aiogram_returns(
    tg: FakeTelegram,
) -> None:
    async with ours(tg) as bot:
        sent = await bot.send_message(ALICE, "Choose")
        edited = await bot.edit_message_text(
            "<i>Chosen</i>", chat_id=ALICE, message_id=sent.message_id, reply_markup=keyboard()
        )
        query_id = await tg.users[ALICE].click("🛒 New order")
        answered = await bot.answer_callback_query(query_id, text="Done", show_alert=False)

    assert isinstance(edited, Message) and edited.text == "Chosen"
    assert edited.edit_date is not None and dumped(edited.reply_markup) == dumped(keyboard())
    assert answered is True
    edit = tg.calls("editMessageText")[0].params
    assert edit["reply_markup"] == dumped(keyboard()) and edit["parse_mode"] == "HTML"
    (answer,) = tg.callback_answers
    assert (answer.text, answer.show_alert) == ("Done", False)


async def test_an_upload_goes_as_multipart_form(tg: FakeTelegram, wire: list[WireRequest]) -> None:
    async with ours(tg) as bot:
        message = await bot.send_document(
            ALICE,
            BufferedInputFile(b"order report", "report.txt"),
            caption="<i>Report</i>",
            reply_markup=keyboard(),
        )

    assert isinstance(message, Message) and message.document is not None
    assert message.document.file_name == "report.txt"
    assert message.caption == "Report"
    assert message.caption_entities is not None
    assert [e.type for e in message.caption_entities] == ["italic"]
    assert dumped(message.reply_markup) == dumped(keyboard())
    (request,) = wire
    assert request.content_type.startswith("multipart/form-data")
    assert b"order report" in request.body
    (call,) = tg.calls("sendDocument")
    assert list(call.files.values()) == [b"order report"]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == dumped(keyboard())


ERRORS = [
    pytest.param(lambda tg: None, 999, TelegramBadRequest, "Bad Request: chat not found", id="400"),
    pytest.param(
        lambda tg: setattr(tg.users[ALICE], "blocked", True),
        ALICE,
        TelegramForbiddenError,
        "Forbidden: bot was blocked by the user",
        id="403",
    ),
    pytest.param(
        lambda tg: tg.fail_next("sendMessage", retry_after=7),
        ALICE,
        TelegramRetryAfter,
        "Too Many Requests: retry after 7",
        id="429",
    ),
    pytest.param(
        lambda tg: tg.fail_next("sendMessage", error_code=500, description="Internal Server Error"),
        ALICE,
        TelegramServerError,
        "Internal Server Error",
        id="500",
    ),
]


@pytest.mark.parametrize(("setup", "chat_id", "error", "description"), ERRORS)
async def test_api_errors_raise_what_aiogram_raises(
    tg: FakeTelegram,
    setup: Callable[[FakeTelegram], object],
    chat_id: int,
    error: type[TelegramAPIError],
    description: str,
) -> None:
    """The shop's session without its retry (a caller that paces itself) raises exactly
    what a plain AiohttpSession raises."""
    raised = []
    for session in (AiohttpSession(api=tg.api_server), make_session(tg.url)):
        setup(tg)
        async with bot_of(session) as bot:
            with pytest.raises(error) as info, no_retry():
                await bot.send_message(chat_id, "hello", reply_markup=keyboard())
        raised.append(info.value)
    aiogram_error, ours_ = raised
    assert type(ours_) is type(aiogram_error) is error
    assert ours_.message == aiogram_error.message
    assert description in ours_.message
    assert isinstance(ours_.method, SendMessage)
    assert getattr(ours_, "retry_after", None) == getattr(aiogram_error, "retry_after", None)
    if error is TelegramRetryAfter:
        assert ours_.retry_after == 7  # type: ignore[attr-defined]
    assert tg.sent_messages == []


async def test_a_rejected_token_is_unauthorized(tg: FakeTelegram) -> None:
    session = make_session(tg.url)
    bot = Bot("42:wrong-token", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await session.close()


async def test_a_timeout_is_a_network_error_and_is_not_retried(tg: FakeTelegram) -> None:
    tg.method_latency["sendMessage"] = 2.0
    async with ours(tg) as bot:
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError, match="Request timeout error") as info:
            await bot.send_message(ALICE, "slow", request_timeout=1)
        assert time.monotonic() - started < 1.8
    assert isinstance(info.value.method, SendMessage)
    assert isinstance(info.value.__cause__, TimeoutError)
    assert len(tg.calls("sendMessage")) == 1  # it may have been sent: never a second time


async def test_an_unreachable_api_is_a_network_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with bot_of(make_session(f"http://127.0.0.1:{port}")) as bot:
        with pytest.raises(TelegramNetworkError, match="ClientConnectorError") as info, no_retry():
            await bot.send_message(ALICE, "hello")
    assert isinstance(info.value.__cause__, ClientConnectorError)
    assert isinstance(info.value.__cause__.os_error, ConnectionRefusedError)
    assert TOKEN not in str(info.value)


UNREADABLE = [
    (200, "<html>Bad Gateway</html>"),
    (502, HTML_502),
    (429, ""),
    (401, "<html>401 Authorization Required</html>"),  # a proxy's, not Telegram's verdict
    (500, "[1, 2]"),
    (200, '{"result": true}'),
]


@pytest.mark.parametrize(("status", "content"), UNREADABLE)
async def test_an_unreadable_answer_is_a_network_error(
    tg: FakeTelegram, status: int, content: str
) -> None:
    """Whatever is not a Bot API answer means "Telegram did not answer": an error every
    `except TelegramAPIError` catches (aiogram's ClientDecodeError is not one)."""
    tg.answer_raw_next("getMe", status=status, body=content)
    async with ours(tg) as bot:
        with pytest.raises(UnreadableAnswer, match="not a Bot API answer") as info:
            await bot.get_me()
    assert isinstance(info.value, TelegramNetworkError)
    assert isinstance(info.value.__cause__, ClientDecodeError)
    assert TOKEN not in str(info.value)
    snippet = " ".join(content.split())[:20]
    assert snippet in str(info.value)
    assert len(tg.calls("getMe")) == 1  # not retried: it may have been carried out


async def test_a_proxy_page_quoting_the_url_does_not_carry_the_token(tg: FakeTelegram) -> None:
    page = (
        f"<html><body><h1>Not Found</h1><p>The requested URL /bot{TOKEN}/getMe was not "
        f"found (secret {TOKEN.partition(':')[2]}).</p></body></html>"
    )
    tg.answer_raw_next("getMe", status=404, body=page)
    async with ours(tg) as bot:
        with pytest.raises(UnreadableAnswer) as info:
            await bot.get_me()
    assert "Not Found" in str(info.value) and "/bot<token>/getMe" in str(info.value)
    assert TOKEN.partition(":")[2] not in str(info.value)


async def test_an_error_without_a_description_is_still_classified(tg: FakeTelegram) -> None:
    tg.answer_raw_next("getMe", status=502, body='{"ok": false}', content_type="application/json")
    tg.answer_raw_next(
        "setMyCommands",
        status=401,
        body='{"ok": false, "error_code": 401, "description": "Unauthorized"}',
        content_type="application/json",
    )
    async with ours(tg) as bot:
        with pytest.raises(TelegramServerError, match="without a description"), no_retry():
            await bot.get_me()
        with pytest.raises(TelegramUnauthorizedError):
            await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert (
        json_loads(b'{"ok": false, "error_code": 502}')["description"]
        == "HTTP 502 without a description"
    )
    assert json_loads('{"ok": true, "result": 1}') == {"ok": True, "result": 1}


async def test_an_html_502_reaches_callers_as_a_telegram_api_error(tg: FakeTelegram) -> None:
    tg.answer_raw_next("sendMessage")
    tg.answer_raw_next("sendDocument")
    async with ours(tg) as bot:
        with pytest.raises(TelegramAPIError, match="502 Bad Gateway"):
            await bot.send_message(ALICE, "hello")
        with pytest.raises(TelegramAPIError, match="502 Bad Gateway"):
            await bot.send_document(ALICE, BufferedInputFile(b"x", "x.txt"))
        assert (await bot.send_message(ALICE, "again")).text == "again"


async def test_custom_json_functions_are_honoured(tg: FakeTelegram) -> None:
    dumped_values: list[Any] = []
    loaded: list[str] = []

    def dumps(value: Any) -> str:
        dumped_values.append(value)
        return json.dumps(value)

    def loads(text: str) -> Any:
        loaded.append(text)
        return json.loads(text)

    async with ours(tg, json_dumps=dumps, json_loads=loads) as bot:
        message = await bot.send_message(ALICE, "hi", reply_markup=keyboard())
    assert message.text == "hi"
    assert dumped(keyboard()) in dumped_values
    assert len(loaded) == 1 and json.loads(loaded[0])["ok"] is True


async def test_sent_and_edited_messages_come_back_whole(tg: FakeTelegram) -> None:
    markup = keyboard()
    async with ours(tg) as bot:
        sent = await bot.send_message(ALICE, "Choose", reply_markup=markup)
        edited = await bot.edit_message_text(
            "Chosen", chat_id=ALICE, message_id=sent.message_id, reply_markup=markup
        )
        plain = await bot.send_message(ALICE, "No keyboard")

    # aiogram's contract: the Message Telegram returned, keyboard included.
    assert dumped(sent.reply_markup) == dumped(markup) == dumped(edited.reply_markup)
    assert tg.sent_messages[0].reply_markup == dumped(markup)
    assert sent.chat.id == ALICE and sent.text == "Choose" and sent.bot is bot
    assert edited.text == "Chosen" and edited.edit_date is not None
    assert plain.reply_markup is None


async def test_fetched_callbacks_keep_the_pressed_message_s_keyboard(tg: FakeTelegram) -> None:
    async with ours(tg) as bot:
        sent = await bot.send_message(ALICE, "<b>Choose</b>", reply_markup=keyboard())
        query_id = await tg.users[ALICE].click("🛒 New order")
        await tg.users[ALICE].send("hello")
        updates = await bot.get_updates(timeout=0)

    pressed, typed = updates
    assert pressed.callback_query is not None and pressed.callback_query.id == query_id
    assert pressed.callback_query.data == "order:new" and pressed.callback_query.bot is bot
    message = pressed.callback_query.message
    assert isinstance(message, Message)
    assert dumped(message.reply_markup) == dumped(keyboard())  # as Telegram sent it
    assert (message.message_id, message.chat.id, message.text) == (sent.message_id, ALICE, "Choose")
    assert message.entities is not None and message.bot is bot
    assert typed.message is not None and typed.message.text == "hello"


async def test_response_models_are_pinned_per_return_type(tg: FakeTelegram) -> None:
    pins = PinnedResponses()
    session = make_session(tg.url)
    session.middleware(pins)
    async with bot_of(session) as bot:
        await bot.send_message(ALICE, "one")
        await bot.send_message(ALICE, "two")
        await bot.get_me()
    assert set(pins.pinned) == {Message, User}
    assert pins.pinned[Message] is Response[Message]  # the class aiogram validates with


async def test_startup_calls_retry_only_what_may_pass_and_never_raise() -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    failures: list[Exception] = [
        UnreadableAnswer(GetMe(), HTML_502),
        TelegramRetryAfter(GetMe(), "Too Many Requests", retry_after=7),
        TelegramServerError(GetMe(), "Internal Server Error"),
        TelegramNetworkError(GetMe(), "Request timeout error"),
    ]

    async def flaky() -> None:
        if failures:
            raise failures.pop(0)

    assert await call_patiently(flaky, "x", attempts=None, sleep=sleep) is Outcome.DONE
    assert delays == [1.0, 7.0, 4.0, 8.0]  # Telegram's retry_after where it gave one

    async def refused() -> None:
        raise TelegramBadRequest(GetMe(), "Bad Request: chat not found")

    async def unauthorized() -> None:
        raise TelegramUnauthorizedError(GetMe(), "Unauthorized")

    async def down() -> None:
        raise UnreadableAnswer(GetMe(), HTML_502)

    delays.clear()
    assert await call_patiently(refused, "x", sleep=sleep) is Outcome.REFUSED
    assert await call_patiently(unauthorized, "x", sleep=sleep) is Outcome.REFUSED
    assert delays == []  # a verdict is not asked again
    assert await call_patiently(down, "x", attempts=3, sleep=sleep) is Outcome.UNANSWERED
    assert delays == [1.0, 2.0]


async def test_get_me_is_retried_through_anything_but_a_rejected_token() -> None:
    failures: list[Exception] = [
        UnreadableAnswer(GetMe(), HTML_502),
        TelegramBadRequest(GetMe(), "Not Found"),  # a wrong TELEGRAM_API_URL path, say
        ClientDecodeError("Failed to decode object", ValueError("x"), "<html>"),
        OSError("connection reset"),
    ]

    async def get_me() -> User:
        if failures:
            raise failures.pop(0)
        return ME

    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    assert await wait_for_telegram(get_me, sleep, max_delay=4.0) == ME
    assert delays == [1.0, 2.0, 4.0, 4.0]
