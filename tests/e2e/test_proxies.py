"""TELEGRAM_PROXY and the panel's proxy, end to end: the whole bot talks to the fake Bot API and
the fake panel through real proxies on 127.0.0.1 (tests/fakes/proxies.py), an HTTP forward
proxy and a SOCKS5 proxy, with credentials; wrong credentials fail clearly and never show."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import RedactingFilter
from bot.runtime import make_bot
from bot.telegram.telegram_session import wait_for_telegram
from tests.e2e.harness import TOKEN, make_settings, running_shop
from tests.fakes.bot_api import FakeTelegram
from tests.fakes.proxies import HttpProxy, Socks5Proxy

SECRET = ("shop-user", "s3cret-proxy-pass")
WRONG = ("shop-user", "wrong-password-x")


def address(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0]


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
async def test_bot_api_traffic_goes_through_telegram_proxy(
    tmp_path: Path, kind: type[HttpProxy]
) -> None:
    async with kind(auth=SECRET) as proxy:
        async with running_shop(tmp_path, telegram_proxy=proxy.url) as shop:
            alice = shop.customer(701, "en")
            await alice.send("/start")
            await alice.wait_message(contains="Main menu")
            tg_address = address(shop.tg.url)
        assert proxy.carried, "no Bot API call went through the proxy"
        assert set(proxy.carried) == {tg_address}
        assert proxy.refused == 0


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
async def test_panel_traffic_goes_through_panel_proxy(
    tmp_path: Path, kind: type[HttpProxy]
) -> None:
    async with kind(auth=SECRET) as proxy:
        async with running_shop(tmp_path, panel_proxy=proxy.url) as shop:
            panel_address = address(shop.panel.url)
            await shop.runtime.shop.panels.get("main").balance()
            actions = [r.action for r in shop.panel.requests]
        assert "services" in actions and actions[-1] == "balance"  # the startup sync, then ours
        assert proxy.carried and set(proxy.carried) == {panel_address}
        if isinstance(proxy, HttpProxy):  # every request the panel saw came through the proxy
            assert len(proxy.forwarded) == len(actions)
            assert {line.split(" ")[1] for line in proxy.forwarded} == {shop.panel.url}


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
async def test_wrong_telegram_proxy_password_fails_clearly_without_credentials(
    tmp_path: Path, kind: type[HttpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with FakeTelegram(token=TOKEN) as tg, kind(auth=SECRET) as proxy:
        url = proxy.url_with(WRONG)
        config = make_settings(
            "sqlite+aiosqlite:///:memory:", "sandbox", telegram_api_url=tg.url, telegram_proxy=url
        )
        bot = make_bot(config)
        try:
            # aiohttp-socks' ProxyError (not an aiohttp error: aiogram lets it through as is)
            with pytest.raises(Exception) as info:
                await bot.get_me()

            class Stop(Exception):
                pass

            async def stop(_: float) -> None:
                raise Stop

            with pytest.raises(Stop):  # the start's retry loop logs the failure once
                await wait_for_telegram(bot.get_me, sleep=stop)
        finally:
            await bot.session.close()
        assert proxy.refused >= 1 and proxy.carried == []
        assert tg.calls("getMe") == []
    logged = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert logged, "the failure was not logged"
    # the proxy's refusal, named: "ProxyError: 407 Proxy Authentication Required" (HTTP) or
    # "ProxyError: Username and password authentication failure" (SOCKS5)
    assert "ProxyError" in logged[0].getMessage()
    assert "Proxy" in type(info.value).__name__
    redacting = RedactingFilter(config.secrets())
    as_logged = "\n".join(r.getMessage() for r in caplog.records)
    as_redacted = "\n".join(redacting.redact(r.getMessage()) for r in caplog.records)
    for shown in (str(info.value), as_logged, as_redacted):
        assert WRONG[1] not in shown and url not in shown
