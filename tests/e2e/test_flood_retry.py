"""Telegram's flood limits (429) and failed sends, end to end over the fake Bot API: the
session's retry middleware (bot.telegram.bot_api_retry) delivers what the handler sent after
retry_after, so a customer tapping fast loses no reply, edit or callback answer."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.harness import running_shop
from tests.fakes.bot_api import FakeTelegram


def statuses(tg: FakeTelegram, method: str) -> list[int | None]:
    return [call.status for call in tg.calls(method)]


async def test_a_429_on_a_reply_is_delivered_after_retry_after(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = shop.customer(1101, "en")
        shop.tg.fail_next("sendMessage", error_code=429, retry_after=1)
        started = time.monotonic()
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User1101")
        assert time.monotonic() - started >= 1.0  # Telegram's retry_after was waited out
        await alice.wait_message(contains="Main menu")
        assert statuses(shop.tg, "sendMessage") == [429, 200, 200]


async def test_a_429_on_an_edit_is_delivered_after_retry_after(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = shop.customer(1102, "en")
        await alice.send("/start")
        await alice.wait_message(contains="Main menu")
        shop.tg.fail_next("editMessageText", error_code=429, retry_after=1)
        started = time.monotonic()
        await alice.click("🌐 Language")
        await alice.wait_edit(contains="Choose your language")
        assert time.monotonic() - started >= 1.0
        assert statuses(shop.tg, "editMessageText") == [429, 200]


async def test_a_429_on_a_callback_answer_is_delivered_after_retry_after(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(1103, "en")
        await bob.send("/cancel")
        await bob.wait_message(contains="nothing to cancel")
        shop.tg.fail_next("answerCallbackQuery", error_code=429, retry_after=1)
        started = time.monotonic()
        await bob.click(callback_data="zz:unknown", message=bob.last_message)
        answer = await bob.wait_callback_answer()
        assert time.monotonic() - started >= 1.0
        assert "no longer active" in (answer.text or "")
        assert statuses(shop.tg, "answerCallbackQuery") == [429, 200]


async def test_a_5xx_to_a_send_is_retried_and_delivered(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = shop.customer(1104, "en")
        shop.tg.fail_next(
            "sendMessage", error_code=500, description="Internal Server Error", nth=2
        )  # the menu, after the welcome
        await alice.send("/start")
        await alice.wait_message(contains="Welcome, User1104")
        await alice.wait_message(contains="Main menu")
        assert statuses(shop.tg, "sendMessage") == [200, 500, 200]
        assert len([m for m in shop.tg.messages(1104) if m.from_bot]) == 2  # no duplicate


async def test_start_help_start_help_start_quickly_delivers_every_menu(tmp_path: Path) -> None:
    """The issue's scenario: a new customer sends /start, /help, /start, /help, /start at
    once and meets Telegram's flood limit; every answer arrives."""
    async with running_shop(tmp_path) as shop:
        shop.tg.flood_limit, shop.tg.flood_retry_after = 3, 1  # sends per second, then 429
        carol = shop.customer(1105, "en")
        for command in ("/start", "/help", "/start", "/help", "/start"):
            await carol.send(command)
        menus = 0
        helps = 0
        deadline = time.monotonic() + 20
        while (menus, helps) != (3, 2) and time.monotonic() < deadline:
            message = await carol.wait_message(timeout=20)
            menus += "Main menu" in message.text
            helps += "How it works" in message.text
        assert (menus, helps) == (3, 2)
        assert shop.tg.stats.too_many_requests >= 1  # the flood limit was met, and waited out
