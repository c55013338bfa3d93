"""Panel calls through real proxies on 127.0.0.1 (tests/fakes/proxies.py): PANEL_PROXY, a
PANELS entry's own "proxy" over it, and the environment's HTTP(S)_PROXY / NO_PROXY when neither
is set. Each test asserts the proxy carried the call (or did not), and that no credentials leak
into errors, logs or reprs."""

from __future__ import annotations

import json
import logging
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.logs import RedactingFilter
from bot.panel import PanelClient, PanelOutcomeUnknown, PanelRegistry, PanelUnavailable
from bot.panel.models import ServiceType
from bot.panel.params import OrderRequest
from tests.fakes.panel_server import FakePanel
from tests.fakes.proxies import HttpProxy, Socks5Proxy
from tests.fakes.scripted_http import Peer, ScriptedServer, answer

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
SECRET = ("shop-user", "s3cret-proxy-pass")
WRONG = ("shop-user", "wrong-password-x")
ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)


@pytest.fixture(autouse=True)
def no_env_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
async def panel() -> AsyncIterator[FakePanel]:
    async with FakePanel() as fake:
        yield fake


def where(panel: FakePanel) -> str:
    return f"127.0.0.1:{panel.url.split(':')[2].split('/')[0]}"


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
@pytest.mark.parametrize("auth", [None, SECRET], ids=["open", "credentials"])
async def test_panel_calls_go_through_the_proxy(
    panel: FakePanel, kind: type[HttpProxy], auth: tuple[str, str] | None
) -> None:
    async with kind(auth=auth) as proxy:
        async with PanelClient("p", panel.url, panel.key, proxy=proxy.url) as client:
            balance = await client.balance()
            await client.balance()  # a second call on the same (proxied) connection
            assert (await client.add(ADD)).isdigit()
    assert isinstance(balance.amount, Decimal)
    assert proxy.carried and set(proxy.carried) == {where(panel)}
    assert [r.action for r in panel.requests] == ["balance", "balance", "add"]
    if isinstance(proxy, HttpProxy):  # absolute-URI requests, each one through the proxy
        assert proxy.forwarded == [f"POST {panel.url}"] * 3


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
async def test_wrong_proxy_password_is_a_definite_failure_without_credentials(
    panel: FakePanel, kind: type[HttpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with kind(auth=SECRET) as proxy:
        url = proxy.url_with(WRONG)
        config = settings(panel_url=panel.url, panel_key=panel.key, panel_proxy=url)
        [spec] = config.panel_specs()  # type: ignore[attr-defined]
        async with PanelClient("p", panel.url, panel.key, proxy=spec.proxy) as client:
            with pytest.raises(PanelUnavailable) as info:
                await client.add(ADD)  # nothing reached the panel: not "outcome unknown"
            text = f"{info.value} {info.value.detail} {client!r}"
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert proxy.refused == 1 and proxy.carried == []
    assert panel.requests == []
    assert "proxy" in info.value.reason.lower()
    # What the bot logs at INFO and above shows no part of the proxy URL as it is; at DEBUG,
    # httpcore's traces name the SOCKS credentials, and the bot's log filter (fed with
    # Settings.secrets()) removes them.
    shown_info = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    redacting = RedactingFilter(config.secrets())  # type: ignore[attr-defined]
    shown_debug = "\n".join(redacting.redact(r.getMessage()) for r in caplog.records)
    for shown in (text, shown_info, shown_debug):
        assert WRONG[1] not in shown and SECRET[1] not in shown and url not in shown
        assert f"127.0.0.1:{proxy.port}" not in shown


async def test_repr_shows_no_proxy_url(panel: FakePanel) -> None:
    url = "socks5://shop-user:s3cret-proxy-pass@proxy.example:1080"
    async with PanelClient("p", panel.url, panel.key, proxy=url) as client:
        shown = repr(client)
    assert "s3cret" not in shown and "proxy.example" not in shown
    assert "socks5://***" in shown


async def test_sandbox_ignores_the_proxy() -> None:
    async with HttpProxy() as proxy:
        async with PanelClient("s", "sandbox", "", proxy=proxy.url) as client:
            assert (await client.balance()).amount >= 0
    assert proxy.carried == []


def settings(**values: str) -> object:
    return load_settings(bot_token=TOKEN, **values)


async def test_panel_proxy_for_every_panel_and_a_panels_entry_overrides_it(
    panel: FakePanel,
) -> None:
    async with FakePanel() as other, HttpProxy() as shared, Socks5Proxy(auth=SECRET) as own:
        entries = [
            {"name": "a", "url": panel.url, "key": panel.key},
            {"name": "b", "url": other.url, "key": other.key, "proxy": own.url},
        ]
        config = settings(panels=json.dumps(entries), panel_proxy=shared.url)
        registry = PanelRegistry(config.panel_specs(), timeout=2.0)  # type: ignore[attr-defined]
        try:
            await registry.get("a").balance()
            await registry.get("b").balance()
        finally:
            await registry.aclose()
    assert shared.carried == [where(panel)]
    assert own.carried == [where(other)]


async def test_panel_proxy_with_panel_url(panel: FakePanel) -> None:
    async with Socks5Proxy() as proxy:
        config = settings(panel_url=panel.url, panel_key=panel.key, panel_proxy=proxy.url)
        registry = PanelRegistry(config.panel_specs(), timeout=2.0)  # type: ignore[attr-defined]
        try:
            await registry.get("main").balance()
        finally:
            await registry.aclose()
    assert proxy.carried == [where(panel)]


async def test_environment_proxy_honoured_when_none_is_set(
    panel: FakePanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with HttpProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)  # the panel is http:// here
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with PanelClient("p", panel.url, panel.key) as client:
            await client.balance()
    assert proxy.carried == [where(panel)]


async def test_no_proxy_is_respected(panel: FakePanel, monkeypatch: pytest.MonkeyPatch) -> None:
    async with HttpProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with PanelClient("p", panel.url, panel.key) as client:
            await client.balance()
    assert proxy.carried == []
    assert [r.action for r in panel.requests] == ["balance"]


async def test_explicit_proxy_wins_over_the_environment(
    panel: FakePanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with HttpProxy() as env_proxy, Socks5Proxy() as explicit:
        monkeypatch.setenv("HTTP_PROXY", env_proxy.url)
        monkeypatch.setenv("ALL_PROXY", env_proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # and NO_PROXY does not undo PANEL_PROXY
        async with PanelClient("p", panel.url, panel.key, proxy=explicit.url) as client:
            await client.balance()
    assert env_proxy.carried == []
    assert explicit.carried == [where(panel)]


# An https:// panel: the proxy carries a CONNECT tunnel (or a SOCKS5 connection) and sees only
# TLS; the panel's certificate is trusted through SSL_CERT_FILE (httpx reads it, like the proxy
# variables, from the environment).


@pytest.fixture
def tls_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def balance_server(peer: Peer) -> None:
    while await peer.read_request() is not None:
        await peer.send(answer(b'{"balance": "7.50", "currency": "USD"}'))


async def test_https_panel_through_https_proxy_variable(
    tls_panel: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        ScriptedServer(balance_server, tls=tls_panel) as server,
        HttpProxy(auth=SECRET) as proxy,
    ):
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with PanelClient("p", server.url("/api/v2"), "key-0123456789") as client:
            assert str((await client.balance()).amount) == "7.50"
    assert proxy.carried == [f"127.0.0.1:{server.port}"]  # a CONNECT tunnel
    assert server.peers[0].writer.get_extra_info("ssl_object") is not None


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
async def test_https_panel_through_panel_proxy(
    tls_panel: ssl.SSLContext, kind: type[HttpProxy]
) -> None:
    async with ScriptedServer(balance_server, tls=tls_panel) as server, kind(auth=SECRET) as proxy:
        async with PanelClient(
            "p", server.url("/api/v2"), "key-0123456789", proxy=proxy.url
        ) as client:
            assert str((await client.balance()).amount) == "7.50"
    assert proxy.carried == [f"127.0.0.1:{server.port}"]


async def test_https_panel_wrong_connect_password_is_a_definite_failure(
    tls_panel: ssl.SSLContext,
) -> None:
    async with (
        ScriptedServer(balance_server, tls=tls_panel) as server,
        HttpProxy(auth=SECRET) as proxy,
    ):
        url = proxy.url_with(WRONG)
        async with PanelClient("p", server.url("/api/v2"), "key-0123456789", proxy=url) as client:
            with pytest.raises(PanelUnavailable) as info:
                await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "connect failed: ProxyError"
    assert server.connections == 0 and proxy.refused == 1
    assert WRONG[1] not in f"{info.value} {info.value.detail}"
