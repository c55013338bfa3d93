"""Proxy URLs for the Bot API (TELEGRAM_PROXY) and the panels (PANEL_PROXY, PANELS "proxy").

A proxy URL is a secret: it may carry a password, and even its host tells where the shop hides.
Nothing here ever puts the URL into an error message; `redact` is what logs and reprs show.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# aiogram hands the URL to aiohttp-socks (python-socks), which speaks to an HTTP proxy in
# plain text (CONNECT) and to SOCKS proxies; it has no TLS-to-the-proxy mode for a URL.
TELEGRAM_SCHEMES = ("http", "socks5", "socks4")
# httpx: HTTP proxies over plain text or TLS, SOCKS5 through socksio (socks5h: the proxy
# resolves the panel's name).
PANEL_SCHEMES = ("http", "https", "socks5", "socks5h")
DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080, "socks4": 1080}


class ProxyURLError(ValueError):
    """A proxy URL that cannot be used; its message never quotes the URL."""


def parse_proxy(value: str, schemes: tuple[str, ...]) -> str:
    """The proxy URL checked and normalised (an explicit port), or ProxyURLError.

    Checks what a library would otherwise refuse late, at the first request, with a message
    that may quote the URL: the scheme, a host, a numeric port, nothing after host:port."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ProxyURLError("is not a valid proxy URL (check the port)") from None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        allowed = ", ".join(f"{name}://" for name in schemes)
        hint = (
            " (TLS to the proxy is not supported here: use http:// or socks5://)"
            if scheme == "https"
            else ""
        )
        raise ProxyURLError(f"must start with one of {allowed}{hint}")
    if not parts.hostname:
        raise ProxyURLError("has no proxy host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyURLError("must be scheme://[user:password@]host:port and nothing more")
    if parts.username is not None and parts.password is None:
        raise ProxyURLError("names a proxy user without a password (user:password@host)")
    if port is None:
        port = DEFAULT_PORTS[scheme]
    credentials = parts.netloc.rpartition("@")[0]
    host = parts.netloc.rpartition("@")[2]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host  # keep [IPv6]
    return f"{scheme}://{credentials + '@' if credentials else ''}{host}:{port}"


def redact(url: str | None) -> str | None:
    """What logs, errors and reprs may show of a proxy URL: its scheme, nothing else."""
    if url is None:
        return None
    scheme = url.partition("://")[0].lower() if "://" in url else "proxy"
    return f"{scheme}://***"
