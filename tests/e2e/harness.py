"""The whole bot, polling a fake Telegram Bot API, with a fake panel, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.panel import PanelRegistry, PanelSpec
from bot.runtime import Runtime
from bot.shop import ledger
from storage.models import LedgerKind, Order, User
from tests.conftest import TEST_DATABASE, postgres_database
from tests.fakes.bot_api import FakeTelegram, FakeUser
from tests.fakes.panel_server import FakePanel

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
ADMIN_ID = 900_001


@dataclass
class Shop:
    """What a test holds: the fakes, the running bot and its storage."""

    tg: FakeTelegram
    panel: FakePanel
    runtime: Runtime
    task: asyncio.Task[None]

    @property
    def sessions(self) -> Any:
        return self.runtime.shop.sessions

    def customer(self, telegram_id: int, language: str = "en", **kwargs: Any) -> FakeUser:
        kwargs.setdefault("first_name", f"User{telegram_id}")
        return self.tg.user(telegram_id, language_code=language, **kwargs)

    def admin(self, language: str = "en") -> FakeUser:
        return self.tg.user(ADMIN_ID, first_name="Owner", language_code=language)

    async def user_row(self, telegram_id: int) -> User:
        async with self.sessions() as session:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None, f"user {telegram_id} not stored"
        return user

    async def fund(self, telegram_id: int, amount: str) -> None:
        """Give a customer a balance through the ledger, as /credit does."""
        user = await self.user_row(telegram_id)
        async with self.sessions() as session, session.begin():
            await ledger.apply(
                session,
                user_id=user.id,
                amount=Decimal(amount),
                kind=LedgerKind.CREDIT,
                key=f"test-fund:{user.id}:{amount}",
            )

    async def orders(self) -> list[Order]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Order).order_by(Order.id)))

    async def invariant_holds(self) -> bool:
        async with self.sessions() as session:
            return await ledger.invariant_violations(session) == []


def make_settings(database_url: str, panel_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": "http://127.0.0.1:1",  # replaced by the fake's URL
        "database_url": database_url,
        "panel_url": panel_url,
        "panel_key": "test-key-0123456789",
        "admin_ids": str(ADMIN_ID),
    }
    values.update(overrides)
    return load_settings(**values)


async def shop_database(tmp_path: Path, name: str = "shop") -> str:
    """The database URL of one shop in a test, on the suite's engine (TEST_DATABASE): give it to
    two running_shop calls and the second is a restart on the same data."""
    return await suite_database(f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}")


async def suite_database(url: str) -> str:
    """Under TEST_DATABASE=postgresql a SQLite file URL stands for a PostgreSQL database of this
    test: the same file gives the same database, so restarts keep their data."""
    if (
        TEST_DATABASE == "postgresql"
        and url.startswith("sqlite+aiosqlite:///")
        and ":memory:" not in url
    ):
        return await postgres_database(url)
    return url


@contextlib.asynccontextmanager
async def running_shop(
    tmp_path: Path,
    *,
    panel: FakePanel | None = None,
    database_url: str | None = None,
    panel_timeout: float = 5.0,
    background: bool = False,
    panel_profile: dict[str, Any] | None = None,
    telegram_proxy: str | None = None,
    panel_proxy: str | None = None,
    **settings: Any,
) -> AsyncIterator[Shop]:
    """panel_profile: the owner's PANELS "profile" pins for the panel (issue 15).
    telegram_proxy: TELEGRAM_PROXY (the bot's Bot API traffic goes through it);
    panel_proxy: the panel's proxy (PANEL_PROXY)."""
    if telegram_proxy is not None:
        settings["telegram_proxy"] = telegram_proxy
    database_url = (
        await suite_database(database_url) if database_url else await shop_database(tmp_path)
    )
    async with FakeTelegram(token=TOKEN) as tg, panel or FakePanel() as fake_panel:
        tg.user(ADMIN_ID, first_name="Owner")  # the owner has talked to the bot before
        config = make_settings(database_url, fake_panel.url, telegram_api_url=tg.url, **settings)
        registry = PanelRegistry(
            [
                PanelSpec(
                    "main",
                    fake_panel.url,
                    fake_panel.key,
                    profile=panel_profile or {},
                    proxy=panel_proxy,
                )
            ],
            timeout=panel_timeout,
            connect_timeout=2.0,
            retries=1,
            backoff=0.05,
        )
        runtime = await Runtime.start(config, panels=registry, background=background)
        task = asyncio.create_task(runtime.poll())
        try:
            await tg.wait_until(lambda: bool(tg.calls("getUpdates")), 10)
            yield Shop(tg, fake_panel, runtime, task)
        finally:
            await runtime.stop()  # stops polling first
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)


async def deliver_webhook(tg: FakeTelegram, urls: list[str], secret: str | None) -> list[int]:
    """Play Telegram in webhook mode: POST every queued update to every URL at once (as a
    retry reaching another process would) and return the HTTP statuses."""
    import aiohttp

    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    updates = tg.take_updates(100)
    if updates:
        tg.confirm_updates(updates[-1]["update_id"] + 1)
    async with aiohttp.ClientSession() as http:

        async def post(url: str, update: dict[str, Any]) -> int:
            async with http.post(url, json=update, headers=headers) as response:
                return response.status

        return list(
            await asyncio.gather(*(post(url, update) for update in updates for url in urls))
        )
