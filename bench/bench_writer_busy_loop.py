"""Benchmark: how long one write transaction holds SQLite's writer when the event loop is busy,
and whether the interpreter's thread switch interval (`sys.setswitchinterval`) matters.

Every statement is a few trips to aiosqlite's worker thread and back (SQLAlchemy's adapter
opens a cursor, executes, fetches what the statement returns, closes the cursor), and each trip
ends with two turns of the event loop: the worker's result is a callback queued behind every
callback already waiting, then the task it wakes is queued again. On an idle loop a trip costs
tens of microseconds; on a loop that always has work queued (a bot at its limit) it costs two
full turns, so the writer is held for as many turns as the transaction makes trips, and every
other order waits behind it. Fewer trips per transaction is what shortens that; the switch
interval (how soon the worker may take the GIL from a busy loop) turned out not to.

Run: .venv/bin/python bench/bench_writer_busy_loop.py [--transactions 200]
Prints, per switch interval, the writer's hold per transaction (p50, p90, max) with the loop
idle and with the loop kept busy by CPU-bound tasks, and how much of that busy work got done.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import ShopSetting

INTERVALS = (0.005, 0.001, 0.0005)
BUSY_TASKS = 8
SLICE = 0.0005  # seconds of CPU a busy task spends between yields to the loop


async def busy(stop: asyncio.Event, done: list[int]) -> None:
    """CPU-bound work in short slices: the loop always has a callback ready."""
    while not stop.is_set():
        until = time.perf_counter() + SLICE
        while time.perf_counter() < until:
            pass
        done[0] += 1
        await asyncio.sleep(0)


async def holds(url: str, transactions: int, loaded: bool) -> tuple[list[float], int]:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    stop, done = asyncio.Event(), [0]
    workers = [asyncio.create_task(busy(stop, done)) for _ in range(BUSY_TASKS if loaded else 0)]
    await asyncio.sleep(0.05)
    seconds: list[float] = []
    key = ShopSetting.key == "bench"
    for number in range(transactions):
        started = time.perf_counter()
        async with sessions() as session, session.begin():  # BEGIN IMMEDIATE … COMMIT
            await session.scalar(select(ShopSetting.value).where(key))
            for _ in range(4):
                await session.execute(update(ShopSetting).where(key).values(value=str(number)))
        seconds.append(time.perf_counter() - started)
    stop.set()
    await asyncio.gather(*workers)
    await engine.dispose()
    return seconds, done[0]


def figures(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[int(len(ordered) * 0.9)]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.2f} ms, p90 {p90 * 1000:6.2f} ms, "
        f"max {ordered[-1] * 1000:6.2f} ms"
    )


async def main(transactions: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        async with create_session_factory(engine)() as session, session.begin():
            session.add(ShopSetting(key="bench", value="0"))
        await engine.dispose()
        print(f"one write transaction: BEGIN IMMEDIATE, 5 statements, COMMIT ({transactions}×)")
        for interval in INTERVALS:
            sys.setswitchinterval(interval)
            idle, _ = await holds(url, transactions, loaded=False)
            loaded, slices = await holds(url, transactions, loaded=True)
            print(f"switch interval {interval * 1000:.1f} ms")
            print(f"  loop idle: {figures(idle)}")
            per_second = slices / sum(loaded)
            print(f"  loop busy: {figures(loaded)}; busy slices done {per_second:.0f}/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=200)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(args.transactions))
    else:
        uvloop.run(main(args.transactions))
