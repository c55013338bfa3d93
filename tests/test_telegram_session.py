"""Startup against an unreachable or refusing Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.methods import GetMe
from aiogram.types import User

from bot.telegram_session import wait_for_telegram
from tests.fakes.bot_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
ME = User(id=1, is_bot=True, first_name="Shop")


async def test_waits_for_telegram_with_growing_delays() -> None:
    failures = [TelegramNetworkError(GetMe(), "connection refused")] * 3
    delays: list[float] = []

    async def get_me() -> User:
        if failures:
            raise failures.pop()
        return ME

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    assert await wait_for_telegram(get_me, sleep) == ME
    assert delays == [1.0, 2.0, 4.0]


async def test_a_rejected_token_is_final() -> None:
    async def get_me() -> User:
        raise TelegramUnauthorizedError(GetMe(), "Unauthorized")

    with pytest.raises(TelegramUnauthorizedError):
        await wait_for_telegram(get_me)


async def test_bot_exits_2_when_telegram_rejects_the_token(tmp_path: Path) -> None:
    async with FakeTelegram(token="1:right-token-abcdefghijklmnopqrst") as tg:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": "2:wrong-token-abcdefghijklmno",
               "TELEGRAM_API_URL": tg.url, "PANEL_URL": "sandbox",
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"}
        env.pop("PANELS", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 2, stderr[-2000:]
    assert "BOT_TOKEN was rejected by Telegram" in stderr
    assert "wrong-token" not in stderr + out.decode()
    assert "Traceback" not in stderr
