"""Benchmark: the cost of one SQLite transaction through the shop's engine (stock aiosqlite;
write transactions BEGIN IMMEDIATE … COMMIT on the one writer, read sessions on the read-only
pool).

Run: .venv/bin/python bench/bench_sqlite.py [--transactions N] [--rounds R]
Prints, as the median (best) of R rounds of N transactions each, wall and process CPU time per
transaction (the CPU of aiosqlite's worker thread included) for:
- empty: BEGIN IMMEDIATE + COMMIT alone, what beginning every transaction costs over none;
- read: an ORM session reading one row, no begin() (the shape of most customer steps);
- read+write: a session reading one row and updating it;
each one at a time, then with 20 tasks sharing the engine (transactions/s); and reads beside
writes: 10 tasks reading while 10 others read + update, with the slowest reads (p99 wall) —
the customers browsing while others order.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import ShopSetting

TASKS = 20


async def measure(op: Callable[[], Awaitable[None]], n: int, tasks: int) -> tuple[float, float]:
    """Seconds of wall and of CPU for n transactions run by `tasks` tasks."""

    async def worker(count: int) -> None:
        for _ in range(count):
            await op()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(n // tasks) for _ in range(tasks)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def main(n: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/shop.sqlite3")
        await upgrade_to_head(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            session.add(ShopSetting(key="k", value="0"))
        query = select(ShopSetting.value).where(ShopSetting.key == "k")

        async def empty() -> None:
            async with engine.begin():
                pass

        async def read() -> None:
            async with sessions() as session:
                await session.scalar(query)

        async def read_write() -> None:
            async with sessions() as session, session.begin():
                value = await session.scalar(query)
                await session.execute(
                    update(ShopSetting)
                    .where(ShopSetting.key == "k")
                    .values(value=str(int(value or 0) + 1))
                )

        for name, op in (("empty", empty), ("read", read), ("read+write", read_write)):
            await measure(op, 200, 1)  # warm-up
            alone = [await measure(op, n, 1) for _ in range(rounds)]
            shared = [await measure(op, n, TASKS) for _ in range(rounds)]
            wall = [w / n * 1e6 for w, _ in alone]
            cpu = [c / n * 1e6 for _, c in alone]
            rate = [n / w for w, _ in shared]
            print(
                f"{name:10s} one at a time: {statistics.median(wall):5.0f} ({min(wall):4.0f}) "
                f"µs wall, {statistics.median(cpu):5.0f} ({min(cpu):4.0f}) µs CPU; "
                f"{TASKS} tasks: {statistics.median(rate):5.0f} ({max(rate):4.0f}) "
                "transactions/s"
            )
        read_walls: list[float] = []

        async def timed_read() -> None:
            started = time.perf_counter()
            await read()
            read_walls.append(time.perf_counter() - started)

        async def mixed_worker(op: Callable[[], Awaitable[None]], count: int) -> None:
            for _ in range(count):
                await op()

        for _ in range(rounds):
            read_walls.clear()
            wall = time.perf_counter()
            half = TASKS // 2
            await asyncio.gather(
                *(mixed_worker(timed_read, n // TASKS) for _ in range(half)),
                *(mixed_worker(read_write, n // TASKS) for _ in range(TASKS - half)),
            )
            wall = time.perf_counter() - wall
            read_walls.sort()
            p99 = read_walls[int(len(read_walls) * 0.99)] * 1e3
            print(
                f"mixed      {half} reading + {TASKS - half} writing tasks: "
                f"{n / wall:5.0f} transactions/s, read p50 "
                f"{statistics.median(read_walls) * 1e3:5.1f} ms, p99 {p99:5.1f} ms"
            )
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.transactions, args.rounds))
