"""Storefront benchmark: N simulated customers browse and order at once, through the full
stack — the real bot (`python -m bot`, polling) against a fake Bot API and a fake panel over
HTTP on 127.0.0.1, with SQLite.

The bot runs in its own process, as in production; the fakes and the simulated customers run
in this one (the machine's second core). Each customer: /start, search a service, open it,
Order, link, quantity, Confirm — 7 timed updates. Prints updates per second and p50/p99 latency
from an update's arrival at the Bot API to the bot's answer to it.

    .venv/bin/python bench/bench_storefront.py [customers]
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot import ledger  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.models import LedgerKind, Order, User  # noqa: E402
from tests.fakes.bot_api import FakeTelegram, FakeUser  # noqa: E402
from tests.fakes.panel_server import FakePanel  # noqa: E402

TOKEN = "777777:BENCH-token-abcdefghijklmnopqrstuv"
SERVICE = {"service": 1, "name": "Instagram Followers", "type": "Default",
           "category": "Instagram", "rate": "0.90", "min": "10", "max": "10000",
           "refill": True, "cancel": True}
LINK = "https://instagram.com/p/bench"
# BENCH_PROFILE=out.prof runs the bot under cProfile, to see where its time goes.
PROFILE = ["-m", "cProfile", "-o", os.environ.get("BENCH_PROFILE", "")]


async def customer_flow(customer: FakeUser, latencies: list[float]) -> int:
    async def timed(action: object, wait: object) -> None:
        started = time.perf_counter()
        await action  # type: ignore[misc]
        await wait  # type: ignore[misc]
        latencies.append(time.perf_counter() - started)

    await timed(customer.send("/menu"), customer.wait_message(timeout=60))
    await timed(customer.send("Followers"), customer.wait_message(timeout=60))
    await timed(customer.click("1. Instagram Followers"), customer.wait_edit(timeout=60))
    await timed(customer.click("🛒 Order"), customer.wait_edit(timeout=60))
    await timed(customer.send(LINK), customer.wait_message(timeout=60))
    await timed(customer.send("1000"), customer.wait_message(contains="Order summary",
                                                            timeout=60))
    await timed(customer.click("✅ Confirm order"), customer.wait_message(contains="placed",
                                                                         timeout=60))
    return 7


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fund(database_url: str, telegram_ids: list[int]) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        users = (await session.scalars(
            select(User).where(User.telegram_id.in_(telegram_ids)))).all()
        for user in users:
            await ledger.apply(session, user_id=user.id, amount=Decimal(100),
                               kind=LedgerKind.CREDIT, key=f"bench:{user.id}")
    await engine.dispose()


async def count_orders(database_url: str) -> int:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        orders = len((await session.scalars(select(Order.id))).all())
    await engine.dispose()
    return orders


async def main(customers: int) -> None:
    panel = FakePanel()
    panel.set_catalog([SERVICE])
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/shop.sqlite3"
        async with FakeTelegram(token=TOKEN) as tg, panel:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN,
                   "TELEGRAM_API_URL": tg.url, "PANEL_URL": panel.url, "PANEL_KEY": panel.key,
                   "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
                   "STATUS_POLL_SECONDS": "3600", "CATALOG_SYNC_MINUTES": "600"}
            bot = await asyncio.create_subprocess_exec(
                sys.executable, *(PROFILE if os.environ.get("BENCH_PROFILE") else []), "-m",
                "bot", cwd=folder, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            try:
                await tg.wait_until(lambda: bool(tg.calls("getUpdates")), 60)
                people = [tg.user(50_000 + i, first_name=f"C{i}") for i in range(customers)]
                for person in people:
                    await person.send("/start")
                await asyncio.gather(*(p.wait_messages(2, timeout=120) for p in people))
                await fund(database_url, [p.id for p in people])
                await asyncio.sleep(6)  # past the flood limit's burst window and the row cache
                latencies: list[float] = []
                bot_cpu, own_cpu = cpu_seconds(bot.pid), time.process_time()
                started = time.perf_counter()
                counts = await asyncio.gather(*(customer_flow(p, latencies) for p in people))
                elapsed = time.perf_counter() - started
                bot_cpu = cpu_seconds(bot.pid) - bot_cpu
                own_cpu = time.process_time() - own_cpu
            finally:
                bot.send_signal(signal.SIGTERM)
                _, errors = await bot.communicate()
            orders = await count_orders(database_url)
    assert orders == customers, f"{orders} orders for {customers} customers\n{errors.decode()}"
    updates = sum(counts)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{customers} customers, {updates} updates in {elapsed:.2f} s: "
          f"{updates / elapsed:.0f} updates/s; latency p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms; {orders} orders placed; CPU busy: bot process "
          f"{bot_cpu / elapsed:.0%}, fakes and customers {own_cpu / elapsed:.0%}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
