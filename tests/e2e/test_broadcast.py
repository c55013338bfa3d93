"""Broadcast end to end: the admin composes, previews and confirms in chat; the whole bot copies
the message to hundreds of fake customers through the fake Bot API, across a 429 and a
restart, with pause / resume / cancel, in both languages."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.panel import PanelRegistry, PanelSpec
from bot.runtime import Runtime
from bot.shop import broadcast
from bot.telegram.bot_api_retry import FAILURE_RETRIES, FLOOD_BUDGET
from storage.models import Broadcast, BroadcastRecipient, User
from tests.e2e.harness import ADMIN_ID, TOKEN, make_settings, running_shop, shop_database
from tests.fakes.bot_api import FakeTelegram, FakeUser, iter_users
from tests.fakes.panel_server import FakePanel

FIRST = 10_001


@contextlib.asynccontextmanager
async def bot_process(
    tg: FakeTelegram, panel: FakePanel, database_url: str
) -> AsyncIterator[Runtime]:
    """One run of the bot against fakes that outlive it: stop it and start another for a
    restart that keeps Telegram's side (chats, the admin's message) as it was."""
    config = make_settings(database_url, panel.url, telegram_api_url=tg.url)
    registry = PanelRegistry(
        [PanelSpec("main", panel.url, panel.key)],
        timeout=5.0,
        connect_timeout=2.0,
        retries=1,
        backoff=0.05,
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


async def add_customers(
    runtime: Runtime, tg: FakeTelegram, count: int, **values: object
) -> list[FakeUser]:
    """Many customers at once: rows inserted directly, and their chats on the fake."""
    ids = range(FIRST + len(tg.users), FIRST + len(tg.users) + count)
    async with runtime.shop.sessions() as session, session.begin():
        await session.execute(
            insert(User), [{"telegram_id": i, "language": "en", **values} for i in ids]
        )
    return iter_users(tg, ids)


def delivered(tg: FakeTelegram, users: list[FakeUser]) -> int:
    return sum(tg.stats.deliveries[u.id] for u in users)


async def recipient_states(runtime: Runtime) -> dict[int, str]:
    async with runtime.shop.sessions() as session:
        rows = await session.execute(
            select(User.telegram_id, BroadcastRecipient.state).join(
                User, User.id == BroadcastRecipient.user_id
            )
        )
        return dict(rows.all())


async def test_text_with_button_to_hundreds_across_429_and_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcast, "FREE_RATE", 100.0)  # fast; pacing has its own tests
    database_url = await shop_database(tmp_path)
    async with FakeTelegram(token=TOKEN) as tg, FakePanel() as panel:
        admin = tg.user(ADMIN_ID, first_name="Owner")
        async with bot_process(tg, panel, database_url) as first:
            reachable = await add_customers(first, tg, 270)
            blocked = await add_customers(first, tg, 12)
            deactivated = await add_customers(first, tg, 6)
            inactive = await add_customers(first, tg, 5, is_active=False)
            banned = await add_customers(first, tg, 3, is_banned=True)
            for user in blocked:
                user.blocked = True
            for user in deactivated:
                user.deactivated = True
            customers = reachable + blocked + deactivated

            await admin.send("/broadcast")
            await admin.wait_message(contains="New broadcast")
            await admin.send("Big sale today: 20% off everything")
            await admin.wait_message(contains="Add link buttons")
            await admin.send("Shop - ftp://nope")
            await admin.wait_message(contains="could not read those buttons")
            await admin.send("Shop - https://shop.example/sale")
            preview = await admin.wait_message(contains="Big sale today")
            assert preview.buttons == [[("Shop", "https://shop.example/sale")]]
            await admin.wait_message(contains="copied to 288 customers at 100 messages")
            await admin.click("✅ Send now")
            await admin.wait_edit(contains="Broadcast #1: sending")

            assert await tg.wait_until(lambda: delivered(tg, customers) >= 60, 10)
            tg.fail_next("copyMessage", error_code=429, retry_after=1)  # the whole job waits 1 s
            assert await tg.wait_until(lambda: delivered(tg, customers) >= 150, 15)
        # Stopped mid-way: in-flight copies were recorded, nothing is left half-sent.
        states = await recipient_states(first)
        assert "sending" not in states.values() and "pending" in states.values()
        halfway = delivered(tg, customers)
        assert 150 <= halfway < 270

        async with bot_process(tg, panel, database_url) as second:
            report = await admin.wait_message(contains="finished in", timeout=20)
            assert "Sent: 270 · Blocked: 18 · Failed: 0 · Recipients: 288" in report.text
            states = await recipient_states(second)
            async with second.shop.sessions() as session:
                job = await session.get(Broadcast, 1)
                active = dict(
                    (await session.execute(select(User.telegram_id, User.is_active))).all()
                )
        assert job is not None and job.state == "done"
        assert tg.stats.too_many_requests >= 1
        for user in reachable:  # exactly once each, restart and 429 notwithstanding
            assert tg.stats.deliveries[user.id] == 1, user
            assert states[user.id] == "sent"
        for user in blocked + deactivated:
            assert tg.stats.deliveries[user.id] == 0
            assert states[user.id] == "blocked" and active[user.id] is False
        for user in inactive + banned:
            assert tg.stats.deliveries[user.id] == 0 and user.id not in states
        copy = reachable[-1].messages[-1]
        assert copy.text == "Big sale today: 20% off everything"
        assert copy.buttons == [[("Shop", "https://shop.example/sale")]]
        assert not {chat for chat in tg.stats.duplicates if chat != ADMIN_ID}


async def test_photo_in_arabic_with_pause_resume_cancel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcast, "FREE_RATE", 20.0)  # slow enough to watch the progress
    async with running_shop(tmp_path) as shop:
        tg = shop.tg
        admin = shop.admin()
        admin.language_code = "ar"
        customers = await add_customers(shop.runtime, tg, 200)
        edits: list[tuple[float, str]] = []

        await admin.send("/broadcast")
        await admin.wait_message(contains="رسالة جماعية جديدة")
        await admin.send_photo(caption="تخفيضات اليوم")
        await admin.wait_message(contains="أزرار روابط")
        await admin.send("المتجر - https://shop.example")
        preview = await admin.wait_message(contains="تخفيضات اليوم")
        assert preview.photo and preview.buttons == [[("المتجر", "https://shop.example")]]
        control = await admin.wait_message(contains="200 عميل")
        await admin.click("✅ أرسل الآن")
        await admin.wait_edit(contains="قيد الإرسال", message=control)

        def watch() -> bool:  # every edit of the progress message, when it happened
            latest = tg.get_message(admin.id, control.message_id)
            if latest is not None and (not edits or edits[-1][1] != latest.text):
                edits.append((time.monotonic(), latest.text or ""))
            return False

        watcher = asyncio.create_task(tg.wait_until(watch, 60))
        tick = await admin.wait_edit(contains="الوقت المتبقي", message=control, timeout=6)
        assert "✅ أُرسلت:" in tick.text and "\u2066" in tick.text  # LTR-isolated ETA
        await admin.click("⏸ إيقاف مؤقت")
        assert (await admin.wait_callback_answer()).text == "جارٍ الإيقاف المؤقت…"
        paused = await admin.wait_edit(contains="متوقفة مؤقتًا", message=control)
        assert "▶️ استئناف" in paused.button_texts
        count = delivered(tg, customers)
        await asyncio.sleep(0.6)
        assert delivered(tg, customers) == count  # nothing goes out while paused

        await admin.click("▶️ استئناف")
        await admin.wait_edit(contains="قيد الإرسال", message=control)
        assert await tg.wait_until(lambda: delivered(tg, customers) >= count + 10, 5)
        await admin.click("⏹ إلغاء")
        report = await admin.wait_message(contains="أُلغيت الرسالة الجماعية")
        await asyncio.sleep(0.3)
        watcher.cancel()
        final = delivered(tg, customers)
        assert 0 < final < 200
        assert f"أُرسلت: {final}" in report.text and f"لم تُرسل: {200 - final}" in report.text
        assert all(tg.stats.deliveries[u.id] <= 1 for u in customers)
        copy = next(u for u in customers if tg.stats.deliveries[u.id]).messages[-1]
        assert copy.photo and copy.caption == "تخفيضات اليوم"
        assert copy.buttons == [[("المتجر", "https://shop.example")]]
        # While sending, the progress message changes at most every 3 s; a state change
        # (paused, resumed) starts a new stretch.
        stretches: list[list[float]] = [[]]
        for at, text in edits:
            if "قيد الإرسال" in text:
                stretches[-1].append(at)
            elif stretches[-1]:
                stretches.append([])
        assert len([s for s in stretches if s]) == 2 and len(stretches[0]) >= 2
        for stretch in stretches:
            assert all(b - a >= 2.9 for a, b in itertools.pairwise(stretch)), stretches
        states = await recipient_states(shop.runtime)
        assert list(states.values()).count("sent") == final


async def test_paid_toggle_discard_and_non_admins(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        tg = shop.tg
        customers = await add_customers(shop.runtime, tg, 20)
        admin = shop.admin()
        # Discarding a preview sends nothing.
        await admin.send("/broadcast")
        await admin.wait_message(contains="New broadcast")
        await admin.send("Not this one")
        await admin.wait_message(contains="Add link buttons")
        await admin.click("⏭ Skip")
        await admin.wait_message(contains="copied to 20 customers")
        await admin.click("✖️ Discard")
        await admin.wait_edit(contains="Broadcast discarded")
        # Paid broadcast: the toggle shows on the preview and goes out on every copy.
        await admin.send("/broadcast")
        await admin.wait_message(contains="New broadcast")
        await admin.send("Flash sale")
        await admin.wait_message(contains="Add link buttons")
        await admin.click("⏭ Skip")
        await admin.wait_message(contains="Paid broadcast: off")
        await admin.click("💸 Paid broadcast: off")
        toggled = await admin.wait_edit(contains="Paid broadcast: on")
        assert "up to 1,000 messages per second" in toggled.text
        await admin.click("✅ Send now")
        report = await admin.wait_message(contains="finished in")
        assert "Sent: 20" in report.text
        copies = [r for r in tg.calls("copyMessage") if r.params["chat_id"] != admin.id]
        assert len(copies) == 20 and all(r.params.get("allow_paid_broadcast") for r in copies)
        assert delivered(tg, customers) == 20
        await admin.click(callback_data="bc:send:2", message=toggled)  # again: nothing
        assert (await admin.wait_callback_answer()).show_alert
        assert delivered(tg, customers) == 20

        # To a customer there is no broadcast: the command and forged buttons are unknown.
        bob = customers[0]
        for command in ("/broadcast", "/stats"):
            await bob.send(command)
            await bob.wait_message(contains="I did not understand that")
        last = bob.messages[-1]
        for data in ("bc:send:2", "bc:pause:2", "bc:paid:2", "a:broadcast", "a:stats"):
            await bob.click(callback_data=data, message=last)
            answer = await bob.wait_callback_answer()
            assert answer.text is not None and "no longer active" in answer.text
        async with shop.sessions() as session:
            jobs = list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))
        assert [(j.state, j.paid) for j in jobs] == [("canceled", False), ("done", True)]


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (
            lambda tg: tg.fail_next(
                "copyMessage",
                FAILURE_RETRIES + 1,
                error_code=500,
                description="Internal Server Error",
            ),
            "Telegram did not answer",
        ),  # every try of the preview fails
        (lambda tg: tg.answer_raw_next("copyMessage"), "Telegram did not answer"),  # proxy's 502
        (
            lambda tg: tg.fail_next(
                "copyMessage", error_code=429, retry_after=int(FLOOD_BUDGET) + 1
            ),
            f"Telegram asks to wait {int(FLOOD_BUDGET) + 1} seconds",
        ),  # beyond the session's budget
        (
            lambda tg: tg.fail_next(
                "copyMessage", error_code=403, description="Forbidden: bot was blocked by the user"
            ),
            "Forbidden: bot was blocked by the user",
        ),
    ],
    ids=["500", "html-502", "429", "403"],
)
async def test_preview_telegram_fails_admin_is_told_and_can_retry(
    tmp_path: Path, fault: Any, said: str
) -> None:
    async with running_shop(tmp_path) as shop:
        await add_customers(shop.runtime, shop.tg, 3)
        admin = shop.admin()
        await admin.send("/broadcast")
        await admin.wait_message(contains="New broadcast")
        await admin.send("Weekend <b>sale</b>")
        await admin.wait_message(contains="Add link buttons")
        fault(shop.tg)
        await admin.click("⏭ Skip")
        told = await admin.wait_message(contains="did not show the preview")
        assert said in told.text
        async with shop.sessions() as session:  # no draft stored for a preview not shown
            assert (await session.scalars(select(Broadcast))).all() == []
        await admin.click("⏭ Skip", message=told)  # the step stayed: Skip tries again
        await admin.wait_message(contains="copied to 3 customers")
