"""bot.http1, the bot's HTTP/1.1 client, against scripted servers on 127.0.0.1.

Every server here is a plain asyncio server whose script decides byte by byte what goes on the
wire and when, so a test controls framing, timing and closing, and counts the connections the
client opened (`server.connections`) and whether the client closed one (`peer.client_closed`).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import struct
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot import http1
from bot.http1 import HttpClient, HttpError, MalformedResponse, Response, ServerDisconnected
from tests.fakes import scripted_http
from tests.fakes.scripted_http import Peer, answer, body_of

JSON = "application/json"
WAIT = 2.0  # seconds any one step may take before a test fails instead of hanging


class ScriptedServer(scripted_http.ScriptedServer):
    PATH = "/bot1:TOKEN/sendMessage"


async def post(client: HttpClient, url: str, body: bytes = b"{}") -> Response:
    async with asyncio.timeout(WAIT):
        return await client.post(url, body, JSON)


async def wait(event: asyncio.Event) -> None:
    async with asyncio.timeout(WAIT):
        await event.wait()


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(int(WAIT * 1000)):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition not met in time")


def idle_connections(client: HttpClient) -> list[http1._Connection]:
    return [connection for pool in client._idle.values() for connection in pool]


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    http = HttpClient()
    yield http
    await http.close()
    await asyncio.sleep(0)  # let the closed transports finish closing


async def answer_then_serve(peer: Peer, *pieces: bytes, pause: float = 0.0) -> None:
    """Connection 0: answer the first request with `pieces`, then wait for the client to close;
    later connections: serve normally."""
    if peer.index:
        await peer.serve()
        return
    await peer.read_request()
    await peer.send(*pieces, pause=pause)
    await peer.until_client_closes()


# 1. The request on the wire

async def test_request_on_the_wire(client: HttpClient) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(answer(b"nah", "404 Not Found", "X-Thing:   spaced value  "))
        await peer.read_request()
        await peer.send(answer())
        await peer.until_client_closes()

    async with ScriptedServer(script) as server:
        url = server.url("/bot1:TOKEN/sendMessage?chat_id=5&x=a%20b")
        response = await client.post(url, b'{"text":"hi"}', "application/json; charset=utf-8")
        await post(client, server.url("/bot1:TOKEN/getMe"), b"")

    host = f"Host: 127.0.0.1:{server.port}\r\n"
    assert server.peers[0].requests == [
        (f"POST /bot1:TOKEN/sendMessage?chat_id=5&x=a%20b HTTP/1.1\r\n{host}"
         "User-Agent: smm-shop-bot\r\nAccept: */*\r\n"
         "Content-Type: application/json; charset=utf-8\r\nContent-Length: 13\r\n"
         '\r\n{"text":"hi"}').encode(),
        (f"POST /bot1:TOKEN/getMe HTTP/1.1\r\n{host}User-Agent: smm-shop-bot\r\nAccept: */*\r\n"
         "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n").encode(),
    ]
    assert response == Response(404, {"x-thing": "spaced value", "content-length": "3"}, b"nah")


@pytest.mark.parametrize(("url", "request_line", "host"), [
    ("https://api.telegram.org/bot1/getMe", "POST /bot1/getMe HTTP/1.1", "api.telegram.org"),
    ("https://api.telegram.org:443/x?a=1", "POST /x?a=1 HTTP/1.1", "api.telegram.org"),
    ("http://example.org:80", "POST / HTTP/1.1", "example.org"),
    ("http://example.org:443/x", "POST /x HTTP/1.1", "example.org:443"),
    ("https://example.org:8443/x", "POST /x HTTP/1.1", "example.org:8443"),
    ("http://[::1]:8081/x", "POST /x HTTP/1.1", "[::1]:8081"),
])
def test_request_line_and_host_for_url(url: str, request_line: str, host: str) -> None:
    head = HttpClient(user_agent="agent/1")._target(url, JSON).head.decode()
    assert head == (f"{request_line}\r\nHost: {host}\r\nUser-Agent: agent/1\r\nAccept: */*\r\n"
                    f"Content-Type: {JSON}\r\nContent-Length: ")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "ws://example.org/", "example.org/x",
                                 "http:///no-host", "file:///etc/passwd"])
async def test_not_an_http_url(client: HttpClient, url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        await post(client, url)


async def test_connection_refused_is_an_oserror(client: HttpClient) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(OSError):
        await post(client, f"http://127.0.0.1:{port}/x")


# 2. Keep-alive and the limit

async def test_sequential_requests_reuse_one_connection(client: HttpClient) -> None:
    async with ScriptedServer(Peer.serve) as server:
        bodies = [b'{"n":%d}' % n for n in range(5)]
        responses = [await post(client, server.url(), body) for body in bodies]
    assert [response.body for response in responses] == bodies
    assert server.connections == 1
    assert len(server.peers[0].requests) == 5


async def test_concurrent_requests_open_several_connections(client: HttpClient) -> None:
    arrived = 0
    all_arrived = asyncio.Event()

    async def script(peer: Peer) -> None:  # holds every answer until 3 requests are in
        nonlocal arrived
        while (request := await peer.read_request()) is not None:
            arrived += 1
            if arrived == 3:
                all_arrived.set()
            await all_arrived.wait()
            await peer.send(answer(body_of(request)))

    async with ScriptedServer(script) as server:
        bodies = [b"a", b"b", b"c"]
        responses = await asyncio.gather(*(post(client, server.url(), b) for b in bodies))
        assert [response.body for response in responses] == bodies
        assert server.connections == 3
        for body in (b"d", b"e", b"f", b"g"):  # afterwards, the pool's connections are reused
            assert (await post(client, server.url(), body)).body == body
        assert server.connections == 3


async def test_limit_bounds_connections_open_at_once() -> None:
    client = HttpClient(limit=2)
    async with ScriptedServer(lambda peer: peer.serve(delay=0.02)) as server:
        bodies = [b"%d" % n for n in range(5)]
        responses = await asyncio.gather(*(post(client, server.url(), b) for b in bodies))
        assert [response.body for response in responses] == bodies
        assert server.max_open == 2
        assert server.connections == 2
        assert sum(len(peer.requests) for peer in server.peers) == 5
        await client.close()


async def test_most_recently_released_connection_is_reused_first(client: HttpClient) -> None:
    slow_arrived, hold = asyncio.Event(), asyncio.Event()

    async def script(peer: Peer) -> None:  # answers which connection it came on
        while (request := await peer.read_request()) is not None:
            if body_of(request) == b"slow":
                slow_arrived.set()
                await hold.wait()
            await peer.send(answer(b"%d" % peer.index))

    async with ScriptedServer(script) as server:
        slow = asyncio.create_task(post(client, server.url(), b"slow"))
        await wait(slow_arrived)
        assert (await post(client, server.url())).body == b"1"  # idle from now on
        hold.set()
        assert (await slow).body == b"0"  # released last
        for _ in range(3):
            assert (await post(client, server.url())).body == b"0"
        assert server.connections == 2


# 3. Body framing

async def test_content_length_body_in_small_writes(client: HttpClient) -> None:
    body = b'{"ok":true,"result":{"message_id":42}}'
    pieces = (b"HTTP/1.1 200 OK\r\nContent-Ty", b"pe: application/json\r\nContent-Length: ",
              b"%d\r" % len(body), b"\n\r\n", body[:1], body[1:20], body[20:-1], body[-1:])

    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(*pieces, pause=0.01)
        await peer.serve()

    async with ScriptedServer(script) as server:
        response = await post(client, server.url())
        assert response == Response(200, {"content-type": "application/json",
                                          "content-length": str(len(body))}, body)
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 1  # the framing left the connection in step


async def test_large_body(client: HttpClient) -> None:
    body = bytes(range(256)) * 8192  # 2 MiB, many reads

    async def script(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(answer(body))

    async with ScriptedServer(script) as server:
        assert (await post(client, server.url())).body == body
        assert (await post(client, server.url())).body == body
        assert server.connections == 1


CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n"
CHUNKED_BODY = (b"5;name=value\r\nhello\r\n"  # a chunk extension
                b"1A ; a=1;b\r\nabcdefghijklmnopqrstuvwxyz\r\n"  # upper-case hex, spaces
                b"1\r\n\n\r\n"  # a chunk holding a line feed
                b"0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n")  # trailer fields
CHUNKED_DATA = b"helloabcdefghijklmnopqrstuvwxyz\n"


async def test_chunked_body_split_at_awkward_points(client: HttpClient) -> None:
    wire = CHUNKED_HEAD + CHUNKED_BODY
    cuts = [wire.index(b"\r\n\r\n") + 2,  # between the head's two line ends
            len(CHUNKED_HEAD) + 1,  # inside the first size line
            len(CHUNKED_HEAD) + 7,  # inside its extension
            wire.index(b"hello") + 2,  # inside a chunk's data
            wire.index(b"hello") + 5,  # before a chunk's CRLF
            wire.index(b"1A") + 1,  # inside the size "1A"
            wire.index(b"1A ; a=1;b\r") + 11,  # between a size line's CR and LF
            wire.index(b"\n\r\n0\r\n") + 1,  # before the CRLF after the data "\n"
            wire.index(b"0\r\nX-") + 1,  # between the last chunk's "0" and its CRLF
            wire.index(b"X-More") + 3,  # inside a trailer field
            len(wire) - 2,  # before the final empty line
            len(wire) - 1]  # between its CR and LF
    assert cuts == sorted(set(cuts))
    pieces = [wire[start:end] for start, end in zip([0, *cuts], [*cuts, len(wire)], strict=True)]

    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(*pieces, pause=0.005)
        await peer.serve()

    async with ScriptedServer(script) as server:
        response = await post(client, server.url())
        assert response.body == CHUNKED_DATA
        assert response.headers == {"transfer-encoding": "chunked", "x-kind": "chunked"}
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 1  # the trailer was consumed: the connection is in step


# The same parser without sockets, so every split point can be tried

class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


async def feed(*pieces: bytes) -> tuple[Response, http1._Connection]:
    """An answer fed to a connection's parser piece by piece (each a separate read)."""
    connection = http1._Connection()
    connection.connection_made(FakeTransport())
    exchange = asyncio.ensure_future(connection.exchange(b"request"))
    await asyncio.sleep(0)
    for piece in pieces:
        connection.data_received(piece)
    async with asyncio.timeout(WAIT):
        return await exchange, connection


