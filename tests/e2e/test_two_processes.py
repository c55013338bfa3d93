"""Two real `python -m bot` processes on one PostgreSQL + Redis, in webhook mode, both running
the scheduler, each fed every update (as Telegram's retries through a load balancer would):
one answer per update, one order, one debit, one refund, one notification."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.shop import ledger
from storage.db import create_engine, create_session_factory
from storage.models import LedgerEntry, LedgerKind, Order, User
from tests.e2e.harness import ADMIN_ID, TOKEN
from tests.e2e.test_wizard import LINK, catalog_panel, open_service
from tests.e2e.test_wizard_edges import say
from tests.fakes.bot_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL")
SECRET = "two-processes_secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
CUSTOMER = 4101

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it)")
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    patterns = [f"fsm:{CUSTOMER}:*", f"fsm:{ADMIN_ID}:*", "smmbot:scheduler:*"]

    async def clean() -> None:  # only what these processes write; never a flush
        for pattern in patterns:
            keys = [key async for key in client.scan_iter(match=pattern)]
            if keys:
                await client.delete(*keys)

    await clean()
    yield REDIS_URL
    await clean()
    await client.aclose()


class Process:
    def __init__(self, name: str, env: dict[str, str], tmp_path: Path) -> None:
        self.name = name
        self.port = int(env["WEBHOOK_PORT"])
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.log = tmp_path / f"{name}.log"
        with self.log.open("w") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_healthy(self, http: aiohttp.ClientSession) -> None:
        for _ in range(300):
            assert self.popen.poll() is None, f"{self.name} exited:\n{self.log.read_text()}"
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} never became healthy:\n{self.log.read_text()}")

    def terminate(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        self.terminate()
        try:
            return self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(5)


async def pump(
    tg: FakeTelegram,
    processes: list[Process],
    http: aiohttp.ClientSession,
    statuses: list[int],
    fed: list[int],
) -> None:
    """Telegram in webhook mode, delivering every update to every process at once and
    retrying a process that answers 503 (busy) until it gives a final answer."""

    async def deliver(process: Process, update: dict[str, Any]) -> None:
        for _ in range(200):
            async with http.post(process.url, json=update, headers={HEADER: SECRET}) as answer:
                statuses.append(answer.status)
                if answer.status != 503:
                    return
            await asyncio.sleep(0.1)

    while True:
        updates = tg.take_updates(100)
        if updates:
            tg.confirm_updates(updates[-1]["update_id"] + 1)
        for update in updates:
            fed[0] += 1
            await asyncio.gather(*(deliver(process, update) for process in processes))
        await tg.wait_until(lambda: bool(tg.pending_updates), 1)


async def test_two_processes_handle_everything_once(
    tmp_path: Path,
    database_url: str,
    redis_url: str,
) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    statuses: list[int] = []
    fed = [0]  # updates delivered
    async with (
        FakeTelegram(token=TOKEN) as tg,
        catalog_panel() as panel,
        aiohttp.ClientSession() as http,
    ):
        tg.user(ADMIN_ID, first_name="Owner")
        processes: list[Process] = []
        try:
            for name in ("a", "b"):
                port = free_port()
                env = {
                    "PATH": os.environ.get("PATH", ""),
                    "PYTHONPATH": str(ROOT),
                    "BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_URL": tg.url,
                    "ADMIN_IDS": str(ADMIN_ID),
                    "DATABASE_URL": database_url,
                    "REDIS_URL": redis_url,
                    "PANEL_URL": panel.url,
                    "PANEL_KEY": panel.key,
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(port),
                    "STATUS_POLL_SECONDS": "5",
                    "LOG_LEVEL": "INFO",
                }
                process = Process(name, env, tmp_path)
                processes.append(process)
                # One after the other: the first one creates the schema (see the report).
                await process.wait_healthy(http)
            feeder = asyncio.create_task(pump(tg, processes, http, statuses, fed))
            try:
                alice = tg.user(CUSTOMER, first_name="Alice", language_code="en")
                await alice.send("/start")
                await alice.wait_message(contains="🏪")
                async with sessions() as session, session.begin():
                    user = await session.scalar(select(User).where(User.telegram_id == CUSTOMER))
                    assert user is not None
                    await ledger.apply(
                        session,
                        user_id=user.id,
                        amount=Decimal(20),
                        kind=LedgerKind.CREDIT,
                        key="test-fund",
                    )
                await open_service(alice, "Followers Plain")
                assert "How many" in await say(alice, LINK)
                assert "Order summary" in await say(alice, "1000")
                await alice.click("✅ Confirm order")
                await alice.wait_message(contains="placed.")
                assert len(panel.requests_for("add")) == 1  # one order reached the panel

                async with sessions() as session:
                    [order] = list(await session.scalars(select(Order)))
                panel.set_order(order.panel_order_id or "", "Canceled", remains="1000")
                canceled = await alice.wait_message(contains="was canceled", timeout=20)
                assert f"#{order.id}" in canceled.text
                await asyncio.sleep(6)  # another status interval: nobody refunds or tells twice
                await alice.expect_no_message(quiet=0.3)
            finally:
                feeder.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await feeder
        finally:
            running_logs = "\n".join(p.log.read_text() for p in processes)
            for process in processes:
                process.terminate()  # both at once, as a deploy would
            codes = [process.stop() for process in processes]
        logs = "\n".join(p.log.read_text() for p in processes)
        assert codes == [0, 0], logs
        # While running (a job cancelled by the shutdown may log its CancelledError after).
        assert "Traceback" not in running_logs, running_logs

        texts = [m.text for m in tg.messages(CUSTOMER) if m.from_bot]
        assert sum("was canceled" in (t or "") for t in texts) == 1
        assert sum("placed." in (t or "") for t in texts) == 1
        assert sum("Welcome" in (t or "") for t in texts) == 1
        # Every update reached both processes; each finally answered 200 (503 = busy, retried).
        assert set(statuses) <= {200, 503} and statuses.count(200) == 2 * fed[0]
        # One scheduler ran the jobs (when it shuts down the other may take over: that is fine).
        assert running_logs.count("scheduler leadership acquired") == 1
        async with sessions() as session:
            [order] = list(await session.scalars(select(Order)))
            entries = list(
                await session.scalars(
                    select(LedgerEntry.kind)
                    .where(LedgerEntry.user_id == order.user_id)
                    .order_by(LedgerEntry.id)
                )
            )
            assert entries == ["credit", "order", "refund"]
            assert order.state == "canceled" and order.refunded == order.charge
            assert await ledger.invariant_violations(session) == []
    await engine.dispose()
