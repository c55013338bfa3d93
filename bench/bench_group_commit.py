"""Benchmark: Confirm's two writes (reserve: debit + `submitting` row; the panel's acceptance:
`pending`) one transaction per order, against grouped (bot/shop/group_commit.py), on SQLite
with the event loop kept busy as a bot at its limit keeps it.

On a busy loop every trip to aiosqlite's thread costs two turns of the loop (see
bench/bench_writer_busy_loop.py), and SQLite's one writer is held for all of a transaction's
trips: one by one, orders queue behind each other. Grouped, the orders that arrive while the
writer is busy share one transaction.

Run: .venv/bin/python bench/bench_group_commit.py [--orders 200] [--rate 30]
Prints, for each way: a burst (every order at once: orders/s) and a steady stream (`--rate`
orders/s, open loop: each order's latency, p50/p99), with the writer transactions counted.
The process runs on one core, as the bot does in bench/bench_storefront.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bot.context import Shop
from bot.panel import OrderRequest, ServiceType
from bot.shop import ordering
from bot.shop.ordering import Placed, ReserveAsk
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Service, User
from tests.jobs.factory import make_customer, make_service, make_shop

BUSY_TASKS = 8
SLICE = 0.0005  # seconds of CPU a busy task spends between yields to the loop

Confirm = Callable[[User, str], Awaitable[None]]


async def busy(stop: asyncio.Event) -> None:
    """CPU-bound work in short slices: the loop always has a callback ready."""
    while not stop.is_set():
        until = time.perf_counter() + SLICE
        while time.perf_counter() < until:
            pass
        await asyncio.sleep(0)


def request_for(service: Service) -> OrderRequest:
    return OrderRequest(
        service_id=service.panel_service_id,
        service_type=ServiceType.DEFAULT,
        link="https://instagram.com/p/bench",
        quantity=1000,
    )


def one_by_one(shop: Shop, service: Service) -> Confirm:
    async def confirm(user: User, key: str) -> None:
        reservation = await ordering.reserve(
            shop.sessions,
            shop.rules,
            user_id=user.id,
            service_id=service.id,
            request=request_for(service),
            request_key=key,
        )
        await ordering.settle_placed(shop.sessions, Placed(reservation.order, f"p-{key}"))

    return confirm


def grouped(shop: Shop, service: Service) -> Confirm:
    async def confirm(user: User, key: str) -> None:
        ask = ReserveAsk(shop.rules, user.id, service.id, request_for(service), key)
        reservation = await shop.reserves.run(ask)
        await shop.placements.run(Placed(reservation.order, f"p-{key}"))

    return confirm


async def run(way: str, orders: int, rate: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await upgrade_to_head(engine)
        sessions = create_session_factory(engine)
        shop = await make_shop(sessions, {"main": "http://127.0.0.1:9"})
        service = await make_service(sessions, "main")
        users = [await make_customer(sessions, balance="100000") for _ in range(50)]
        confirm = (grouped if way == "grouped" else one_by_one)(shop, service)
        commits = [0]

        def on_commit(_connection: object) -> None:
            commits[0] += 1

        event.listen(engine.sync_engine, "commit", on_commit)
        stop = asyncio.Event()
        workers = [asyncio.create_task(busy(stop)) for _ in range(BUSY_TASKS)]
        await asyncio.sleep(0.05)

        started = time.perf_counter()
        await asyncio.gather(*(confirm(users[n % 50], f"b{n}") for n in range(orders)))
        burst = time.perf_counter() - started
        burst_commits, commits[0] = commits[0], 0

        latencies: list[float] = []

        async def timed(n: int) -> None:
            began = time.perf_counter()
            await confirm(users[n % 50], f"s{n}")
            latencies.append(time.perf_counter() - began)

        pending = []
        started = time.perf_counter()
        for n in range(orders):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            pending.append(asyncio.create_task(timed(n)))
        await asyncio.gather(*pending)
        stop.set()
        await asyncio.gather(*workers)
        await engine.dispose()
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(
            f"{way:10} burst of {orders}: {orders / burst:6.1f} orders/s, "
            f"{burst_commits} write transactions; steady {rate:g}/s: "
            f"p50 {statistics.median(ordered) * 1000:7.1f} ms, p99 {p99 * 1000:7.1f} ms, "
            f"{commits[0]} write transactions"
        )


async def main(orders: int, rate: float) -> None:
    print(f"Confirm's writes on a loop kept busy by {BUSY_TASKS} CPU-bound tasks, SQLite")
    for way in ("one by one", "grouped"):
        await run(way, orders, rate)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(args.orders, args.rate))
    else:
        uvloop.run(main(args.orders, args.rate))
