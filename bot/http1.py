"""A lean HTTP/1.1 client for the bot's JSON requests to the Bot API.

Why not aiohttp's client for these: a POST through aiohttp's ClientSession costs 200–240 µs of
CPU (request and response objects, header multidicts, tracing hooks, timers, a stream reader),
this one 60–95 µs (measured on this machine, `bench/bench_bot_api.py`). The bot makes one to
two Bot API calls per update, so under load aiohttp's request machinery was about a sixth of the
bot's CPU. Uploads (multipart forms) and proxies still go through aiogram's aiohttp session.

What it does, and no more: POST a body to an http or https URL over keep-alive connections
(reused last-in first-out, at most `limit` in use at once, idle ones dropped after
KEEPALIVE seconds, before a server would drop them), TLS with certifi's CA bundle (as aiogram
does), response bodies framed by Content-Length, chunked transfer coding, or the end of the
connection. No redirects, cookies or compression: the Bot API uses none of them (nothing asks for
a compressed answer).

A request is never retried here: a POST that reached the server may have been acted on (a message
sent), so a connection lost mid-request is the caller's error to handle, as with aiohttp.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi

KEEPALIVE = 15.0  # seconds an idle connection is kept (aiohttp's default)
MAX_HEAD = 64 * 1024  # a status line and headers longer than this are not HTTP we expect
USER_AGENT = "smm-shop-bot"


class HttpError(Exception):
    """The server's answer could not be read: the request's outcome is unknown."""


class ServerDisconnected(HttpError):
    pass


class ConnectFailed(HttpError):
    """No connection could be made (refused, unreachable, TLS, connect timeout): nothing was
    sent. Raised by `send`; `post` raises the OSError itself."""


class MalformedResponse(HttpError):
    pass


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


Origin = tuple[str, str, int]  # scheme, host, port: what a connection can be reused for


@dataclass(frozen=True, slots=True)
class _Target:
    origin: Origin
    head: bytes  # the request line and the headers every request to this URL shares


class _Connection(asyncio.Protocol):
    """One connection, one request at a time; `exchange` sends it and waits for the answer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.reusable = True
        self.idle_since = 0.0
        self.generation = 0
        self._buffer = bytearray()
        self._answer: asyncio.Future[Response] | None = None
        self._status = 0
        self._headers: dict[str, str] | None = None
        self._length: int | None = None
        self._chunked = False

    async def exchange(self, request: bytes) -> Response:
        assert self.transport is not None and self._answer is None
        self._answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        try:
            return await self._answer
        finally:
            self._answer = None

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._answer is None or self._answer.done():
            self.close()  # bytes nobody asked for: the connection is out of step
            return
        self._buffer += data
        try:
            self._read()
        except (ValueError, UnicodeDecodeError) as error:
            self._fail(MalformedResponse(f"malformed HTTP response: {error}"))

    def eof_received(self) -> bool:
        self.reusable = False
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        answer = self._answer
        if answer is None or answer.done():
            return
        if exc is None and self._headers is not None and self._length is None \
                and not self._chunked:
            self._finish(bytes(self._buffer))  # a body that ends with the connection (not reset)
        else:
            self._fail(ServerDisconnected("server disconnected before answering in full"))

    # parsing
    def _read(self) -> None:
        while self._headers is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise ValueError("head too long")
                return
            if end > MAX_HEAD:  # else whether it fits would depend on how the bytes arrived
                raise ValueError("head too long")
            head = self._buffer[:end].decode("latin-1")
            del self._buffer[:end + 4]
            self._parse_head(head)
        if self._chunked:
            body = self._take_chunked()
            if body is not None:
                self._finish(body)
        elif self._length is not None and len(self._buffer) >= self._length:
            body = bytes(self._buffer[:self._length])
            del self._buffer[:self._length]
            self._finish(body)

    def _parse_head(self, head: str) -> None:
        status_line, *lines = head.split("\r\n")
        version, status_text = status_line.split(" ", 2)[:2]
        if not version.startswith("HTTP/1.") or not status_text.isdigit():
            raise ValueError(f"bad status line {status_line[:40]!r}")
        status = int(status_text)
        if 100 <= status < 200:
            return  # an interim answer (100 Continue): the real one follows
        headers: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"bad header line {line[:40]!r}")
            headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        if connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive"):
            self.reusable = False
        self._status, self._headers = status, headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._chunked = True
        elif status in (204, 304):
            self._length = 0
        elif "content-length" in headers:
            self._length = int(headers["content-length"])
            if self._length < 0:
                raise ValueError("negative Content-Length")

    def _take_chunked(self) -> bytes | None:
        """The whole body once every chunk (and the trailer) is in the buffer, else None."""
        buffer, position, parts = self._buffer, 0, []
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            size_text = bytes(buffer[position:line_end]).split(b";")[0].strip()
            if size_text.strip(b"0123456789abcdefABCDEF"):  # int() takes "-2", "0x5", "5_0"
                raise ValueError(f"bad chunk size {size_text[:20]!r}")
            size = int(size_text, 16)
            position = line_end + 2
            if size == 0:
                if buffer[position:position + 2] == b"\r\n":
                    end = position + 2
                else:  # trailer fields, up to an empty line
                    trailer_end = buffer.find(b"\r\n\r\n", position)
                    if trailer_end < 0:
                        return None
                    end = trailer_end + 4
                del buffer[:end]
                return b"".join(parts)
            if len(buffer) < position + size + 2:
                return None
            parts.append(bytes(buffer[position:position + size]))
            if buffer[position + size:position + size + 2] != b"\r\n":
                raise ValueError("chunk not followed by CRLF")
            position += size + 2

    def _finish(self, body: bytes) -> None:
        assert self._answer is not None and self._headers is not None
        if self._buffer:
            self.reusable = False  # more than one answer to one request
        self._answer.set_result(Response(self._status, self._headers, body))
        self._headers, self._length, self._chunked = None, None, False

    def _fail(self, error: HttpError) -> None:
        self.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)


