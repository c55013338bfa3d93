"""Webhook mode over real HTTP: setWebhook with the secret, the secret header enforced, updates
de-duplicated by update_id, /healthz; and the WEBHOOK_* settings contract."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher
from aiohttp import web
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ConfigError
from bot.runtime import Runtime
from bot.telegram.dedupe import KEEP, Claim, UpdateClaims
from bot.telegram.webhook import ENGINE_KEY, healthz, webhook_path
from storage.db import create_engine
from storage.models import ProcessedUpdate
from storage.types import utcnow
from tests.e2e.harness import TOKEN, deliver_webhook, make_settings, shop_database
from tests.fakes.bot_api import FakeTelegram
from tests.fakes.panel_server import FakePanel

SECRET = "s3cret_-TOKEN"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def webhook_shop(
    tmp_path: Path,
    faults: Callable[[FakeTelegram], object] = lambda tg: None,
) -> AsyncIterator[tuple[FakeTelegram, Runtime, str]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with FakeTelegram(token=TOKEN) as tg, FakePanel() as panel:
        faults(tg)
        config = make_settings(
            await shop_database(tmp_path),
            panel.url,
            telegram_api_url=tg.url,
            webhook_url=url,
            webhook_secret=SECRET,
            webhook_port=port,
        )
        runtime = await Runtime.start(config, background=False)
        runtime.retry_first_delay, runtime.retry_max_delay = 0.05, 0.2
        task = asyncio.create_task(runtime.serve_webhook())
        try:
            await tg.wait_until(lambda: bool(tg.calls("setWebhook")), 10)
            yield tg, runtime, url
        finally:
            await runtime.stop()
            await asyncio.wait_for(task, 10)


async def test_secret_header_is_enforced_and_updates_are_handled_once(tmp_path: Path) -> None:
    async with webhook_shop(tmp_path) as (tg, _runtime, url):
        call = tg.calls("setWebhook")[0]
        assert call.params["url"] == url and call.params["secret_token"] == SECRET
        assert not tg.calls("getUpdates")  # no polling in webhook mode

        alice = tg.user(1001, first_name="Alice")
        await alice.send("/start")
        update = tg.pending_updates[0]
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as response:
                assert response.status == 401
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as response:
                assert response.status == 401
        assert not tg.sent_messages  # rejected requests reach no handler

        # Telegram retries / a second delivery of the same update: one answer only.
        statuses = await deliver_webhook(tg, [url, url, url], SECRET)
        assert 200 in statuses and set(statuses) <= {200, 503}  # 503: "busy, retry later"
        await alice.wait_message(contains="🏪")  # welcome, then the menu
        answers = len([m for m in tg.messages(1001) if m.from_bot])
        tg.push_update(dict(update))  # the very same update_id, delivered again later
        assert await deliver_webhook(tg, [url], SECRET) == [200]
        await alice.expect_no_message(quiet=0.3)
        assert len([m for m in tg.messages(1001) if m.from_bot]) == answers == 2


async def test_healthz_reports_the_database(tmp_path: Path) -> None:
    async with webhook_shop(tmp_path) as (_tg, _runtime, url):
        async with (
            aiohttp.ClientSession() as http,
            http.get(url.replace("/tg/hook", "/healthz")) as response,
        ):
            assert response.status == 200
            assert await response.json() == {"ok": True, "database": True}


async def test_healthz_is_503_without_the_database() -> None:
    app = web.Application()
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # nothing listens
    app[ENGINE_KEY] = engine
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 503
            assert await response.json() == {"ok": False, "database": False}
    finally:
        await runner.cleanup()
        await engine.dispose()


def test_webhook_settings_contract(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET is required"):
        make_settings(url, "sandbox", webhook_url="https://shop.example/tg")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        make_settings(
            url, "sandbox", webhook_url="https://shop.example/tg", webhook_secret="has spaces!"
        )
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        make_settings(
            url, "sandbox", webhook_url="https://shop.example/tg", webhook_secret="x" * 257
        )
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        make_settings(url, "sandbox", webhook_url="ftp://shop.example/tg", webhook_secret="ok")
    settings = make_settings(
        url, "sandbox", webhook_url="https://shop.example/tg/", webhook_secret="A-z_09"
    )
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)
    assert "A-z_09" in settings.secrets()  # redacted from logs
    assert webhook_path(settings.webhook_url or "") == "/tg"
    assert webhook_path("https://shop.example") == "/webhook"
    polling = make_settings(url, "sandbox", webhook_url="", webhook_secret="")
    assert polling.webhook_url is None


async def test_update_claims_busy_done_takeover_and_prune(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    claims = UpdateClaims(sessions, lease=timedelta(seconds=0.3))
    assert await claims.claim(7) is Claim.MINE
    assert await claims.claim(7) is Claim.BUSY  # being handled elsewhere: retry later
    await asyncio.sleep(0.35)
    assert await claims.claim(7) is Claim.MINE  # its claimant died: the lease ran out
    await claims.finish(7)
    assert await claims.claim(7) is Claim.DONE and await claims.is_done(7)
    async with sessions() as session, session.begin():
        await session.execute(update(ProcessedUpdate).values(claimed_at=utcnow() - KEEP * 2))
    assert await claims.prune() == 1


async def test_a_slow_update_is_done_only_when_its_handler_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram's feed_webhook_update stops waiting after 55 s and lets the handler go on in the
    background; the claim must not be finished then. Its wait is cut to 0.3 s here (instead of
    sleeping 55 s), and the handler is made to take over 2 s (slow sendMessage answers)."""
    original = Dispatcher.feed_webhook_update

    async def short_wait(
        self: Dispatcher, bot: Any, update: Any, _timeout: float = 55, **kwargs: Any
    ) -> Any:
        return await original(self, bot, update, _timeout=0.3, **kwargs)

    monkeypatch.setattr(Dispatcher, "feed_webhook_update", short_wait)
    async with webhook_shop(tmp_path) as (tg, runtime, url):
        claims = UpdateClaims(runtime.shop.sessions)
        alice = tg.user(1002, first_name="Alice")
        await alice.send("/start")
        update = dict(tg.pending_updates[0])
        update_id = update["update_id"]
        tg.method_latency["sendMessage"] = 1.0  # welcome + menu: two of them
        first = asyncio.create_task(deliver_webhook(tg, [url], SECRET))
        await asyncio.sleep(1.2)
        assert not first.done()  # Telegram still waits: the handler has not finished
        assert not await claims.is_done(update_id)
        tg.push_update(dict(update))  # Telegram delivers it again meanwhile
        assert await deliver_webhook(tg, [url], SECRET) == [503]  # retry later, not "done"
        assert await first == [200]
        assert await claims.is_done(update_id)
        await alice.wait_message(contains="🏪")
        tg.method_latency.clear()
        tg.push_update(dict(update))
        assert await deliver_webhook(tg, [url], SECRET) == [200]  # done now: dropped
        await alice.expect_no_message(quiet=0.3)
        assert len([m for m in tg.messages(1002) if m.from_bot]) == 2


