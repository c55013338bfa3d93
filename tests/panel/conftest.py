from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.panel import PanelClient
from tests.fakes.panel_server import FakePanel


class SleepRecorder:
    """Stands in for asyncio.sleep in backoff so retry tests take no wall time."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def v2() -> AsyncIterator[FakePanel]:
    async with FakePanel(dialect="v2") as panel:
        yield panel


@pytest.fixture
async def v1() -> AsyncIterator[FakePanel]:
    async with FakePanel(dialect="v1") as panel:
        yield panel


@pytest.fixture
async def make_client(sleeps: SleepRecorder) -> AsyncIterator[Callable[..., PanelClient]]:
    clients: list[PanelClient] = []

    def make(panel: FakePanel | None = None, **kw: Any) -> PanelClient:
        kw.setdefault("sleep", sleeps)
        kw.setdefault("timeout", 2.0)
        url = kw.pop("url", panel.url if panel else "sandbox")
        key = kw.pop("key", panel.key if panel else "sandbox-key")
        client = PanelClient(kw.pop("name", "panel"), url, key, **kw)
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.aclose()
