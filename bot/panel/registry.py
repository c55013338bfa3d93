"""All configured panels, one independent PanelClient each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .client import SANDBOX_URL, Dialect, PanelClient, detect_dialect


@dataclass(frozen=True, slots=True)
class PanelSpec:
    name: str
    url: str
    key: str = field(repr=False)  # never in reprs or logs
    dialect: Dialect | None = None
    # Per-panel tuning passed to PanelClient (timeout, max_concurrency, retries, ...).
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The owner's dialect-profile pins (PANELS "profile"): they always win over what is learned.
    profile: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The proxy this panel is reached through (PANELS "proxy", else PANEL_PROXY); None: the
    # environment's HTTP(S)_PROXY/NO_PROXY. A secret: never in reprs or logs.
    proxy: str | None = field(default=None, repr=False, compare=False, hash=False)

    @property
    def is_sandbox(self) -> bool:
        return self.url.strip().lower() == SANDBOX_URL


class PanelRegistry:
    def __init__(self, specs: Iterable[PanelSpec], **defaults: Any) -> None:
        self._clients: dict[str, PanelClient] = {}
        for spec in specs:
            if spec.name in self._clients:
                raise ValueError(f"duplicate panel name: {spec.name!r}")
            opts = {**defaults, **spec.options}
            self._clients[spec.name] = PanelClient(
                spec.name,
                spec.url,
                spec.key,
                dialect=spec.dialect,
                profile=spec.profile,
                proxy=spec.proxy,
                **opts,
            )

    def get(self, name: str) -> PanelClient:
        try:
            return self._clients[name]
        except KeyError:
            raise KeyError(f"unknown panel: {name!r}") from None

    def __iter__(self) -> Iterator[PanelClient]:
        return iter(self._clients.values())

    def __len__(self) -> int:
        return len(self._clients)

    def __contains__(self, name: object) -> bool:
        return name in self._clients

    @property
    def names(self) -> list[str]:
        return list(self._clients)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()


__all__ = ["PanelRegistry", "PanelSpec", "detect_dialect"]
