"""`python -m bot` as a shop owner runs it: starts on the sandbox panel, answers, stops on
SIGTERM, and never writes a secret to its log."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.bot_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "424242:PROCESS-test-token-abcdefghijklmnop"


async def test_bot_process_serves_and_stops_cleanly(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PANELS"},
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.url,
            "PANEL_URL": "sandbox",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'shop.sqlite3'}",
            "LOG_LEVEL": "DEBUG",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await tg.wait_until(lambda: bool(tg.calls("getUpdates")), 30)
            customer = tg.user(77, first_name="Sam", language_code="en")
            await customer.send("/start")
            await customer.wait_message(contains="Main menu", timeout=10)
            await customer.click("🛒 New order")  # the sandbox catalog was synced at startup
            catalog = await customer.wait_edit(timeout=10)
            assert "Instagram" in str(catalog.buttons)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        log = (stdout + stderr).decode()
        assert process.returncode == 0, log[-2000:]
        assert (tmp_path / "data" / "shop.sqlite3").exists()
        assert "getUpdates" in log or "Start polling" in log  # DEBUG logging was really on
        assert TOKEN not in log
        assert TOKEN.split(":")[1] not in log
