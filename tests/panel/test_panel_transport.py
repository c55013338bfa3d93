"""Http1Transport (bot/panel/transport.py): httpx's API over bot.http1, against scripted servers.

Requests go through a real `httpx.AsyncClient(transport=Http1Transport(...))`, and at the end
through PanelClient itself, to plain asyncio servers on 127.0.0.1 whose script decides byte by
byte what goes on the wire and when. A server counts the connections the client opened
(`server.connections`, `server.max_open`) and sees the client close one (`peer.client_closed`).

The error classes matter most: PanelClient treats httpx.ConnectError / ConnectTimeout as "nothing
was sent" (an order definitely not placed) and every other transport error as "sent, outcome
unknown" (held for review, never resent).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import bot.panel.transport
from bot.http1 import HttpClient, Origin, _Connection
from bot.panel import (
    OrderRequest,
    PanelClient,
    PanelOutcomeUnknown,
    PanelUnavailable,
    ServiceType,
)
from bot.panel.transport import Http1Transport
from tests.fakes import scripted_http
from tests.fakes.scripted_http import Peer, Script, answer, body_of

WAIT = 2.0  # seconds any one step may take before a test fails instead of hanging
FORM = "application/x-www-form-urlencoded"
ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)


# -- a scripted server ------------------------------------------------------------------------

def form_of(request: bytes) -> dict[str, list[str]]:
    return parse_qs(body_of(request).decode(), keep_blank_values=True)


class ScriptedServer(scripted_http.ScriptedServer):
    PATH = "/api/v2"


async def wait(event: asyncio.Event) -> None:
    async with asyncio.timeout(WAIT):
        await event.wait()


def unused_port() -> int:
    """A port nobody listens on: connecting to it is refused."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return unused.getsockname()[1]


async def answer_once_then_serve(peer: Peer, response: bytes) -> None:
    """Connection 0 answers its first request with `response`, then serves; later ones serve."""
    if peer.index == 0:
        await peer.read_request()
        await peer.send(response)
    await peer.serve()


MakeClient = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """httpx.AsyncClient over a fresh Http1Transport (keyword arguments go to the transport)."""
    clients: list[httpx.AsyncClient] = []

    def make(*, timeout: httpx.Timeout | None = None, **transport: Any) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=Http1Transport(**transport), timeout=timeout or httpx.Timeout(WAIT),
            headers={"User-Agent": "panel-test/1", "Accept": "application/json"})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    await asyncio.sleep(0)  # let the closed transports finish closing


# 1. The request on the wire

async def test_form_post_on_the_wire(make_client: MakeClient) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(answer(b"{}"))
        await peer.until_client_closes()

    client = make_client()
    async with ScriptedServer(script) as server:
        response = await client.post(server.url("/path?x=1"),
                                     data={"key": "k-1", "action": "add", "link": "https://a/b c"})
    assert response.status_code == 200
    body = b"key=k-1&action=add&link=https%3A%2F%2Fa%2Fb+c"
    head = "\r\n".join([
        "POST /path?x=1 HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        f"Accept-Encoding: {client.headers['Accept-Encoding']}",  # httpx's default
        "Connection: keep-alive",
        "User-Agent: panel-test/1",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
        f"Content-Type: {FORM}",
    ])
    assert server.peers[0].requests == [head.encode() + b"\r\n\r\n" + body]


async def test_streamed_body_is_sent_framed_by_length(make_client: MakeClient) -> None:
    async def parts() -> AsyncIterator[bytes]:  # httpx announces Transfer-Encoding: chunked
        yield b"key=k-1&"
        yield b"action=balance"

    client = make_client()
    async with ScriptedServer(Peer.serve) as server:
        assert (await client.post(server.url(), content=parts())).text == "key=k-1&action=balance"
        assert (await client.post(server.url(), content=b"next")).text == "next"
        assert server.connections == 1  # the server read the body where it ended: in step
    first = server.requests[0]
    assert b"\r\nContent-Length: 22\r\n" in first
    assert b"transfer-encoding" not in first.lower()


# 2. Answers, decoded as httpx does

async def test_status_headers_and_text(make_client: MakeClient) -> None:
    text = '{"error": "Недостаточно средств"}'
    response_bytes = answer(text.encode("cp1251"), "422 Unprocessable Entity",
                            "Content-Type: application/json; charset=windows-1251",
                            "X-Panel:   spaced  ")
    async with ScriptedServer(lambda peer: answer_once_then_serve(peer, response_bytes)) as server:
        response = await make_client().post(server.url(), data={"action": "add"})
    assert response.status_code == 422
    assert response.headers["x-panel"] == "spaced"
    assert response.headers["content-type"] == "application/json; charset=windows-1251"
    assert response.text == text  # decoded with the charset the answer named


