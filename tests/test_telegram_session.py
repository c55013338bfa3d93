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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatAction, MessageEntityType, ParseMode
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
    AnswerCallbackQuery,
    BanChatMember,
    EditMessageText,
    GetMe,
    GetUpdates,
    SendChatAction,
    SendDocument,
    SendInvoice,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    LabeledPrice,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    User,
)

from bot.telegram_session import (
    Outcome,
    PinnedResponseSession,
    UnreadableAnswer,
    call_patiently,
    results_unread,
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
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": "2:wrong-token-abcdefghijklmno",
               "TELEGRAM_API_URL": tg.url, "PANEL_URL": "sandbox",
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"}
        env.pop("PANELS", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 2, stderr[-2000:]
    assert "BOT_TOKEN was rejected by Telegram" in stderr
    assert "wrong-token" not in stderr + out.decode()
    assert "Traceback" not in stderr


# ---------------------------------------------------------------------- the JSON request path
ALICE = 1001
TOKEN = "123456:TEST-TOKEN"
DEFAULTS = DefaultBotProperties(
    parse_mode=ParseMode.HTML, link_preview_is_disabled=True, protect_content=True)


def dumped(model: Any) -> Any:
    return model.model_dump(exclude_none=True) if model is not None else None


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="🛒 New order", callback_data="order:new"),
         InlineKeyboardButton(text="Site", url="https://example.com/shop")],
        [InlineKeyboardButton(text="طلب", callback_data="order:ar")],
    ])


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


def pinned(tg: FakeTelegram, **kwargs: Any) -> AbstractAsyncContextManager[Bot]:
    return bot_of(PinnedResponseSession(api=tg.api_server, **kwargs))