async def test_a_held_claim_is_renewed_and_never_taken_over(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    claims = UpdateClaims(sessions, lease=timedelta(seconds=0.3))
    assert await claims.claim(8) is Claim.MINE
    async with claims.held(8):
        await asyncio.sleep(0.8)  # well past the lease: a live claimant renews it
        assert await claims.claim(8) is Claim.BUSY
        assert not await claims.is_done(8)
    assert await claims.is_done(8) and await claims.claim(8) is Claim.DONE

    assert await claims.claim(9) is Claim.MINE
    with pytest.raises(RuntimeError):
        async with claims.held(9):
            raise RuntimeError("handler bug")
    assert await claims.is_done(9)  # a failing handler is not retried (as with polling)


async def test_set_webhook_failing_is_retried_while_updates_are_served(tmp_path: Path) -> None:
    def faults(tg: FakeTelegram) -> None:
        tg.answer_raw_next("getMe", 2)  # a proxy's HTML 502 pages
        tg.answer_raw_next("setWebhook", 3)
        tg.fail_next("setMyCommands", error_code=502, description="Bad Gateway")

    async with webhook_shop(tmp_path, faults) as (tg, _runtime, url):
        alice = tg.user(1003, first_name="Alice")
        await alice.send("/start")
        assert await deliver_webhook(tg, [url], SECRET) == [200]  # served meanwhile
        await alice.wait_message(contains="Welcome, Alice")
        assert await tg.wait_until(lambda: tg.webhook_url == url, 5)
        assert len(tg.calls("setWebhook")) == 4 and len(tg.calls("getMe")) == 3