class HttpClient:
    """POSTs over a pool of keep-alive connections per origin."""

    def __init__(self, *, limit: int = 100, ssl_context: ssl.SSLContext | None = None,
                 user_agent: str = USER_AGENT, keepalive: float | None = None) -> None:
        self._limit = limit
        self._keepalive = keepalive  # None: the module's KEEPALIVE
        self._ssl = ssl_context
        self._user_agent = user_agent
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[Origin, list[_Connection]] = {}
        self._targets: dict[tuple[str, str], _Target] = {}
        self._generation = 0  # connections from before the last close() are not reused

    async def post(self, url: str, body: bytes, content_type: str) -> Response:
        """Send and read the answer. Raises OSError for a connection that could not be made,
        HttpError for an answer that could not be read. Callers bound it with asyncio.timeout:
        a connection interrupted mid-request (cancelled) is closed, never reused."""
        target = self._target(url, content_type)
        request = target.head + b"%d\r\n\r\n" % len(body) + body
        async with self._slot():
            connection = self._idle_connection(target.origin) or await self._connect(
                target.origin)
            return await self._exchange(target.origin, connection, request)

    async def send(self, origin: Origin, request: bytes, *, connect_timeout: float | None = None,
                   read_timeout: float | None = None) -> Response:
        """Send a complete request (head and body, as given) to `origin` and read the answer,
        within `connect_timeout` to have a connection and then `read_timeout` for the answer.
        ConnectFailed means nothing was sent; any other error (TimeoutError included) came
        after sending began, so the server may have acted on the request."""
        async with self._slot():
            connection = self._idle_connection(origin)
            if connection is None:
                try:
                    async with asyncio.timeout(connect_timeout):
                        connection = await self._connect(origin)
                except (OSError, TimeoutError) as exc:
                    raise ConnectFailed(f"{type(exc).__name__}: {exc}") from exc
            async with asyncio.timeout(read_timeout):
                return await self._exchange(origin, connection, request)

    def _slot(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        return self._slots

    async def _exchange(self, origin: Origin, connection: _Connection, request: bytes) -> Response:
        try:
            response = await connection.exchange(request)
        except BaseException:
            connection.close()  # cancelled or failed mid-exchange: its state is unknown
            raise
        self._release(origin, connection)
        return response

    async def close(self) -> None:
        """Close the idle connections now and the busy ones when their request ends. Like
        aiogram's session, the client stays usable: a later request opens a new connection
        (aiogram itself calls its session's close() before first use)."""
        self._generation += 1
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def _target(self, url: str, content_type: str) -> _Target:
        key = (url, content_type)
        target = self._targets.get(key)
        if target is None:
            if len(self._targets) > 1024:
                self._targets.clear()
            target = self._targets[key] = self._parse(url, content_type)
        return target

    def _parse(self, url: str, content_type: str) -> _Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
        default_port = 443 if parts.scheme == "https" else 80
        port = parts.port or default_port
        host = parts.hostname
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header += f":{port}"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = (f"POST {path} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"User-Agent: {self._user_agent}\r\nAccept: */*\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: ")
        return _Target((parts.scheme, host, port), head.encode("latin-1"))

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        keepalive = KEEPALIVE if self._keepalive is None else self._keepalive
        while idle:
            connection = idle.pop()
            transport = connection.transport
            if connection.reusable and transport is not None and not transport.is_closing() \
                    and now - connection.idle_since < keepalive:
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls: ssl.SSLContext | None = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=certifi.where())
            tls = self._ssl
        _, connection = await loop.create_connection(
            _Connection, host, port, ssl=tls, server_hostname=host if tls else None)
        connection.generation = self._generation
        return connection

    def _release(self, origin: Origin, connection: _Connection) -> None:
        if not connection.reusable or connection.generation != self._generation:
            connection.close()
            return
        connection.idle_since = now = time.monotonic()
        idle = self._idle.setdefault(origin, [])
        keepalive = KEEPALIVE if self._keepalive is None else self._keepalive
        while idle and now - idle[0].idle_since >= keepalive:  # the oldest wait at the bottom
            idle.pop(0).close()
        idle.append(connection)