async def test_sends_a_json_body_with_nested_objects_and_the_bot_defaults(
    tg: FakeTelegram, wire: list[WireRequest]
) -> None:
    async with pinned(tg) as bot:
        message = await bot.send_message(ALICE, "<b>Welcome</b>, Alice", reply_markup=keyboard())

    assert [request.path for request in wire] == [f"/bot{TOKEN}/sendMessage"]
    assert wire[0].json() == {
        "chat_id": ALICE,
        "text": "<b>Welcome</b>, Alice",
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "disable_web_page_preview": True,
        "protect_content": True,
        "reply_markup": {"inline_keyboard": [
            [{"text": "🛒 New order", "callback_data": "order:new"},
             {"text": "Site", "url": "https://example.com/shop"}],
            [{"text": "طلب", "callback_data": "order:ar"}],
        ]},
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
    assert chat_message.reply_markup == wire[0].json()["reply_markup"]


async def test_edits_and_callback_answers_go_as_json_too(
    tg: FakeTelegram, wire: list[WireRequest]
) -> None:
    async with pinned(tg) as bot:
        sent = await bot.send_message(ALICE, "Choose")
        edited = await bot.edit_message_text(
            "<i>Chosen</i>", chat_id=ALICE, message_id=sent.message_id, reply_markup=keyboard())
        query_id = await tg.users[ALICE].click("🛒 New order")
        answered = await bot.answer_callback_query(query_id, text="Done", show_alert=False)

    assert isinstance(edited, Message) and edited.text == "Chosen"
    assert edited.edit_date is not None and dumped(edited.reply_markup) == dumped(keyboard())
    assert answered is True
    assert [request.content_type for request in wire] == ["application/json"] * 3
    assert wire[1].json()["reply_markup"] == dumped(keyboard())
    assert wire[1].json()["parse_mode"] == "HTML"
    # False and 0 are values, not absent parameters (aiogram's form sends them too).
    assert wire[2].json() == {"callback_query_id": query_id, "text": "Done",
                              "show_alert": False}
    (answer,) = tg.callback_answers
    assert (answer.text, answer.show_alert) == ("Done", False)


async def test_an_upload_still_goes_as_multipart_form(
    tg: FakeTelegram, wire: list[WireRequest]
) -> None:
    async with pinned(tg) as bot:
        message = await bot.send_document(
            ALICE, BufferedInputFile(b"order report", "report.txt"),
            caption="<i>Report</i>", reply_markup=keyboard())

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


def _as_form(session: AiohttpSession, bot: Bot, method: TelegramMethod[Any]) -> dict[str, str]:
    """The fields of aiogram's own form (AiohttpSession.build_form_data, files aside)."""
    files: dict[str, Any] = {}
    prepared = {key: session.prepare_value(value, bot=bot, files=files)
                for key, value in method.model_dump(warnings=False).items()}
    return {key: value for key, value in prepared.items() if value}


UNTIL = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
METHODS: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=ALICE, text="<b>hi</b>", reply_markup=keyboard()),
    SendMessage(
        chat_id="@shop_channel", text="plain", parse_mode=None, protect_content=False,
        disable_notification=True, message_thread_id=0,
        entities=[MessageEntity(type=MessageEntityType.BOLD, offset=0, length=5)],
        link_preview_options=LinkPreviewOptions(url="https://example.com", is_disabled=False),
        reply_parameters=ReplyParameters(message_id=7, allow_sending_without_reply=True),
        reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Menu")]],
                                         resize_keyboard=True)),
    SendMessage(chat_id=ALICE, text="", reply_markup=ReplyKeyboardRemove()),
    EditMessageText(text="edited", chat_id=ALICE, message_id=3, reply_markup=keyboard()),
    AnswerCallbackQuery(callback_query_id="q", text="ok", show_alert=False, cache_time=0),
    BanChatMember(chat_id=-100123, user_id=ALICE, until_date=UNTIL, revoke_messages=True),
    SetMyCommands(commands=[BotCommand(command="start", description="Start")],
                  scope=BotCommandScopeChat(chat_id=ALICE), language_code="ar"),
    SendMediaGroup(chat_id=ALICE, media=[
        InputMediaPhoto(media="https://example.com/a.png", caption="<b>A</b>"),
        InputMediaPhoto(media="https://example.com/b.png", caption="B", parse_mode=None),
    ]),
    SendChatAction(chat_id=ALICE, action=ChatAction.TYPING),
    SendInvoice(chat_id=ALICE, title="Likes", description="100 likes", payload="order-1",
                currency="XTR", prices=[LabeledPrice(label="Likes", amount=50)]),
    GetUpdates(offset=5, timeout=30, allowed_updates=["message", "callback_query"]),
]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.__api_method__)
def test_the_json_body_carries_the_same_values_as_aiogram_s_form(
    method: TelegramMethod[Any],
) -> None:
    session = PinnedResponseSession()
    bot = Bot(TOKEN, session=session, default=DEFAULTS)
    form = _as_form(AiohttpSession(), bot, method)
    body = session.build_json_body(bot, method)

    assert body is not None
    assert json.loads(json.dumps(body)) == body  # only JSON values, no models left
    assert body.keys() == form.keys()
    for key, value in body.items():
        # The Bot API reads a string as it is and any other JSON value as its JSON text.
        if isinstance(value, str):
            assert form[key] == value, key
        else:
            assert json.loads(form[key]) == value, key


@pytest.mark.parametrize(("method", "as_json"), [
    (SendDocument(chat_id=ALICE, document=BufferedInputFile(b"x", "x.txt")), False),
    (SendMediaGroup(chat_id=ALICE, media=[
        InputMediaPhoto(media=BufferedInputFile(b"x", "x.png"))]), False),
    (SendPhoto(chat_id=ALICE, photo="https://example.com/a.png", reply_markup=keyboard()), True),
], ids=["document", "media-group-upload", "photo-by-url"])
def test_only_methods_with_an_input_file_take_the_form_path(
    method: TelegramMethod[Any], as_json: bool
) -> None:
    session = PinnedResponseSession()
    bot = Bot(TOKEN, session=session, default=DEFAULTS)
    assert (session.build_json_body(bot, method) is not None) is as_json


