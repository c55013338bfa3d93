"""httpx transport over bot.http1: the panel client keeps httpx's API, errors and timeouts, and
sends over the bot's lean HTTP/1.1 connections instead of httpcore's pool.

Why: httpcore's async connection pool (anyio locks and events, a state machine per request)
cost about 1 ms of CPU per panel call here, as much as the rest of a Confirm's Bot API work
(`bench/bench_storefront.py` under py-spy); this transport costs about a tenth of that.

The mapping keeps what PanelClient relies on to never send an order twice: an error before
anything was sent is a connect error (httpx.ConnectError / ConnectTimeout: safe to call a
definite failure), anything after sending began is a read error or a read timeout (the panel
may have acted: the order is held for review). Panels are addressed over HTTP/1.1 only.
"""

from __future__ import annotations

import ssl

import httpx

from bot.http1 import ConnectFailed, HttpClient, HttpError

# Idle connections are dropped before the shortest keep-alive timeout common among servers
# (Apache's 5 s), so a request is not written into a connection the panel is closing.
PANEL_KEEPALIVE = 4.0


class Http1Transport(httpx.AsyncBaseTransport):
    def __init__(self, *, limit: int = 4, ssl_context: ssl.SSLContext | None = None) -> None:
        self._client = HttpClient(limit=limit, ssl_context=ssl_context,
                                  keepalive=PANEL_KEEPALIVE)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}",
                                            request=request)
        timeouts = request.extensions.get("timeout", {})
        streamed = not isinstance(request.stream, httpx.ByteStream)  # aread() makes it one
        body = await request.aread()
        fields = request.headers.raw
        if streamed and "transfer-encoding" in request.headers:
            # httpx announced chunked coding for a streamed body; it is sent whole, so by length
            fields = [field for field in fields if field[0].lower() != b"transfer-encoding"]
            fields.append((b"Content-Length", b"%d" % len(body)))
        head = b"%s %s HTTP/1.1\r\n" % (request.method.encode(), url.raw_path)
        head += b"".join(b"%s: %s\r\n" % (name, value) for name, value in fields)
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        try:
            answer = await self._client.send(
                origin, head + b"\r\n" + body,
                connect_timeout=timeouts.get("connect"), read_timeout=timeouts.get("read"))
        except ConnectFailed as exc:
            timed_out = isinstance(exc.__cause__, TimeoutError)
            error = httpx.ConnectTimeout if timed_out else httpx.ConnectError
            raise error(str(exc), request=request) from exc
        except TimeoutError as exc:
            raise httpx.ReadTimeout("no answer in time", request=request) from exc
        except HttpError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(answer.status, headers=list(answer.headers.items()),
                              content=answer.body, request=request)

    async def aclose(self) -> None:
        await self._client.close()
