"""The support desk end to end: customers write from the menu or /support, the staff answer in
a forum topic of the support group (SUPPORT_CHAT_ID) or, without one, by replying in the
admins' private chats; tickets close and reopen, a blocked customer is marked, relays survive
a restart, and a flood is capped — in English and Arabic, over the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.panel import PanelRegistry, PanelSpec
from bot.runtime import Runtime
from storage.models import AuditLog, SupportRelay, SupportTicket
from tests.e2e.harness import ADMIN_ID, TOKEN, make_settings, running_shop, shop_database
from tests.fakes.bot_api import FakeTelegram, FakeUser
from tests.fakes.panel_server import FakePanel

GROUP = -100_777_000_1
STAFF = 770_001

TEXTS = {
    "en": {
        "support": "💬 Support",
        "intro": "Write your question here",
        "opened": "reached our support team",
        "menu": "🏠 Main menu",
        "closed": "ticket was closed",
        "slow": "Please slow down",
    },
    "ar": {
        "support": "💬 الدعم",
        "intro": "اكتب سؤالك هنا",
        "opened": "وصلت رسالتك إلى فريق الدعم",
        "menu": "🏠 القائمة الرئيسية",
        "closed": "أُغلقت تذكرة الدعم",
        "slow": "تمهّل من فضلك",
    },
}


def forum(tg: FakeTelegram) -> None:
    tg.add_chat(GROUP, title="Shop support", is_forum=True)


async def open_support(user: FakeUser, language: str) -> None:
    """From the main menu, as a customer does."""
    await user.send("/start")
    await user.wait_message(contains="🏪")
    await user.click(TEXTS[language]["support"])
    await user.wait_edit(contains=TEXTS[language]["intro"])


async def tickets(sessions: Any) -> list[SupportTicket]:
    async with sessions() as session:
        return list(await session.scalars(select(SupportTicket).order_by(SupportTicket.id)))


def topic_of(tg: FakeTelegram, telegram_id: int) -> int:
    [topic] = [t for t in tg.topics(GROUP) if t.name.endswith(f" · {telegram_id}")]
    return topic.thread_id


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_forum_topic_per_customer_and_answers_come_back(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP) as shop:
        tg = shop.tg
        forum(tg)
        staff = tg.user(STAFF, first_name="Sara")
        nora = shop.customer(4101, language, first_name="Nora")
        await open_support(nora, language)
        await shop.fund(4101, "12.50")

        seq = tg.event_seq
        question = await nora.send("Where is my order?")
        await nora.wait_message(contains=TEXTS[language]["opened"])
        [topic] = tg.topics(GROUP)
        assert topic.name == "Nora · 4101"
        header = await tg.wait_chat_message(GROUP, after=seq, thread_id=topic.thread_id)
        assert "Ticket #1" in header.content and "4101" in header.content
        assert "12.50 USD" in header.content and "none yet" in header.content
        assert header.button_texts == ["✅ Close ticket"]
        copy = await tg.wait_chat_message(
            GROUP, after=seq, thread_id=topic.thread_id, contains="Where is my order?"
        )
        assert copy.raw["is_topic_message"] is True
        assert "forward_origin" not in copy.raw  # a copy: nobody's name on it

        # Media go too; the second message opens nothing new and is not acknowledged.
        seq = tg.event_seq
        await nora.send_photo(b"\x89PNG screenshot", caption="this one")
        photo = await tg.wait_chat_message(GROUP, after=seq, thread_id=topic.thread_id)
        assert photo.photo_bytes == b"\x89PNG screenshot" and photo.caption == "this one"
        seq = tg.event_seq
        await nora.send_document(b"%PDF receipt", filename="receipt.pdf", mime_type="text/plain")
        document = await tg.wait_chat_message(GROUP, after=seq, thread_id=topic.thread_id)
        assert document.document is not None and document.file_bytes == b"%PDF receipt"
        await nora.expect_no_message()
        assert len(tg.topics(GROUP)) == 1

        # The staff answer in the topic: the customer gets a copy, text and photo alike.
        await staff.post(GROUP, "It is on its way 🚚", thread_id=topic.thread_id)
        answer = await nora.wait_message(contains="It is on its way")
        await staff.post(
            GROUP,
            thread_id=topic.thread_id,
            content={"photo": [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]},
        )
        assert (await nora.wait_message()).photo is not None

        # Chatter in the General topic reaches nobody and is not answered.
        seq = tg.event_seq
        await staff.post(GROUP, "coffee anyone?")
        await tg.wait_idle()
        assert [e for e in tg.chat_events_after(GROUP, seq) if e.kind == "message"] == []

        # Out of support mode, a reply to an answer still reaches the staff; other text is a
        # catalog search, not a support message.
        await nora.click(TEXTS[language]["menu"])
        await nora.wait_edit(contains="🏪")
        seq = tg.event_seq
        await nora.send("Thanks!", reply_to=answer)
        await tg.wait_chat_message(GROUP, after=seq, thread_id=topic.thread_id, contains="Thanks!")
        seq = tg.event_seq
        await nora.send("instagram followers")
        await nora.wait_message()
        assert [e for e in tg.chat_events_after(GROUP, seq) if e.kind == "message"] == []

        async with shop.sessions() as session:
            relays = list(await session.scalars(select(SupportRelay)))
        assert sorted(r.kind for r in relays) == ["header"] + ["in"] * 4 + ["out"] * 2
        assert question.message_id in {r.customer_message_id for r in relays}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_close_then_a_new_message_reopens_the_topic(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP) as shop:
        tg = shop.tg
        forum(tg)
        staff = tg.user(STAFF, first_name="Sara")
        omar = shop.customer(4201, language, first_name="Omar")
        await open_support(omar, language)
        await omar.send("Hello")
        await omar.wait_message(contains=TEXTS[language]["opened"])
        thread = topic_of(tg, 4201)

        seq = tg.event_seq
        await staff.post(GROUP, "/close", thread_id=thread)
        await omar.wait_message(contains=TEXTS[language]["closed"])
        await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="closed by Sara")
        assert tg.forum_topics[GROUP][thread].closed
        [header] = [m for m in tg.thread_messages(GROUP, thread) if "Ticket #1" in m.content]
        assert "Closed." in header.content and header.buttons == []
        [ticket] = await tickets(shop.sessions)
        assert (ticket.state, ticket.closed_by, ticket.open_user_id) == ("closed", STAFF, None)

        # An answer into a closed ticket is refused with a reason, not delivered.
        await staff.post(GROUP, "one more thing", thread_id=thread)
        await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="is closed")
        await omar.expect_no_message()

        # The customer writes again (still in support mode): a new ticket, the same topic.
        seq = tg.event_seq
        await omar.send("Another question")
        await omar.wait_message(contains=TEXTS[language]["opened"])
        header = await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="#2")
        await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="Another")
        assert len(tg.topics(GROUP)) == 1 and not tg.forum_topics[GROUP][thread].closed
        assert "forum_topic_reopened" in str([m.raw for m in tg.messages(GROUP)])

        # The header's button closes too; a second press is told it is closed already.
        await staff.click("✅ Close ticket", message=header)
        assert "closed" in ((await staff.wait_callback_answer()).text or "").lower()
        await omar.wait_message(contains=TEXTS[language]["closed"])
        await staff.click(
            callback_data=f"su:close:{(await tickets(shop.sessions))[1].id}", message=header
        )
        assert "already" in ((await staff.wait_callback_answer()).text or "")
        assert [t.state for t in await tickets(shop.sessions)] == ["closed", "closed"]
        async with shop.sessions() as session:
            audit = list(await session.scalars(select(AuditLog)))
        assert [(a.action, a.admin_telegram_id) for a in audit] == [("support_close", STAFF)] * 2


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_without_a_group_the_admins_answer_by_replying(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path) as shop:
        tg = shop.tg
        admin = shop.admin()
        lina = shop.customer(4301, language, first_name="Lina")
        await lina.send("/support")
        await lina.wait_message(contains=TEXTS[language]["intro"])
        await lina.send("My order is late")
        await lina.wait_message(contains=TEXTS[language]["opened"])
        # Commands still work in support mode, and are not relayed.
        await lina.send("/balance")
        await lina.wait_message(contains="USD")
        header = await admin.wait_message(contains="Ticket #1")
        assert "Lina" in header.content and header.button_texts == ["✅ Close ticket"]
        copy = await admin.wait_message(contains="My order is late")
        assert copy.raw["reply_to_message"]["message_id"] == header.message_id

        await admin.send("Refilled, check now", reply_to=copy)
        answer = await lina.wait_message(contains="Refilled")
        # Replying to the header works too.
        await admin.send("Anything else?", reply_to=header)
        await lina.wait_message(contains="Anything else?")
        await lina.send("No, thanks", reply_to=answer)
        await admin.wait_message(contains="No, thanks")

        assert not [m for m in admin.messages if "/balance" in m.content]
        await admin.send("/close", reply_to=copy)
        await admin.wait_message(contains="Ticket closed by Owner")
        await lina.wait_message(contains=TEXTS[language]["closed"])
        edited = await admin.wait_edit(contains="Closed.")
        assert edited.buttons == []
        [ticket] = await tickets(shop.sessions)
        assert ticket.chat_id is None and ticket.state == "closed"
        assert tg.calls("createForumTopic") == []


async def test_a_group_that_is_no_forum_falls_back_to_the_admins(tmp_path: Path) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP) as shop:
        tg = shop.tg
        tg.add_chat(GROUP, title="Plain group")  # topics not enabled
        admin = shop.admin()
        sam = shop.customer(4401, "en", first_name="Sam")
        await sam.send("/support")
        await sam.wait_message(contains="Write your question")
        await sam.send("hello?")
        await sam.wait_message(contains="reached our support team")
        await admin.wait_message(contains="hello?")
        [create] = tg.calls("createForumTopic")
        assert create.error == "Bad Request: the chat is not a forum"
        [ticket] = await tickets(shop.sessions)
        assert ticket.chat_id is None


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_customer_who_blocked_the_bot_is_marked(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP) as shop:
        tg = shop.tg
        forum(tg)
        staff = tg.user(STAFF, first_name="Sara")
        zed = shop.customer(4501, language, first_name="Zed")
        await open_support(zed, language)
        await zed.send("help")
        await zed.wait_message(contains=TEXTS[language]["opened"])
        thread = topic_of(tg, 4501)

        zed.blocked = True
        seq = tg.event_seq
        await staff.post(GROUP, "Here is your answer", thread_id=thread)
        await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="blocked the bot")
        await tg.wait_until(
            lambda: any(
                "blocked the bot" in m.content and "Ticket #1" in m.content
                for m in tg.thread_messages(GROUP, thread)
            )
        )
        [ticket] = await tickets(shop.sessions)
        assert ticket.customer_blocked and ticket.state == "open"
        assert not (await shop.user_row(4501)).is_active

        # They unblock and write again: the mark goes, answers flow.
        zed.blocked = False
        seq = tg.event_seq
        await zed.send("sorry, I am back")
        await tg.wait_chat_message(GROUP, after=seq, thread_id=thread, contains="I am back")
        await tg.wait_until(
            lambda: (
                not any(
                    "blocked the bot" in m.content and "Ticket #1" in m.content
                    for m in tg.thread_messages(GROUP, thread)
                )
            )
        )  # the header no longer shows the mark
        [ticket] = await tickets(shop.sessions)
        assert not ticket.customer_blocked
        await staff.post(GROUP, "Welcome back", thread_id=thread)
        await zed.wait_message(contains="Welcome back")


@contextlib.asynccontextmanager
async def bot_process(
    tg: FakeTelegram, panel: FakePanel, database_url: str, **settings: Any
) -> AsyncIterator[Runtime]:
    """One run of the bot against fakes that outlive it (a restart keeps Telegram's side)."""
    config = make_settings(database_url, panel.url, telegram_api_url=tg.url, **settings)
    registry = PanelRegistry(
        [PanelSpec("main", panel.url, panel.key)], timeout=5.0, connect_timeout=2.0, retries=1
    )
    runtime = await Runtime.start(config, panels=registry, background=False)
    polls = len(tg.calls("getUpdates"))
    task = asyncio.create_task(runtime.poll())
    try:
        await tg.wait_until(lambda: len(tg.calls("getUpdates")) > polls, 10)
        yield runtime
    finally:
        await runtime.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)