ERRORS = [
    pytest.param(lambda tg: None, 999, TelegramBadRequest,
                 "Bad Request: chat not found", id="400"),
    pytest.param(lambda tg: setattr(tg.users[ALICE], "blocked", True), ALICE,
                 TelegramForbiddenError, "Forbidden: bot was blocked by the user", id="403"),
    pytest.param(lambda tg: tg.fail_next("sendMessage", retry_after=7), ALICE,
                 TelegramRetryAfter, "Too Many Requests: retry after 7", id="429"),
    pytest.param(lambda tg: tg.fail_next("sendMessage", error_code=500,
                                         description="Internal Server Error"), ALICE,
                 TelegramServerError, "Internal Server Error", id="500"),
]


@pytest.mark.parametrize(("setup", "chat_id", "error", "description"), ERRORS)
async def test_api_errors_raise_what_aiogram_raises(
    tg: FakeTelegram, setup: Callable[[FakeTelegram], object], chat_id: int,
    error: type[TelegramAPIError], description: str,
) -> None:
    raised = []
    for session_type in (AiohttpSession, PinnedResponseSession):
        setup(tg)
        async with bot_of(session_type(api=tg.api_server)) as bot:
            with pytest.raises(error) as info:
                await bot.send_message(chat_id, "hello", reply_markup=keyboard())
        raised.append(info.value)
    aiogram_error, ours = raised
    assert type(ours) is type(aiogram_error) is error
    assert ours.message == aiogram_error.message
    assert description in ours.message
    assert isinstance(ours.method, SendMessage)
    assert getattr(ours, "retry_after", None) == getattr(aiogram_error, "retry_after", None)
    if error is TelegramRetryAfter:
        assert ours.retry_after == 7  # type: ignore[attr-defined]
    assert tg.sent_messages == []


async def test_a_rejected_token_is_unauthorized(tg: FakeTelegram) -> None:
    session = PinnedResponseSession(api=tg.api_server)
    bot = Bot("42:wrong-token", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await session.close()


async def test_a_timeout_is_a_network_error(tg: FakeTelegram) -> None:
    tg.method_latency["sendMessage"] = 2.0
    async with pinned(tg) as bot:
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError, match="Request timeout error") as info:
            await bot.send_message(ALICE, "slow", request_timeout=0.2)
        assert time.monotonic() - started < 1.5
    assert isinstance(info.value.method, SendMessage)
    assert isinstance(info.value.__cause__, TimeoutError)


