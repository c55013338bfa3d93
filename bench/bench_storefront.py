"""Storefront benchmark: N simulated customers browse and order at once, through the full
stack — the real bot polling a fake Bot API over HTTP, a fake panel over HTTP, SQLite.

Each customer: /start, search a service, open it, Order, link, quantity, Confirm (8 updates).
Prints updates per second and p50/p99 latency from an update's arrival at the Bot API to the
bot's answer to it (both fakes run in this process, on the same 2 cores, and are included).

    .venv/bin/python bench/bench_storefront.py [customers]
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.middlewares import throttling
from tests.e2e.harness import running_shop
from tests.fakes.bot_api import FakeUser
from tests.fakes.panel_server import FakePanel

SERVICE = {"service": 1, "name": "Instagram Followers", "type": "Default",
           "category": "Instagram", "rate": "0.90", "min": "10", "max": "10000",
           "refill": True, "cancel": True}
LINK = "https://instagram.com/p/bench"


async def customer_flow(customer: FakeUser, latencies: list[float]) -> int:
    async def timed(action: object, wait: object) -> None:
        started = time.perf_counter()
        await action  # type: ignore[misc]
        await wait  # type: ignore[misc]
        latencies.append(time.perf_counter() - started)

    await timed(customer.send("/start"), customer.wait_messages(2, timeout=30))
    await timed(customer.send("Followers"), customer.wait_message(timeout=30))
    await timed(customer.click("1. Instagram Followers"), customer.wait_edit(timeout=30))
    await timed(customer.click("🛒 Order"), customer.wait_edit(timeout=30))
    await timed(customer.send(LINK), customer.wait_message(timeout=30))
    await timed(customer.send("1000"), customer.wait_message(contains="Order summary",
                                                            timeout=30))
    await timed(customer.click("✅ Confirm order"), customer.wait_message(contains="placed",
                                                                         timeout=30))
    return 7


async def main(customers: int) -> None:
    logging.disable(logging.WARNING)
    # Simulated customers click faster than people; the flood limit is not what is measured.
    throttling.ThrottlingMiddleware.__init__.__defaults__ = (
        1000.0, 1000.0, *throttling.ThrottlingMiddleware.__init__.__defaults__[2:])  # type: ignore[index]
    panel = FakePanel()
    panel.set_catalog([SERVICE])
    with tempfile.TemporaryDirectory() as folder:
        async with running_shop(Path(folder), panel=panel) as shop:
            people = [shop.customer(50_000 + i, "en") for i in range(customers)]
            for person in people:  # funded up front: /credit is not what is measured
                await person.send("/start")
            await asyncio.gather(*(p.wait_messages(2, timeout=60) for p in people))
            for person in people:
                await shop.fund(person.id, "100")
            latencies: list[float] = []
            started, cpu_started = time.perf_counter(), time.process_time()
            counts = await asyncio.gather(*(customer_flow(p, latencies) for p in people))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            orders = len(await shop.orders())
            assert orders == customers, f"{orders} orders for {customers} customers"
            assert await shop.invariant_holds()
    updates = sum(counts)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    p50 = statistics.median(latencies)
    print(f"{customers} customers, {updates} updates in {elapsed:.2f} s: "
          f"{updates / elapsed:.0f} updates/s; latency p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms; {orders} orders placed; CPU {cpu / elapsed:.0%} of one core")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
