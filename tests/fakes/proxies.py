"""Real proxy servers on 127.0.0.1 for tests: an HTTP forward proxy and a SOCKS5 proxy.

Both record the targets they carried (`carried`, "host:port") and the clients they turned away
(`refused`), so a test can assert that traffic went through the proxy, and only through it.

- HttpProxy: CONNECT tunnels (what aiohttp-socks and httpx use for https:// targets) and
  absolute-URI requests (`POST http://host:port/path HTTP/1.1`, what httpx sends for an http://
  target); with `auth`, Basic proxy authentication, answered 407 when missing or wrong.
- Socks5Proxy: RFC 1928 CONNECT (IPv4, domain and IPv6 addresses), with no authentication or
  with RFC 1929 username/password (`auth`), refused with status 1 when wrong.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
from urllib.parse import quote, urlsplit

Auth = tuple[str, str]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until EOF, then pass the EOF on (half-close) so each side sees the other end."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (OSError, RuntimeError):
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    try:
        await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))
    finally:
        upstream[1].close()


class _ProxyServer:
    SCHEME = ""

    def __init__(self, auth: Auth | None = None) -> None:
        self.auth = auth
        self.carried: list[str] = []  # "host:port" of every connection carried, in order
        self.refused = 0  # clients turned away for missing or wrong credentials
        self._tasks: set[asyncio.Task[None]] = set()

    def url_with(self, auth: Auth | None) -> str:
        """This proxy's URL carrying `auth` (or none): a test may give wrong credentials."""
        user = f"{quote(auth[0], safe='')}:{quote(auth[1], safe='')}@" if auth else ""
        return f"{self.SCHEME}://{user}127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.url_with(self.auth)

    async def __aenter__(self) -> _ProxyServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port: int = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class HttpProxy(_ProxyServer):
    SCHEME = "http"

    def __init__(self, auth: Auth | None = None) -> None:
        super().__init__(auth)
        self.forwarded: list[str] = []  # "METHOD http://host:port/path" of absolute-URI requests

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        if not self._authorized(head):
            self.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await asyncio.open_connection(host.strip("[]"), int(port))
            self.carried.append(f"{host}:{port}")
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        await self._forward(head, reader, writer)

    def _authorized(self, head: bytes) -> bool:
        if self.auth is None:
            return True
        expected = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "proxy-authorization":
                return value.strip() == f"Basic {expected}"
        return False

    async def _forward(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Absolute-URI requests, one after another on the client's connection, each passed to
        its origin in origin form (the answers flow back as they come)."""
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        answers: asyncio.Task[None] | None = None
        try:
            while True:
                line, _, fields = head.partition(b"\r\n")
                method, target, version = line.decode("latin-1").split(" ", 2)
                parts = urlsplit(target)
                if parts.scheme != "http" or not parts.hostname:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    return
                port = parts.port or 80
                self.forwarded.append(f"{method} {target}")
                if upstream is None:
                    upstream = await asyncio.open_connection(parts.hostname, port)
                    answers = asyncio.create_task(_pipe(upstream[0], writer))
                    self.carried.append(f"{parts.hostname}:{port}")
                kept = [
                    field
                    for field in fields.split(b"\r\n")
                    if not field.lower().startswith((b"proxy-authorization:", b"proxy-connection:"))
                ]
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                length = 0
                for field in kept:
                    name, _, value = field.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                upstream[1].write(
                    f"{method} {path} {version}\r\n".encode() + b"\r\n".join(kept) + body
                )
                await upstream[1].drain()
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
        finally:
            if upstream is not None:
                upstream[1].close()
            if answers is not None:
                answers.cancel()
                with contextlib.suppress(asyncio.CancelledError, OSError):
                    await answers


class Socks5Proxy(_ProxyServer):
    SCHEME = "socks5"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 0x02 if self.auth is not None else 0x00
        if version != 5 or wanted not in methods:
            self.refused += 1
            writer.write(b"\x05\xff")  # no acceptable method
            await writer.drain()
            return
        writer.write(bytes([5, wanted]))
        await writer.drain()
        if self.auth is not None and not await self._authenticated(reader, writer):
            self.refused += 1
            return
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # only CONNECT
            writer.write(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
            await writer.drain()
            return
        try:
            upstream = await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")  # connection refused
            await writer.drain()
            return
        self.carried.append(f"{host}:{port}")
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", 0))
        await writer.drain()
        await _splice((reader, writer), upstream)

    async def _authenticated(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        assert self.auth is not None
        _, size = await reader.readexactly(2)
        user = (await reader.readexactly(size)).decode()
        size = (await reader.readexactly(1))[0]
        password = (await reader.readexactly(size)).decode()
        ok = (user, password) == self.auth
        writer.write(b"\x01\x00" if ok else b"\x01\x01")
        await writer.drain()
        return ok