async def test_an_unreachable_api_is_a_network_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with bot_of(PinnedResponseSession(
            api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}"))) as bot:
        with pytest.raises(TelegramNetworkError, match="ConnectionRefusedError") as info:
            await bot.send_message(ALICE, "hello")
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(("status", "content"), [
    (200, "<html>Bad Gateway</html>"),
    (502, HTML_502),
    (429, ""),
    (401, "<html>401 Authorization Required</html>"),  # a proxy's, not Telegram's verdict
    (500, "[1, 2]"),
    (200, '{"result": true}'),
])
async def test_an_unreadable_answer_is_a_network_error(
    tg: FakeTelegram, status: int, content: str
) -> None:
    """Whatever is not a Bot API answer means "Telegram did not answer": an error every
    `except TelegramAPIError` catches (aiogram's ClientDecodeError is not one)."""
    session = PinnedResponseSession(api=tg.api_server)
    bot = Bot(TOKEN, session=session)
    with pytest.raises(UnreadableAnswer, match=f"HTTP {status}") as info:
        session.check_response(bot, GetMe(), status, content)
    assert isinstance(info.value, TelegramNetworkError)
    assert TOKEN not in str(info.value)
    await session.close()


async def test_a_proxy_page_quoting_the_url_does_not_carry_the_token(tg: FakeTelegram) -> None:
    session = PinnedResponseSession(api=tg.api_server)
    bot = Bot(TOKEN, session=session)
    page = (f"<html><body><h1>Not Found</h1><p>The requested URL /bot{TOKEN}/getMe was not "
            f"found (secret {TOKEN.partition(':')[2]}).</p></body></html>")
    with pytest.raises(UnreadableAnswer) as info:
        session.check_response(bot, GetMe(), 404, page)
    assert "Not Found" in str(info.value) and "/bot<token>/getMe" in str(info.value)
    assert TOKEN.partition(":")[2] not in str(info.value)
    await session.close()


async def test_an_error_without_a_description_is_still_classified(tg: FakeTelegram) -> None:
    session = PinnedResponseSession(api=tg.api_server)
    bot = Bot(TOKEN, session=session)
    with pytest.raises(TelegramServerError, match="HTTP 502 without a description"):
        session.check_response(bot, GetMe(), 502, '{"ok": false}')
    with pytest.raises(TelegramUnauthorizedError):
        session.check_response(bot, GetMe(), 401,
                               '{"ok": false, "error_code": 401, "description": "Unauthorized"}')
    await session.close()


async def test_an_html_502_reaches_callers_as_a_telegram_api_error(tg: FakeTelegram) -> None:
    """Over real HTTP, both request paths (the JSON one and aiogram's aiohttp one for
    uploads)."""
    tg.user(ALICE)
    tg.answer_raw_next("sendMessage")
    tg.answer_raw_next("sendDocument")
    async with pinned(tg) as bot:
        with pytest.raises(TelegramAPIError, match="502 Bad Gateway"):
            await bot.send_message(ALICE, "hello")
        with pytest.raises(TelegramAPIError, match="502 Bad Gateway"):
            await bot.send_document(ALICE, BufferedInputFile(b"x", "x.txt"))
        assert (await bot.send_message(ALICE, "again")).text == "again"


async def test_custom_json_functions_are_honoured(
    tg: FakeTelegram, wire: list[WireRequest]
) -> None:
    dumped: list[Any] = []
    loaded: list[str] = []

    def dumps(value: Any) -> str:
        dumped.append(value)
        return json.dumps(value)

    def loads(text: str) -> Any:
        loaded.append(text)
        return json.loads(text)

    async with pinned(tg, json_dumps=dumps, json_loads=loads) as bot:
        message = await bot.send_message(ALICE, "hi", reply_markup=keyboard())
    assert message.text == "hi"
    assert dumped == [wire[0].json()]
    assert wire[0].body == json.dumps(dumped[0]).encode()
    assert len(loaded) == 1 and json.loads(loaded[0])["ok"] is True


async def test_a_sent_keyboard_comes_back_as_the_object_sent(tg: FakeTelegram) -> None:
    markup = keyboard()
    async with pinned(tg) as bot:
        sent = await bot.send_message(ALICE, "Choose", reply_markup=markup)
        edited = await bot.edit_message_text(
            "Chosen", chat_id=ALICE, message_id=sent.message_id, reply_markup=markup)
        plain = await bot.send_message(ALICE, "No keyboard")

    # Telegram echoes the keyboard; the answer holds the request's object instead of a copy
    # validated from the echo, and everything else is validated as usual.
    assert sent.reply_markup is markup and edited.reply_markup is markup
    assert tg.sent_messages[0].reply_markup == dumped(markup)
    assert sent.chat.id == ALICE and sent.text == "Choose" and sent.bot is bot
    assert edited.text == "Chosen" and edited.edit_date is not None
    assert plain.reply_markup is None


async def test_fetched_callbacks_leave_out_the_pressed_message_s_keyboard(
    tg: FakeTelegram,
) -> None:
    async with pinned(tg) as bot:
        sent = await bot.send_message(ALICE, "<b>Choose</b>", reply_markup=keyboard())
        query_id = await tg.users[ALICE].click("🛒 New order")
        await tg.users[ALICE].send("hello")
        updates = await bot.get_updates(timeout=0)

    (answer,) = [r for r in tg.requests if r.method == "getUpdates"]
    assert answer.result[0]["callback_query"]["message"]["reply_markup"]  # it was on the wire
    pressed, typed = updates
    assert pressed.callback_query is not None and pressed.callback_query.id == query_id
    assert pressed.callback_query.data == "order:new" and pressed.callback_query.bot is bot
    message = pressed.callback_query.message
    assert isinstance(message, Message) and message.reply_markup is None
    assert (message.message_id, message.chat.id, message.text) == (sent.message_id, ALICE,
                                                                  "Choose")
    assert message.entities is not None and message.bot is bot
    assert typed.message is not None and typed.message.text == "hello"


async def test_a_malformed_successful_answer_is_unreadable(tg: FakeTelegram) -> None:
    session = PinnedResponseSession(api=tg.api_server)
    bot = Bot(TOKEN, session=session)
    method = SendMessage(chat_id=ALICE, text="hi", reply_markup=keyboard())
    answer = json.dumps({"ok": True, "result": {"message_id": "not a number",
                                                "reply_markup": {"inline_keyboard": []}}})
    with pytest.raises(UnreadableAnswer, match="HTTP 200") as info:
        session.check_response(bot, method, 200, answer)
    assert isinstance(info.value.__cause__, ClientDecodeError)
    assert session.check_response(bot, GetMe(), 200, json.dumps(
        {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Shop"}})).result.id == 1
    await session.close()


async def test_answers_nobody_reads_are_not_validated(tg: FakeTelegram) -> None:
    async with pinned(tg) as bot:
        with results_unread():
            sent = await bot.send_message(ALICE, "Choose", reply_markup=keyboard())
            query_id = await tg.users[ALICE].click("🛒 New order")
            answered = await bot.answer_callback_query(query_id)
            with results_unread(False):  # a call that reads its answer
                kept = await bot.send_message(ALICE, "Kept")
            with pytest.raises(TelegramBadRequest):  # errors are raised as ever
                await bot.edit_message_text("x", chat_id=ALICE, message_id=999_999)
        after = await bot.send_message(ALICE, "After")

    assert sent is None  # the object answer was skipped…
    assert answered is True  # …a scalar one is still validated
    assert isinstance(kept, Message) and kept.text == "Kept"
    assert isinstance(after, Message)  # only inside the context
    assert [m.text for m in tg.sent_messages] == ["Choose", "Kept", "After"]


async def test_handlers_run_with_answers_unread() -> None:
    from bot.middlewares.results import ResultsUnread
    from bot.telegram_session import _RESULTS_UNREAD

    seen: list[bool] = []

    async def handler(event: Any, data: dict[str, Any]) -> str:
        seen.append(_RESULTS_UNREAD.get())
        return "handled"

    assert await ResultsUnread()(handler, cast(Any, None), {}) == "handled"
    assert seen == [True] and _RESULTS_UNREAD.get() is False


async def test_startup_calls_retry_only_what_may_pass_and_never_raise() -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    failures: list[Exception] = [
        UnreadableAnswer(GetMe(), 502, HTML_502),
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
        raise UnreadableAnswer(GetMe(), 502, HTML_502)

    delays.clear()
    assert await call_patiently(refused, "x", sleep=sleep) is Outcome.REFUSED
    assert await call_patiently(unauthorized, "x", sleep=sleep) is Outcome.REFUSED
    assert delays == []  # a verdict is not asked again
    assert await call_patiently(down, "x", attempts=3, sleep=sleep) is Outcome.UNANSWERED
    assert delays == [1.0, 2.0]


async def test_get_me_is_retried_through_anything_but_a_rejected_token() -> None:
    failures: list[Exception] = [
        UnreadableAnswer(GetMe(), 502, HTML_502),
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
