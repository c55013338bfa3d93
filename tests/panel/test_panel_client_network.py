"""PanelClient over stock httpx against scripted servers on 127.0.0.1 (tests/fakes/scripted_http):
what reaches the wire, "nothing was sent" versus "sent, outcome unknown" for an add, the bound on
an answer's size, and idle connections dropped before a panel closes them."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest

import bot.panel.client
from bot.panel import (
    OrderRequest,
    PanelClient,
    PanelOutcomeUnknown,
    PanelUnavailable,
    ServiceType,
)
from tests.fakes import scripted_http
from tests.fakes.scripted_http import Peer, Script, answer, body_of

WAIT = 2.0  # seconds any one step may take before a test fails instead of hanging
KEY = "key-0123456789"
ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)
BALANCE = b'{"balance": "100.84", "currency": "EUR"}'


class ScriptedServer(scripted_http.ScriptedServer):
    PATH = "/api/v2"


def form_of(request: bytes) -> dict[str, list[str]]:
    return parse_qs(body_of(request).decode(), keep_blank_values=True)


def unused_port() -> int:
    """A port nobody listens on: connecting to it is refused."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return unused.getsockname()[1]


async def balance_server(peer: Peer) -> None:
    while await peer.read_request() is not None:
        await peer.send(answer(BALANCE))


async def test_request_on_the_wire() -> None:
    async with ScriptedServer(balance_server) as server:
        async with PanelClient("p", server.url(), KEY, timeout=1.0) as client:
            balance = await client.balance()
    assert str(balance.amount) == "100.84"
    [request] = server.requests
    assert request.startswith(b"POST /api/v2 HTTP/1.1\r\n")
    assert b"\r\nUser-Agent: Mozilla/5.0 " in request
    assert b"\r\nContent-Type: application/x-www-form-urlencoded\r\n" in request
    assert form_of(request) == {"key": [KEY], "action": ["balance"]}


# "Nothing was sent" (a definite failure) versus "sent, outcome unknown" for an add


async def close_after_request(peer: Peer) -> None:
    await peer.read_request()


async def reset_after_request(peer: Peer) -> None:
    await peer.read_request()
    peer.reset()


async def close_inside_head(peer: Peer) -> None:
    await peer.read_request()
    await peer.send(b"HTTP/1.1 200 OK\r\nContent-Le")


async def close_inside_body(peer: Peer) -> None:
    await peer.read_request()
    await peer.send(b'HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{"order":')


async def close_inside_chunks(peer: Peer) -> None:
    await peer.read_request()
    await peer.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")


@pytest.mark.parametrize(
    "script",
    [
        close_after_request,
        reset_after_request,
        close_inside_head,
        close_inside_body,
        close_inside_chunks,
    ],
)
async def test_add_lost_after_sending_is_outcome_unknown(script: Script) -> None:
    async with ScriptedServer(script) as server:
        async with PanelClient("p", server.url(), KEY, timeout=1.0, dialect="v2") as client:
            with pytest.raises(PanelOutcomeUnknown) as info:
                await client.add(ADD)
    assert info.value.reason.startswith("connection broken: ")
    [request] = server.requests  # sent once, never resent
    assert form_of(request)["action"] == ["add"]


async def test_add_unanswered_is_outcome_unknown_after_the_read_timeout() -> None:
    async def silent(peer: Peer) -> None:
        await peer.read_request()
        await peer.until_client_closes()

    async with ScriptedServer(silent) as server:
        async with PanelClient(
            "p", server.url(), KEY, timeout=0.3, connect_timeout=1.0, dialect="v2"
        ) as client:
            started = time.monotonic()
            with pytest.raises(PanelOutcomeUnknown) as info:
                await client.add(ADD)
            elapsed = time.monotonic() - started
    assert info.value.reason == "timeout: ReadTimeout"
    assert 0.28 <= elapsed < 0.9  # the read timeout, not the connect timeout
    assert len(server.requests) == 1