async def test_gzip_body_is_decompressed(make_client: MakeClient) -> None:
    text = '{"balance": "100.84292", "currency": "USD"}' * 20
    compressed = gzip.compress(text.encode())
    assert len(compressed) < len(text)
    response_bytes = answer(compressed, "200 OK", "Content-Encoding: gzip",
                            "Content-Type: application/json")
    client = make_client()
    async with ScriptedServer(lambda peer: answer_once_then_serve(peer, response_bytes)) as server:
        response = await client.post(server.url(), data={"action": "balance"})
        assert response.headers["content-encoding"] == "gzip"
        assert response.text == text
        assert (await client.post(server.url(), content=b"next")).text == "next"
        assert server.connections == 1  # the compressed body was framed right


async def test_chunked_body(make_client: MakeClient) -> None:
    head = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n")
    chunks = b'6\r\n{"orde\r\n7;ext=1\r\nr": 235\r\n3\r\n01}\r\n0\r\n\r\n'

    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(head, chunks[:9], chunks[9:30], chunks[30:], pause=0.005)
        await peer.serve()

    client = make_client()
    async with ScriptedServer(script) as server:
        response = await client.post(server.url(), data={"action": "add"})
        assert response.text == '{"order": 23501}'
        assert response.json() == {"order": 23501}
        assert (await client.post(server.url(), content=b"next")).text == "next"
        assert server.connections == 1  # the last chunk was consumed: the connection is in step


async def test_body_ended_by_close(make_client: MakeClient) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", b'{"status": "ok"}',
                        pause=0.005)
        # returning closes the connection: that is the body's end

    client = make_client()
    async with ScriptedServer(script) as server:
        for n in range(2):
            response = await client.post(server.url(), data={"n": str(n)})
            assert response.text == '{"status": "ok"}'
        assert server.connections == 2  # the closed connection was not reused


# 3. Keep-alive and the limit

async def test_sequential_calls_share_one_connection(make_client: MakeClient) -> None:
    client = make_client()
    async with ScriptedServer(Peer.serve) as server:
        texts = [(await client.post(server.url(), content=b"call %d" % n)).text for n in range(3)]
    assert texts == ["call 0", "call 1", "call 2"]
    assert server.connections == 1
    assert len(server.peers[0].requests) == 3


async def test_limit_bounds_open_connections(make_client: MakeClient) -> None:
    client = make_client(limit=2)
    async with ScriptedServer(lambda peer: peer.serve(delay=0.02)) as server:
        bodies = [b"call %d" % n for n in range(5)]
        responses = await asyncio.gather(*(client.post(server.url(), content=b) for b in bodies))
        assert [response.content for response in responses] == bodies
        assert server.max_open == 2  # two at once, never more
        assert server.connections == 2
        assert len(server.requests) == 5


# 4. Errors: "nothing was sent" versus "sent, outcome unknown"

async def test_connection_refused_is_connect_error(make_client: MakeClient) -> None:
    url = f"http://127.0.0.1:{unused_port()}/api/v2"
    with pytest.raises(httpx.ConnectError) as info:
        await make_client().post(url, data={"action": "add"})
    assert info.value.request.url == url


async def test_slow_connect_is_connect_timeout(make_client: MakeClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    async def never_connects(self: HttpClient, origin: Origin) -> _Connection:
        await asyncio.sleep(WAIT)
        raise AssertionError("the connect timeout did not fire")

    monkeypatch.setattr(HttpClient, "_connect", never_connects)
    client = make_client(timeout=httpx.Timeout(1.0, connect=0.05))
    started = time.monotonic()
    with pytest.raises(httpx.ConnectTimeout):
        await client.post(f"http://127.0.0.1:{unused_port()}/api/v2", data={"action": "add"})
    assert time.monotonic() - started < 0.5  # the connect timeout, not the read timeout


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
    await peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"order\":")


async def close_inside_chunks(peer: Peer) -> None:
    await peer.read_request()
    await peer.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")


@pytest.mark.parametrize("script", [close_after_request, reset_after_request, close_inside_head,
                                    close_inside_body, close_inside_chunks])
async def test_lost_after_sending_is_remote_protocol_error(make_client: MakeClient,
                                                           script: Script) -> None:
    async with ScriptedServer(script) as server:
        with pytest.raises(httpx.TransportError) as info:
            await make_client().post(server.url(), data={"action": "add"})
    assert type(info.value) is httpx.RemoteProtocolError  # not ConnectError: it was sent
    assert not isinstance(info.value, (httpx.ConnectError, httpx.TimeoutException))
    assert len(server.requests) == 1 and form_of(server.requests[0]) == {"action": ["add"]}


async def test_no_answer_is_read_timeout_then_a_new_connection(make_client: MakeClient) -> None:
    async def script(peer: Peer) -> None:  # connection 0 reads the request and never answers
        if peer.index == 0:
            await peer.read_request()
            await peer.until_client_closes()
        else:
            await peer.serve()

    client = make_client(timeout=httpx.Timeout(0.3, connect=1.0))
    async with ScriptedServer(script) as server:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            async with asyncio.timeout(WAIT):  # a hang fails the test (TimeoutError) instead
                await client.post(server.url(), content=b"first")
        elapsed = time.monotonic() - started
        assert 0.28 <= elapsed < 0.9  # the read timeout (0.3 s), not the connect timeout (1 s)
        await wait(server.peers[0].client_closed)  # the timed-out connection is closed
        assert (await client.post(server.url(), content=b"second")).text == "second"
        assert server.connections == 2
        assert [len(peer.requests) for peer in server.peers] == [1, 1]


