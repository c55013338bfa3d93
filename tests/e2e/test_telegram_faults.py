"""Telegram failing at startup and under the handlers: proxies' HTML error pages, 5xx, 429,
hanging calls, refusals. The bot keeps running and people are told what happened."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.panel import PanelRegistry, PanelSpec
from bot.runtime import Runtime
from bot.telegram.bot_api_retry import FAILURE_RETRIES, FLOOD_BUDGET
from tests.e2e.harness import (
    ADMIN_ID,
    TOKEN,
    Shop,
    make_settings,
    running_shop,
    shop_database,
)
from tests.fakes.bot_api import FakeTelegram
from tests.fakes.panel_server import FakePanel

FAST = {"retry_first_delay": 0.05, "retry_max_delay": 0.2}


@contextlib.asynccontextmanager
async def shop_with_faults(
    tmp_path: Path,
    faults: Callable[[FakeTelegram], Any],
    *,
    request_timeout: float = 60,
    **settings: Any,
) -> AsyncIterator[Shop]:
    """The harness's running shop, with `faults` injected before the bot's first call and the
    startup retries made fast."""
    async with FakeTelegram(token=TOKEN) as tg, FakePanel() as panel:
        tg.user(ADMIN_ID, first_name="Owner")
        faults(tg)
        config = make_settings(
            await shop_database(tmp_path), panel.url, telegram_api_url=tg.url, **settings
        )
        registry = PanelRegistry(
            [PanelSpec("main", panel.url, panel.key)],
            timeout=5.0,
            connect_timeout=2.0,
            retries=1,
            backoff=0.05,
        )
        runtime = await Runtime.start(config, panels=registry, background=False)
        for name, value in FAST.items():
            setattr(runtime, name, value)
        runtime.bot.session.timeout = request_timeout  # aiogram's per-request timeout
        task = asyncio.create_task(runtime.poll())
        try:
            await tg.wait_until(lambda: bool(tg.calls("getUpdates")) or task.done(), 10)
            assert not task.done(), task.exception()
            yield Shop(tg, panel, runtime, task)
        finally:
            await runtime.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)


# ---------------------------------------------------------------------- startup


async def test_html_502_answers_to_get_me_delay_the_start_then_it_answers(
    tmp_path: Path,
) -> None:
    async with shop_with_faults(tmp_path, lambda tg: tg.answer_raw_next("getMe", 3)) as shop:
        assert len(shop.tg.calls("getMe")) == 4  # three proxy pages, then the answer
        alice = shop.customer(701)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User701")


async def test_get_me_429_and_5xx_and_a_hang_are_waited_out(tmp_path: Path) -> None:
    def faults(tg: FakeTelegram) -> None:
        tg.fail_next("getMe", error_code=429, retry_after=1)
        tg.fail_next("getMe", error_code=500, description="Internal Server Error")
        tg.hang_next("getMe", seconds=3)  # the fault rules apply in this order

    async with shop_with_faults(tmp_path, faults, request_timeout=1) as shop:
        assert len(shop.tg.calls("getMe")) == 4
        alice = shop.customer(702)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User702")


async def test_set_my_commands_always_502_the_bot_still_starts(tmp_path: Path) -> None:
    async with shop_with_faults(
        tmp_path, lambda tg: tg.answer_raw_next("setMyCommands", 10_000)
    ) as shop:
        alice = shop.customer(703)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User703")
        # ... and keeps trying in the background, a bounded number of times.
        assert await shop.tg.wait_until(lambda: len(shop.tg.calls("setMyCommands")) >= 3, 5)


async def test_commands_set_later_when_telegram_answers_again(tmp_path: Path) -> None:
    async with shop_with_faults(
        tmp_path, lambda tg: tg.answer_raw_next("setMyCommands", 2, status=503)
    ) as shop:
        assert await shop.tg.wait_until(lambda: bool(shop.tg.commands(language_code="ar")), 5)
        assert "My orders" in str(shop.tg.commands(language_code="en"))


async def test_delete_webhook_failing_does_not_stop_polling(tmp_path: Path) -> None:
    def faults(tg: FakeTelegram) -> None:
        tg.answer_raw_next("deleteWebhook", 100)

    async with shop_with_faults(tmp_path, faults) as shop:
        assert len(shop.tg.calls("deleteWebhook")) == 5  # then polling starts anyway
        alice = shop.customer(704)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User704")


async def test_a_webhook_left_behind_is_removed_for_polling(tmp_path: Path) -> None:
    def faults(tg: FakeTelegram) -> None:
        tg.webhook_url = "https://old.example.com/hook"  # from a webhook deployment
        tg.fail_next("deleteWebhook", error_code=502, description="Bad Gateway")

    async with shop_with_faults(tmp_path, faults) as shop:
        assert shop.tg.webhook_url is None
        alice = shop.customer(705)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User705")


# ---------------------------------------------------------------------- under the handlers


async def test_a_customer_whose_reply_failed_is_told_in_their_language(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_shop(tmp_path) as shop:
        alice, rania = shop.customer(711), shop.customer(712, "ar")
        # every try fails (the session retries a 5xx FAILURE_RETRIES times first)
        shop.tg.fail_next(
            "sendMessage", FAILURE_RETRIES + 1, error_code=500, description="Internal Server Error"
        )
        await alice.send("/help")
        told = await alice.wait_message(contains="Telegram did not take my reply")
        assert "check /orders or /balance" in told.text
        shop.tg.answer_raw_next("sendMessage")  # a proxy's HTML page
        await rania.send("/help")
        await rania.wait_message(contains="لم يقبل تيليجرام ردّي")
        await alice.send("/help")  # and the bot goes on as usual
        await alice.wait_message(contains="How it works")
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


async def test_an_admin_is_told_what_telegram_said(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        admin = shop.admin()
        shop.tg.fail_next(
            "sendMessage",
            error_code=400,
            description="Bad Request: can't parse <entities> " + "x" * 300,
        )
        await admin.send("/admin")
        told = await admin.wait_message(contains="Telegram did not take my reply")
        assert "can't parse <entities>" in told.text  # escaped on the wire, shown as sent
        assert "x" * 200 not in told.text  # bounded
        # a wait beyond the session's budget is not waited out (a shorter one is: see
        # tests/e2e/test_flood_retry.py)
        shop.tg.fail_next("sendMessage", error_code=429, retry_after=int(FLOOD_BUDGET) + 1)
        await admin.send("/admin")
        told = await admin.wait_message(contains="Telegram did not take my reply")
        assert f"Telegram asks to wait {int(FLOOD_BUDGET) + 1} seconds" in told.text


async def test_a_customer_who_blocked_the_bot_is_marked_inactive_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(713)
        await bob.send("/start")
        await bob.wait_message(contains="Main menu")
        shop.tg.fail_next(
            "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
        )
        await bob.send("/help")
        await shop.tg.wait_idle()
        assert not (await shop.user_row(713)).is_active
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


async def test_a_button_whose_screen_telegram_did_not_show(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = shop.customer(714)
        await alice.send("/start")
        await alice.wait_message(contains="Main menu")
        shop.tg.answer_raw_next("editMessageText")
        shop.tg.fail_next(
            "answerCallbackQuery", error_code=400, description="Bad Request: query is too old"
        )
        await alice.click("💰 Balance")
        await alice.wait_message(contains="Telegram did not take my reply")
        await alice.click("💰 Balance")  # next time it works
        await alice.wait_edit(contains="Your balance")


async def test_admin_hears_when_the_chart_or_the_customers_notice_failed(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        admin = shop.admin()
        bob = shop.customer(715)
        await bob.send("/start")
        await bob.wait_message(contains="Main menu")
        shop.tg.answer_raw_next("sendPhoto")
        await admin.send("/stats")
        told = await admin.wait_message(contains="The chart could not be sent")
        assert "Telegram did not answer: not a Bot API answer" in told.text
        assert "502 Bad Gateway" in told.text  # the page's own words (it may be a proxy's)

        bob.blocked = True
        await admin.send("/credit 715 5")
        reply = await admin.wait_message(contains="applied to 715")
        assert "The customer could not be told" in reply.text
        assert (await shop.user_row(715)).balance == 5


async def test_polling_goes_on_through_proxy_pages_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_shop(tmp_path) as shop:
        shop.tg.answer_raw_next("getUpdates", 2)
        alice = shop.customer(716)
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User716", timeout=15)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