async def test_add_refused_connection_is_unavailable_not_outcome_unknown() -> None:
    url = f"http://127.0.0.1:{unused_port()}/api/v2"
    async with PanelClient("p", url, KEY, timeout=1.0, dialect="v2") as client:
        with pytest.raises(PanelUnavailable) as info:
            await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "connect failed: ConnectError"


@pytest.fixture
async def unaccepting() -> AsyncIterator[str]:
    """A listener whose backlog is full: the kernel leaves new connects unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}/api/v2"
    for sock in (*fillers, listener):
        sock.close()


async def test_add_slow_connect_is_unavailable(unaccepting: str) -> None:
    async with PanelClient(
        "p", unaccepting, KEY, timeout=1.0, connect_timeout=0.1, dialect="v2"
    ) as client:
        with pytest.raises(PanelUnavailable) as info:
            await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "connect failed: ConnectTimeout"


# The bound on an answer's size


async def test_answer_over_the_cap_is_refused_without_reading_it_all() -> None:
    sent = asyncio.Event()

    async def endless(peer: Peer) -> None:  # a chunked answer that never ends
        await peer.read_request()
        await peer.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        try:
            for _ in range(1000):  # 64 MB if the client read it all
                await peer.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            sent.set()  # the client dropped the connection
        await peer.until_client_closes()

    async with ScriptedServer(endless) as server:
        async with PanelClient("p", server.url(), KEY, timeout=2.0, retries=0) as client:
            with pytest.raises(PanelUnavailable) as info:
                async with asyncio.timeout(WAIT):
                    await client.balance()
        await asyncio.wait_for(sent.wait(), WAIT)  # dropped mid-answer, not read to its end
    assert info.value.reason == "answer over 256 kB (HTTP 200)"


async def test_compressed_answer_is_bounded_by_its_decoded_size() -> None:
    bomb = gzip.compress(b" " * 2_000_000)  # 2 MB of spaces in a few kB

    async def script(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(answer(bomb, "200 OK", "Content-Encoding: gzip"))

    async with ScriptedServer(script) as server:
        async with PanelClient("p", server.url(), KEY, timeout=2.0, retries=0) as client:
            with pytest.raises(PanelUnavailable) as info:
                await client.balance()
    assert info.value.reason == "answer over 256 kB (HTTP 200)"


async def test_add_answer_over_the_cap_is_outcome_unknown() -> None:
    async def script(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(answer(b'{"order": 5, "x": "' + b"y" * 300_000 + b'"}'))

    async with ScriptedServer(script) as server:
        async with PanelClient("p", server.url(), KEY, timeout=2.0, dialect="v2") as client:
            with pytest.raises(PanelOutcomeUnknown) as info:
                await client.add(ADD)
    assert info.value.reason == "answer over 256 kB (HTTP 200)"


async def test_catalog_has_the_larger_cap() -> None:
    rows = b",".join(
        b'{"service": %d, "name": "S%d %s", "rate": "1.5", "min": 10, '
        b'"max": 1000, "type": "Default", "category": "C"}' % (n, n, b"d" * 200)
        for n in range(1, 2001)
    )

    async def script(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(answer(b"[" + rows + b"]"))

    assert len(rows) > bot.panel.client.MAX_OTHER_BODY_BYTES
    async with ScriptedServer(script) as server:
        async with PanelClient("p", server.url(), KEY, timeout=2.0) as client:
            assert len(await client.services()) == 2000


# Idle connections expire before the panel's keep-alive does


async def test_connection_idle_past_panel_keepalive_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.panel.client, "PANEL_KEEPALIVE", 0.1)  # read when a client is made
    async with ScriptedServer(balance_server) as server:
        async with PanelClient("p", server.url(), KEY, timeout=1.0) as client:
            await client.balance()
            await client.balance()
            assert server.connections == 1  # idle for less than 0.1 s: reused
            await asyncio.sleep(0.2)
            await client.balance()
            assert server.connections == 2  # idle for longer: a new connection
    assert [len(peer.requests) for peer in server.peers] == [2, 1]