# 5. Only http and https

@pytest.mark.parametrize("scheme", ["ftp", "ws", "file"])
async def test_other_scheme_is_unsupported_protocol(make_client: MakeClient, scheme: str) -> None:
    async with ScriptedServer(Peer.serve) as server:
        url = server.url().replace("http", scheme, 1)
        with pytest.raises(httpx.UnsupportedProtocol):
            await make_client().post(url, data={"action": "add"})
        with pytest.raises(httpx.UnsupportedProtocol):  # the transport itself refuses it
            await Http1Transport().handle_async_request(httpx.Request("POST", url))
    assert server.connections == 0


# 6. Idle connections expire after PANEL_KEEPALIVE

async def test_connection_idle_past_panel_keepalive_is_not_reused(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # read when the transport is made (bot.http1's own KEEPALIVE, 15 s, stays as it is)
    monkeypatch.setattr(bot.panel.transport, "PANEL_KEEPALIVE", 0.1)
    client = make_client()
    async with ScriptedServer(Peer.serve) as server:
        await client.post(server.url(), content=b"1")
        await client.post(server.url(), content=b"2")
        assert server.connections == 1  # idle for less than 0.1 s: reused
        await asyncio.sleep(0.15)
        assert (await client.post(server.url(), content=b"3")).text == "3"
        assert server.connections == 2  # idle for longer: a new connection
        await wait(server.peers[0].client_closed)  # and the stale one closed
        assert [len(peer.requests) for peer in server.peers] == [2, 1]


# 7. aclose

async def test_aclose_closes_idle_connections(make_client: MakeClient) -> None:
    client = make_client()
    async with ScriptedServer(Peer.serve) as server:
        await client.post(server.url(), content=b"x")
        await asyncio.sleep(0.02)
        assert not server.peers[0].client_closed.is_set()  # kept alive while idle
        await client.aclose()
        await wait(server.peers[0].client_closed)  # the server sees EOF


# 8. Through PanelClient

async def test_panel_client_sends_over_http1_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Origin] = []
    send = HttpClient.send

    async def counting_send(self: HttpClient, origin: Origin, request: bytes,
                            **timeouts: float | None) -> Any:
        sent.append(origin)
        return await send(self, origin, request, **timeouts)

    monkeypatch.setattr(HttpClient, "send", counting_send)
    balance = b'{"balance": "100.84", "currency": "EUR"}'
    async with ScriptedServer(lambda peer: answer_once_then_serve(peer, answer(balance))) as server:
        async with PanelClient("p", server.url(), "key-0123456789", timeout=1.0) as client:
            assert isinstance(client._http._transport, Http1Transport)
            result = await client.balance()
    assert (result.amount, result.currency) == (Decimal("100.84"), "EUR")
    assert sent == [("http", "127.0.0.1", server.port)]  # it went through bot.http1
    [request] = server.requests
    assert request.startswith(b"POST /api/v2 HTTP/1.1\r\n")
    assert b"\r\nUser-Agent: Mozilla/5.0 " in request
    assert b"\r\nContent-Type: %s\r\n" % FORM.encode() in request
    assert form_of(request) == {"key": ["key-0123456789"], "action": ["balance"]}


async def test_panel_add_dropped_after_sending_is_outcome_unknown() -> None:
    async with ScriptedServer(close_after_request) as server:
        async with PanelClient("p", server.url(), "key-0123456789", timeout=1.0,
                               dialect="v2") as client:
            with pytest.raises(PanelOutcomeUnknown) as info:
                await client.add(ADD)
    assert not isinstance(info.value, PanelUnavailable)
    assert info.value.reason == "connection broken: RemoteProtocolError"
    [request] = server.requests  # sent once, never resent
    assert form_of(request)["action"] == ["add"]


async def test_panel_add_refused_is_unavailable_not_outcome_unknown() -> None:
    url = f"http://127.0.0.1:{unused_port()}/api/v2"
    async with PanelClient("p", url, "key-0123456789", timeout=1.0, dialect="v2") as client:
        with pytest.raises(PanelUnavailable) as info:
            await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "connect failed: ConnectError"


async def test_panel_add_slow_connect_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never_connects(self: HttpClient, origin: Origin) -> _Connection:
        await asyncio.sleep(WAIT)
        raise AssertionError("the connect timeout did not fire")

    monkeypatch.setattr(HttpClient, "_connect", never_connects)
    url = f"http://127.0.0.1:{unused_port()}/api/v2"
    async with PanelClient("p", url, "key-0123456789", timeout=1.0, connect_timeout=0.05,
                           dialect="v2") as client:
        with pytest.raises(PanelUnavailable) as info:
            await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "connect failed: ConnectTimeout"
