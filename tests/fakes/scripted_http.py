"""Scripted HTTP servers for client tests: plain asyncio servers on 127.0.0.1 whose script
decides byte by byte what goes on the wire and when, counting the connections a client opens
(`server.connections`, `server.max_open`) and seeing it close one (`peer.client_closed`)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable


def answer(body: bytes = b"", status: str = "200 OK", *headers: str) -> bytes:
    """A complete HTTP/1.1 answer framed by Content-Length."""
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def body_of(request: bytes) -> bytes:
    return request.partition(b"\r\n\r\n")[2]


class Peer:
    """The server's side of one connection, for a script to drive."""

    def __init__(
        self, index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.index = index  # 0 for the first connection the server accepted
        self.reader, self.writer = reader, writer
        self.requests: list[bytes] = []  # each request as it came, head and body
        self.client_closed = asyncio.Event()  # set once this side read the client's EOF

    async def read_request(self) -> bytes | None:
        """The next request, head and body, or None once the client has closed."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, OSError):
            self.client_closed.set()
            return None
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        request = head + await self.reader.readexactly(length)
        self.requests.append(request)
        return request

    async def send(self, *pieces: bytes, pause: float = 0.0) -> None:
        """Write the pieces one by one, `pause` seconds apart (so each is read separately)."""
        for number, piece in enumerate(pieces):
            if number and pause:
                await asyncio.sleep(pause)
            self.writer.write(piece)
            await self.writer.drain()

    async def until_client_closes(self) -> None:
        """Read (and ignore) until the client closes its side."""
        try:
            while await self.reader.read(65536):
                pass
        except OSError:  # reset: closed too
            pass
        self.client_closed.set()

    async def serve(self, delay: float = 0.0) -> None:
        """Answer every request with its own body (keep-alive) until the client closes."""
        while (request := await self.read_request()) is not None:
            if delay:
                await asyncio.sleep(delay)
            await self.send(answer(body_of(request)))

    def reset(self) -> None:
        """Close with a TCP reset (RST) instead of an orderly FIN."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Script = Callable[[Peer], Awaitable[None]]


class ScriptedServer:
    """An asyncio server on 127.0.0.1 that runs `script` for every connection it accepts.
    `url()` without a path addresses PATH (test modules subclass it with their own)."""

    PATH = "/"

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self._script, self._tls = script, tls
        self.peers: list[Peer] = []
        self.open_now = self.max_open = 0  # connections open at once (until the script ends)
        self._tasks: set[asyncio.Task[None]] = set()
        self._errors: list[BaseException] = []

    @property
    def connections(self) -> int:
        return len(self.peers)

    @property
    def requests(self) -> list[bytes]:
        return [request for peer in self.peers for request in peer.requests]

    def url(self, path: str | None = None) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path or self.PATH}"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port: int = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        if self._errors:  # a script's own failure (an assertion in it) fails the test
            raise self._errors[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        peer = Peer(len(self.peers), reader, writer)
        self.peers.append(peer)
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        try:
            await self._script(peer)
        except asyncio.CancelledError:  # the test is over (a cancelled task would be logged)
            pass
        except Exception as error:
            self._errors.append(error)
        finally:
            self.open_now -= 1
            writer.close()