@pytest.mark.parametrize(("wire", "body"), [
    (CHUNKED_HEAD + CHUNKED_BODY, CHUNKED_DATA),
    (b"HTTP/1.1 100 Continue\r\n\r\n" + answer(b"0123456789"), b"0123456789"),
    (b"HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n", b""),
], ids=["chunked", "100-continue", "204"])
async def test_parser_at_every_split_point(wire: bytes, body: bytes) -> None:
    for cut in range(1, len(wire)):
        response, connection = await feed(wire[:cut], wire[cut:])
        assert response.body == body, cut
        assert connection.reusable, cut
    response, connection = await feed(*(wire[i:i + 1] for i in range(len(wire))))
    assert response.body == body
    assert connection.reusable


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n",  # no framing at all: the body ends with the connection
    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n",
], ids=["connection-close", "unframed", "http1.0"])
async def test_body_read_until_server_closes(client: HttpClient, head: bytes) -> None:
    async def script(peer: Peer) -> None:
        if peer.index:
            await peer.serve()
            return
        await peer.read_request()
        await peer.send(head, b"first part, ", b"second part", pause=0.01)
        # the script ends: the server closes the connection

    async with ScriptedServer(script) as server:
        response = await post(client, server.url())
        assert (response.status, response.body) == (200, b"first part, second part")
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 2


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
], ids=["204", "304", "length-0"])
async def test_answers_without_a_body(client: HttpClient, head: bytes) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(head)  # and the connection stays open: no waiting for its end
        await peer.serve()

    async with ScriptedServer(script) as server:
        response = await post(client, server.url())
        assert (response.status, response.body) == (int(head[9:12]), b"")
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 1