async def test_relays_survive_a_restart(tmp_path: Path) -> None:
    database_url = await shop_database(tmp_path)
    async with FakeTelegram(token=TOKEN) as tg, FakePanel() as panel:
        forum(tg)
        admin = tg.user(ADMIN_ID, first_name="Owner")
        staff = tg.user(STAFF, first_name="Sara")
        ann = tg.user(4601, first_name="Ann", language_code="ar")
        ben = tg.user(4602, first_name="Ben")
        async with bot_process(tg, panel, database_url, support_chat_id=GROUP):
            await ann.send("/support")
            await ann.wait_message(contains="اكتب سؤالك")
            await ann.send("سؤال")
            await ann.wait_message(contains="وصلت رسالتك")
        async with bot_process(tg, panel, database_url):  # private mode now
            await ben.send("/support")
            await ben.wait_message(contains="Write your question")
            await ben.send("question")
            copy = await admin.wait_message(contains="question")
        async with bot_process(tg, panel, database_url, support_chat_id=GROUP):
            # Ann's topic and Ben's relayed copy are known after the restarts.
            await staff.post(GROUP, "جواب", thread_id=topic_of(tg, 4601))
            await ann.wait_message(contains="جواب")
            await admin.send("answer", reply_to=copy)
            answer = await ben.wait_message(contains="answer")
            # Ann is still in support mode (her state is stored): her next message goes on.
            seq = tg.event_seq
            await ann.send("شكرًا")
            await tg.wait_chat_message(GROUP, after=seq, contains="شكرًا")
            await ben.send("thanks", reply_to=answer)
            await admin.wait_message(contains="thanks")
        assert len(tg.topics(GROUP)) == 1


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_flood_into_support_is_capped(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP, support_messages_per_minute=3) as shop:
        tg = shop.tg
        forum(tg)
        kim = shop.customer(4701, language, first_name="Kim")
        await open_support(kim, language)
        for n in range(1, 7):
            await kim.send(f"message {n}")
        slow = await kim.wait_message(contains=TEXTS[language]["slow"])
        assert "3" in slow.content

        def relayed() -> list[str]:
            return [
                m.content
                for topic in tg.topics(GROUP)
                for m in tg.thread_messages(GROUP, topic.thread_id)
                if m.content.startswith("message ")
            ]

        assert await tg.wait_until(lambda: len(relayed()) >= 3)
        await tg.wait_idle(quiet=0.5)
        assert len(relayed()) == 3 and set(relayed()) < {f"message {n}" for n in range(1, 7)}
        slow_downs = [m for m in kim.messages if TEXTS[language]["slow"] in m.content]
        assert len(slow_downs) == 1  # told once per flood


async def test_a_deleted_topic_is_replaced_by_a_new_one(tmp_path: Path) -> None:
    async with running_shop(tmp_path, support_chat_id=GROUP) as shop:
        tg = shop.tg
        forum(tg)
        eli = shop.customer(4801, "en", first_name="Eli")
        await open_support(eli, "en")
        await eli.send("first")
        await eli.wait_message(contains="reached our support team")
        old = topic_of(tg, 4801)
        tg.forum_topics[GROUP][old].deleted = True  # a staff member deleted it by hand

        seq = tg.event_seq
        await eli.send("second")
        await tg.wait_until(lambda: len(tg.topics(GROUP)) == 2)
        new = tg.topics(GROUP)[-1].thread_id
        await tg.wait_chat_message(GROUP, after=seq, thread_id=new, contains="Ticket #1")
        await tg.wait_chat_message(GROUP, after=seq, thread_id=new, contains="second")
        [ticket] = await tickets(shop.sessions)
        assert ticket.thread_id == new and ticket.state == "open"
        await eli.expect_no_message()  # the same ticket: nothing new to acknowledge
