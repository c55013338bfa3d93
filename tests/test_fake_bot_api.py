"""The fake Bot API server works with the real aiogram client and long polling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from tests.fakes.bot_api import Button, FakeTelegram

TOKEN = "123456:TEST-TOKEN"
ADMIN_ID, ALICE_ID, BOB_ID = 1, 1001, 2002
PHOTO = b"\x89PNG\r\n\x1a\nbot-photo"


def _keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


def build_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        assert message.from_user is not None
        await message.answer(
            f"<b>Welcome</b>, {message.from_user.first_name}! ref={command.args}",
            parse_mode="HTML",
            reply_markup=_keyboard([("New order", "order:new")], [("Help", "help")]),
        )

    @router.callback_query(F.data == "order:new")
    async def new_order(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(
            "Choose a service", reply_markup=_keyboard([("Likes", "svc:likes")])
        )
        await query.answer("Order started")

    @router.callback_query(F.data.startswith("svc:"))
    async def service(query: CallbackQuery) -> None:
        await query.answer(f"Selected {query.data}", show_alert=True)

    @router.message(Command("photo"))
    async def photo(message: Message) -> None:
        await message.answer_photo(
            BufferedInputFile(PHOTO, "pic.png"), caption="<i>Fresh</i> pic", parse_mode="HTML"
        )

    @router.message(F.photo, F.from_user.id == ADMIN_ID)
    async def broadcast(message: Message, bot: Bot) -> None:
        await bot.copy_message(BOB_ID, message.chat.id, message.message_id)
        await message.answer("Broadcast sent")

    @router.message(Command("buy"))
    async def buy(message: Message) -> None:
        await message.answer_invoice(
            title="100 likes",
            description="Likes for your post",
            payload="order-42",
            currency="XTR",
            prices=[LabeledPrice(label="Likes", amount=50)],
        )

    @router.pre_checkout_query()
    async def pre_checkout(query: PreCheckoutQuery) -> None:
        await query.answer(ok=query.invoice_payload == "order-42", error_message="Unknown")

    @router.message(F.successful_payment)
    async def paid(message: Message) -> None:
        assert message.successful_payment is not None
        await message.answer(f"Paid {message.successful_payment.total_amount} stars")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    return router


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, default_timeout=3.0) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> Bot:
    return tg.make_bot()


@pytest.fixture
async def polling(tg: FakeTelegram, bot: Bot) -> AsyncIterator[Dispatcher]:
    dp = Dispatcher()
    dp.include_router(build_router())
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    assert await tg.wait_until(lambda: bool(tg.calls("getUpdates")), timeout=3)
    yield dp
    await dp.stop_polling()
    await task


async def test_start_keyboard_click_edit_and_callback_answer(
    tg: FakeTelegram, bot: Bot, polling: Dispatcher
) -> None:
    alice = tg.user(ALICE_ID, first_name="Alice", language_code="ar", username="alice")
    await alice.send("/start ref_42")

    welcome = await alice.wait_message(contains="Welcome")
    assert welcome.text == "Welcome, Alice! ref=ref_42"
    assert welcome.entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert welcome.source_text is not None and welcome.source_text.startswith("<b>")
    assert welcome.buttons == [[("New order", "order:new")], [Button("Help", "help")]]

    query_id = await alice.click("New order")
    edited = await alice.wait_edit()
    assert edited.message_id == welcome.message_id
    assert edited.text == "Choose a service"
    assert edited.button_texts == ["Likes"]
    answer = await alice.wait_callback_answer()
    assert (answer.query_id, answer.text, answer.show_alert) == (query_id, "Order started", False)
    assert alice.last_message is not None and alice.last_message.text == "Choose a service"

    # A second answer to the same query is rejected, like Telegram does.
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)

    await alice.click(callback_data="svc:likes")
    alert = await alice.wait_callback_answer()
    assert alert.show_alert and alert.text == "Selected svc:likes"

    # Forged callback data on an arbitrary message.
    await alice.click(callback_data="svc:forged", message=welcome.message_id)
    assert (await alice.wait_callback_answer()).text == "Selected svc:forged"

    await alice.send("hello")
    assert (await alice.wait_message()).text == "echo: hello"
    sent = tg.calls("sendMessage")
    assert sent[0].params["chat_id"] == ALICE_ID
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "New order"
    assert [m.from_bot for m in alice.transcript] == [False, True, False, True]
    assert tg.unimplemented == []


async def test_photo_upload_and_admin_broadcast_copy(tg: FakeTelegram, polling: Dispatcher) -> None:
    alice, admin, bob = tg.user(ALICE_ID), tg.user(ADMIN_ID), tg.user(BOB_ID)
    await alice.send("/photo")
    photo = await alice.wait_message()
    assert photo.photo_bytes == PHOTO
    assert photo.caption == "Fresh pic"
    assert photo.entities == [{"type": "italic", "offset": 0, "length": 5}]

    await admin.send_photo(b"admin-jpeg", caption="Sale today")
    assert (await admin.wait_message()).text == "Broadcast sent"
    copy = await bob.wait_message()
    assert copy.caption == "Sale today"
    assert copy.photo_bytes == b"admin-jpeg"
    assert tg.stats.deliveries[BOB_ID] == 1
    assert tg.calls("copyMessage")[0].params["from_chat_id"] == ADMIN_ID
    assert tg.calls("sendPhoto")[0].files  # uploaded as multipart


async def test_commands_per_scope_and_language(tg: FakeTelegram, bot: Bot) -> None:
    en = [BotCommand(command="start", description="Start")]
    ar = [BotCommand(command="start", description="ابدأ")]
    await bot.set_my_commands(en)
    await bot.set_my_commands(ar, language_code="ar")
    await bot.set_my_commands(en, scope=BotCommandScopeChat(chat_id=ALICE_ID))

    fetched = await bot.get_my_commands(language_code="ar")
    assert [(c.command, c.description) for c in fetched] == [("start", "ابدأ")]
    assert tg.commands() == [{"command": "start", "description": "Start"}]
    assert tg.commands(language_code="ar")[0]["description"] == "ابدأ"
    assert tg.commands({"type": "chat", "chat_id": ALICE_ID}) != []
    await bot.delete_my_commands(language_code="ar")
    assert await bot.get_my_commands(language_code="ar") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_stars_invoice_pre_checkout_payment_and_refund(
    tg: FakeTelegram, bot: Bot, polling: Dispatcher
) -> None:
    alice = tg.user(ALICE_ID, first_name="Alice")
    await alice.send("/buy")
    invoice = await alice.wait_message(where=lambda m: m.invoice is not None)
    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("XTR", 50)
    assert invoice.invoice_payload == "order-42"

    payment = await alice.pay(invoice)
    assert (await alice.wait_message()).text == "Paid 50 stars"
    assert tg.pre_checkout_answers[0].ok

    await bot.refund_star_payment(ALICE_ID, payment.telegram_payment_charge_id)
    assert tg.refunds == [payment] and payment.refunded
    with pytest.raises(TelegramBadRequest, match="CHARGE_ALREADY_REFUNDED"):
        await bot.refund_star_payment(ALICE_ID, payment.telegram_payment_charge_id)
    await alice.refunded_payment(payment)
    await tg.wait_updates_fetched()

    link = await bot.create_invoice_link(
        title="t",
        description="d",
        payload="other",
        currency="XTR",
        prices=[LabeledPrice(label="x", amount=5)],
    )
    await alice.pre_checkout(link)
    declined = await alice.wait_pre_checkout_answer()
    assert not declined.ok and declined.error_message == "Unknown"


async def test_flood_limit_answers_429_with_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.flood_limit = 3
    users = [tg.user(uid) for uid in range(10, 15)]
    for user in users[:3]:
        await bot.send_message(user.id, "news")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(users[3].id, "news")
    assert caught.value.retry_after == 1
    assert tg.stats.too_many_requests == 1
    assert tg.calls("sendMessage")[-1].status == 429
    assert sum(tg.stats.deliveries.values()) == 3 and tg.stats.duplicates == {}

    tg.flood_limit = None
    tg.fail_next("sendMessage", 2, retry_after=7)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(users[4].id, "x")
        assert caught.value.retry_after == 7
    await bot.send_message(users[4].id, "x")
    tg.fail_next("sendMessage", error_code=400, description="Bad Request: boom")
    with pytest.raises(TelegramBadRequest, match="boom"):
        await bot.send_message(users[4].id, "x")
    assert tg.stats.method_counts["sendMessage"] == 8


async def test_blocked_deactivated_and_unknown_chats(tg: FakeTelegram, bot: Bot) -> None:
    blocked, gone = tg.user(31), tg.user(32)
    blocked.blocked, gone.deactivated = True, True
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(blocked.id, "hi")
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.copy_message(gone.id, blocked.id, 1)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "hi")
    assert tg.stats.errors[("sendMessage", 403)] == 1


async def test_message_validation_and_edit_errors(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(ALICE_ID)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ALICE_ID, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ALICE_ID, " ")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(ALICE_ID, "<b>open <i>bold</b>", parse_mode="HTML")
    html = "<a href='https://t.me'>x</a> &lt;"
    sent = await bot.send_message(ALICE_ID, html, parse_mode="HTML")
    assert sent.text == "x <" and sent.entities is not None
    assert sent.entities[0].url == "https://t.me"

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            html, chat_id=ALICE_ID, message_id=sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("new", chat_id=ALICE_ID, message_id=404)
    markup = _keyboard([("A", "a")])
    await bot.edit_message_reply_markup(
        chat_id=ALICE_ID, message_id=sent.message_id, reply_markup=markup
    )
    assert alice.last_message is not None and alice.last_message.buttons == [[("A", "a")]]
    assert await bot.delete_message(ALICE_ID, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ALICE_ID, sent.message_id)
    assert alice.messages == [] and (await alice.wait_delete()).message_id == sent.message_id
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE_ID, "x", reply_markup=_keyboard([("B", "b" * 65)]))

    chat = await bot.get_chat(ALICE_ID)
    assert chat.id == ALICE_ID and chat.type == "private"
    member = await bot.get_chat_member(ALICE_ID, ALICE_ID)
    assert member.status == "member"
    await bot.pin_chat_message(ALICE_ID, 1)
    assert tg.unimplemented == ["pinChatMessage"]


async def test_http_errors_for_token_and_method(tg: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{tg.url}/botWRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.get(f"{tg.url}/bot{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found: method not found"
        async with session.post(
            f"{tg.url}/bot{TOKEN}/sendmessage", json={"chat_id": 5, "text": "hi"}
        ) as response:
            assert (await response.json())["description"] == "Bad Request: chat not found"


async def test_long_polling_returns_as_soon_as_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(ALICE_ID)
    started = time.monotonic()
    assert await bot.get_updates(timeout=0) == []
    assert time.monotonic() - started < 0.5

    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.05)
    assert not poll.done()
    pushed_at = time.monotonic()
    await alice.send("/start")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - pushed_at < 0.5
    assert len(updates) == 1 and updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert tg.all_updates_fetched()

    await alice.send("again")
    again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=1)
    assert [u.update_id for u in again] == [updates[0].update_id + 1]
    assert tg.pending_updates != []  # not confirmed yet
    assert await bot.get_updates(offset=again[0].update_id + 1, timeout=0) == []


async def test_wait_message_timeout_reports_transcript(
    tg: FakeTelegram, polling: Dispatcher
) -> None:
    alice = tg.user(ALICE_ID, first_name="Alice")
    await alice.send("ping")
    await alice.wait_message(contains="echo: ping")
    with pytest.raises(AssertionError, match=r"(?s)no message containing 'pong'.*echo: ping"):
        await alice.wait_message(contains="pong", timeout=0.2)
    await alice.expect_no_message(quiet=0.05)


async def test_a_fault_can_hit_the_nth_call(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(20)
    tg.fail_next("sendMessage", error_code=500, description="Internal Server Error", nth=2)
    await bot.send_message(user.id, "first")
    with pytest.raises(TelegramServerError):
        await bot.send_message(user.id, "second")
    await bot.send_message(user.id, "third")
    assert [call.status for call in tg.calls("sendMessage")] == [200, 500, 200]


async def test_forum_topics_and_messages_in_them(tg: FakeTelegram, bot: Bot) -> None:
    """The forum methods refuse a chat without topics; a topic's id is its opening service
    message's; messages sent or copied into it carry its message_thread_id; a staff member's
    post in a topic arrives as Telegram sends it."""
    tg.add_chat(-100, title="Plain group")
    tg.add_chat(-200, title="Support", is_forum=True)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-100, "Nora · 1")
    with pytest.raises(TelegramBadRequest, match="TOPIC_TITLE_EMPTY"):
        await bot.create_forum_topic(-200, " ")
    topic = await bot.create_forum_topic(-200, "Nora · 1")
    [opening] = tg.messages(-200)
    assert topic.message_thread_id == opening.message_id and "forum_topic_created" in opening.raw

    sent = await bot.send_message(-200, "header", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    alice = tg.user(ALICE_ID)
    question = await alice.send("hello")
    copied = await bot.copy_message(
        -200, ALICE_ID, question.message_id, message_thread_id=topic.message_thread_id
    )
    copy = tg.get_message(-200, copied.message_id)
    assert copy is not None and copy.text == "hello"
    assert copy.raw["message_thread_id"] == topic.message_thread_id
    assert [m.text for m in tg.thread_messages(-200, topic.message_thread_id)] == [
        "header",
        "hello",
    ]
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-200, "x", message_thread_id=999)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-100, "x", message_thread_id=topic.message_thread_id)

    await bot.close_forum_topic(-200, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(-200, topic.message_thread_id)
    await bot.send_message(-200, "still", message_thread_id=topic.message_thread_id)  # admin
    await bot.reopen_forum_topic(-200, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.reopen_forum_topic(-200, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.close_forum_topic(-200, 999)

    staff = tg.user(BOB_ID, first_name="Sara")
    post = await staff.post(-200, "answer", thread_id=topic.message_thread_id)
    [update] = [u for u in tg.pending_updates if u["message"]["message_id"] == post.message_id]
    raw = update["message"]
    assert raw["chat"] == {"id": -200, "type": "supergroup", "title": "Support", "is_forum": True}
    assert raw["message_thread_id"] == topic.message_thread_id and raw["is_topic_message"]
    assert raw["reply_to_message"]["message_id"] == opening.message_id  # as Telegram does

    await bot.delete_forum_topic(-200, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-200, "gone", message_thread_id=topic.message_thread_id)