@pytest.mark.parametrize("pause", [0.0, 0.02], ids=["same-write", "separate-writes"])
async def test_interim_100_continue(client: HttpClient, pause: float) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n",
                        answer(b"real", "201 Created", "X-Final: 1"), pause=pause)
        await peer.serve()

    async with ScriptedServer(script) as server:
        response = await post(client, server.url())
        assert response == Response(201, {"x-final": "1", "content-length": "4"}, b"real")
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 1


# 4. The Connection header

@pytest.mark.parametrize(("first", "reused"), [
    (answer(b"ok"), True),
    (answer(b"ok", "200 OK", "Connection: keep-alive"), True),
    (answer(b"ok", "200 OK", "Connection: close"), False),
    (answer(b"ok", "200 OK", "connection:  Close"), False),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
    (b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", True),
], ids=["1.1", "1.1-keep-alive", "1.1-close", "1.1-Close", "1.0", "1.0-keep-alive"])
async def test_connection_header_decides_reuse(client: HttpClient, first: bytes,
                                               reused: bool) -> None:
    async def script(peer: Peer) -> None:  # the server never closes a connection itself
        if peer.index == 0 and await peer.read_request() is not None:
            await peer.send(first)
        await peer.serve()

    async with ScriptedServer(script) as server:
        assert (await post(client, server.url())).body == b"ok"
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == (1 if reused else 2)
        if not reused:
            await wait(server.peers[0].client_closed)  # the client closed it, right away


# 5. The server goes away

@pytest.mark.parametrize("partial", [
    b"",  # nothing at all
    b"HTTP/1.1 200 OK\r\nContent-Le",  # mid head
    b"HTTP/1.1 100 Continue\r\n\r\n",  # only the interim answer
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",  # mid body
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",  # mid chunk
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",  # before the last one
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",  # mid trailer
], ids=["nothing", "mid-head", "interim-only", "mid-body", "mid-chunk", "before-last-chunk",
        "mid-trailer"])
async def test_server_disconnects_before_answering_in_full(client: HttpClient,
                                                           partial: bytes) -> None:
    async def script(peer: Peer) -> None:
        if peer.index:
            await peer.serve()
            return
        await peer.read_request()
        await peer.send(partial)  # and close

    async with ScriptedServer(script) as server:
        with pytest.raises(ServerDisconnected) as caught:
            await post(client, server.url())
        assert isinstance(caught.value, HttpError)
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 2


async def test_connection_reset_while_reading_until_close(client: HttpClient) -> None:
    async def script(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ntrunc")
        await asyncio.sleep(0.02)  # the client reads that much
        sock = peer.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        peer.writer.transport.abort()  # a reset, not the end of the body

    async with ScriptedServer(script) as server:
        with pytest.raises(ServerDisconnected):
            await post(client, server.url())


# 6. Malformed answers

BAD_ANSWERS = {
    "garbage status line": b"garbage\r\n\r\n",
    "status line without a code": b"HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    "not a number": b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
    "not HTTP/1": b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
    "header line without colon": b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
    "bad Content-Length": b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
    "negative Content-Length": b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "bad chunk size": CHUNKED_HEAD + b"zz\r\nhello\r\n0\r\n\r\n",
    "empty chunk size": CHUNKED_HEAD + b"\r\nhello\r\n0\r\n\r\n",
    "negative chunk size": CHUNKED_HEAD + b"-2\r\n5\r\nhello\r\n0\r\n\r\n",
    "0x chunk size": CHUNKED_HEAD + b"0x5\r\nhello\r\n0\r\n\r\n",
    "+ chunk size": CHUNKED_HEAD + b"+5\r\nhello\r\n0\r\n\r\n",
    "_ chunk size": CHUNKED_HEAD + b"5_0\r\nhello\r\n0\r\n\r\n",
    "chunk longer than its size": CHUNKED_HEAD + b"3\r\nhello\r\n0\r\n\r\n",
    "chunk data without CRLF": CHUNKED_HEAD + b"3\r\nabcXY0\r\n\r\n",
}


@pytest.mark.parametrize("bad", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
async def test_malformed_answer(client: HttpClient, bad: bytes) -> None:
    async with ScriptedServer(lambda peer: answer_then_serve(peer, bad)) as server:
        with pytest.raises(MalformedResponse) as caught:
            await post(client, server.url())
        assert isinstance(caught.value, HttpError)
        await wait(server.peers[0].client_closed)  # the client closed that connection
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 2


LONG_HEAD = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * http1.MAX_HEAD


@pytest.mark.parametrize("pieces", [
    # never ends, and the server keeps the connection open: no waiting for more
    [LONG_HEAD[:1000], LONG_HEAD[1000:]],
    # complete, in one write or in two: still longer than any head we expect
    [LONG_HEAD + b"\r\nContent-Length: 0\r\n\r\n"],
    [LONG_HEAD[:1000], LONG_HEAD[1000:] + b"\r\nContent-Length: 0\r\n\r\n"],
], ids=["unended", "one-write", "two-writes"])
async def test_head_longer_than_max_head(client: HttpClient, pieces: list[bytes]) -> None:
    async with ScriptedServer(lambda peer: answer_then_serve(peer, *pieces, pause=0.01)) as server:
        with pytest.raises(MalformedResponse, match="head too long"):
            await post(client, server.url())
        await wait(server.peers[0].client_closed)
        assert server.connections == 1


# 7. A request cut short by its caller's timeout

@pytest.mark.parametrize("partial", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"],
                         ids=["silent", "mid-body"])
async def test_timeout_closes_the_connection(client: HttpClient, partial: bytes) -> None:
    async def script(peer: Peer) -> None:
        if peer.index:
            await peer.serve()
            return
        await peer.read_request()
        await peer.send(partial)  # and never the rest
        await peer.until_client_closes()

    async with ScriptedServer(script) as server:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await client.post(server.url(), b"{}", JSON)
        await wait(server.peers[0].client_closed)
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 2


# 8. Idle connections

async def test_idle_connection_closed_by_server(client: HttpClient) -> None:
    async def script(peer: Peer) -> None:
        if peer.index:
            await peer.serve()
            return
        await peer.read_request()
        await peer.send(answer(b"ok"))  # keep-alive, then closes while the client idles

    async with ScriptedServer(script) as server:
        assert (await post(client, server.url())).body == b"ok"
        await eventually(lambda: not any(c.reusable for c in idle_connections(client)))
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert server.connections == 2


async def test_idle_connection_older_than_keepalive(client: HttpClient,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "KEEPALIVE", 0.05)
    async with ScriptedServer(Peer.serve) as server:
        await asyncio.gather(post(client, server.url()), post(client, server.url()))
        assert server.connections == 2
        assert (await post(client, server.url())).body == b"{}"
        assert server.connections == 2  # reused while fresh
        await asyncio.sleep(0.07)
        assert (await post(client, server.url(), b"late")).body == b"late"
        assert server.connections == 3  # both idle ones were too old
        await wait(server.peers[0].client_closed)
        await wait(server.peers[1].client_closed)
        assert (await post(client, server.url())).body == b"{}"
        assert server.connections == 3


async def test_idle_connections_expire_in_the_pool(client: HttpClient,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "KEEPALIVE", 0.05)
    slow_arrived, hold = asyncio.Event(), asyncio.Event()

    async def script(peer: Peer) -> None:
        while (request := await peer.read_request()) is not None:
            if body_of(request) == b"slow":
                slow_arrived.set()
                await hold.wait()
            await peer.send(answer(body_of(request)))

    async with ScriptedServer(script) as server:
        slow = asyncio.create_task(post(client, server.url(), b"slow"))
        await wait(slow_arrived)  # on connection 0
        await post(client, server.url())  # a second connection, idle from now on
        assert server.connections == 2
        await asyncio.sleep(0.07)
        hold.set()
        assert (await slow).body == b"slow"  # its release drops the expired idle one
        await wait(server.peers[1].client_closed)
        assert not server.peers[0].client_closed.is_set()


# 9. Bytes nobody asked for

@pytest.mark.parametrize("later", [False, True], ids=["same-write", "later"])
async def test_unsolicited_bytes_after_an_answer(client: HttpClient, later: bool) -> None:
    extra = answer(b"surprise")
    pieces = (answer(b"ok"), extra) if later else (answer(b"ok") + extra,)
    async with ScriptedServer(lambda peer: answer_then_serve(peer, *pieces, pause=0.02)) as server:
        first = await post(client, server.url())
        await wait(server.peers[0].client_closed)  # out of step: the client closed it
        assert (await post(client, server.url(), b"next")).body == b"next"
    assert first.body == b"ok"
    assert server.connections == 2


# 10. close()

async def test_close_closes_idle_connections(client: HttpClient) -> None:
    async with ScriptedServer(Peer.serve) as server:
        await asyncio.gather(post(client, server.url()), post(client, server.url()))
        assert server.connections == 2
        await client.close()
        await wait(server.peers[0].client_closed)
        await wait(server.peers[1].client_closed)
        assert (await post(client, server.url(), b"after")).body == b"after"  # still usable
        assert (await post(client, server.url(), b"again")).body == b"again"
        assert server.connections == 3


async def test_close_with_a_request_in_flight(client: HttpClient) -> None:
    got_request, release = asyncio.Event(), asyncio.Event()

    async def script(peer: Peer) -> None:
        if peer.index:
            await peer.serve()
            return
        await peer.read_request()
        got_request.set()
        await release.wait()
        await peer.send(answer(b"late but fine"))
        await peer.serve()

    async with ScriptedServer(script) as server:
        in_flight = asyncio.create_task(post(client, server.url()))
        await wait(got_request)
        await client.close()
        await asyncio.sleep(0.02)
        assert not server.peers[0].client_closed.is_set()  # not cut off mid-request
        release.set()
        assert (await in_flight).body == b"late but fine"
        await wait(server.peers[0].client_closed)  # closed, not put back in the pool
        assert (await post(client, server.url(), b"next")).body == b"next"
        assert (await post(client, server.url(), b"again")).body == b"again"
        assert server.connections == 2


# 11. HTTPS

@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    return cert, key


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


async def test_https_with_a_trusted_certificate(certificate: tuple[Path, Path]) -> None:
    client = HttpClient(ssl_context=ssl.create_default_context(cafile=certificate[0]))
    async with ScriptedServer(Peer.serve, tls=server_tls(certificate)) as server:
        for body in (b"one", b"two", b"three"):
            assert (await post(client, server.url(), body)).body == body
        assert server.connections == 1  # one TLS connection, reused
        assert server.peers[0].writer.get_extra_info("ssl_object") is not None
        assert server.peers[0].requests[0].startswith(b"POST /bot1:TOKEN/sendMessage HTTP/1.1")
        await client.close()
        await wait(server.peers[0].client_closed)


async def test_https_with_an_untrusted_certificate(client: HttpClient,
                                                   certificate: tuple[Path, Path]) -> None:
    async with ScriptedServer(Peer.serve, tls=server_tls(certificate)) as server:
        with pytest.raises(ssl.SSLCertVerificationError) as caught:  # certifi's CAs only
            await post(client, server.url())
        assert isinstance(caught.value, OSError)
        assert server.connections == 0  # no handshake completed
