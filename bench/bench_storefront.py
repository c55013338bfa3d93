"""Storefront benchmark: simulated customers browse and order through the full stack — the real
bot (`python -m bot`, polling) against a fake Bot API and a fake panel over HTTP on 127.0.0.1,
with SQLite.

The bot runs in its own process, as in production; the fakes and the simulated customers run
in this one. On a machine with two or more cores each process is pinned to a core of its own
(`--no-pin` leaves placement to the scheduler): without pinning the kernel moves the bot between
the cores, and it pays for cold caches on every move — about a fifth more CPU per update and
several times the p99 at 150 updates/s on this 2-core machine.

A customer's flow: /menu, search a service by typing, open it, Order, link, quantity, Confirm —
7 updates, each timed from the moment it reaches the Bot API to the bot's answer (so the long
poll's pick-up is included).

Two phases:
  1. burst — CUSTOMERS customers run the flow at once, each sending its next update as soon as
     the previous one is answered: the most the stack can take (closed loop, no think time).
  2. steady — RATE updates per second for SECONDS seconds: 2 × RATE customers each act every
     2 s (faster than people tap), so updates arrive independently of how fast the bot answers
     them; latency under the target load (open loop).

    .venv/bin/python bench/bench_storefront.py [--customers 100] [--rate 200] [--seconds 15]
                                               [--no-pin] [--postgres URL] [--repeat N]

`--repeat N` runs it N times, each in a fresh process (bot, database and harness), and ends
with one line: the steady p99 of every run, in how many the target (the offered rate
answered, p99 < 100 ms) was met, and the bot's CPU per update. This machine's speed changes
from minute to minute, so a single run says little about the target.

`--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres` runs the shop on a fresh
database of that server (created for the run, dropped after it) instead of a SQLite file.

BENCH_PYSPY=out.txt records the bot process with py-spy (if installed) during both phases.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, make_url, select  # noqa: E402

from bot.shop import ledger  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.models import LedgerKind, Order, User  # noqa: E402
from tests.fakes.bot_api import FakeTelegram, FakeUser  # noqa: E402
from tests.fakes.panel_server import FakePanel  # noqa: E402

TOKEN = "777777:BENCH-token-abcdefghijklmnopqrstuv"
SERVICE = {
    "service": 1,
    "name": "Instagram Followers",
    "type": "Default",
    "category": "Instagram",
    "rate": "0.90",
    "min": "10",
    "max": "10000",
    "refill": True,
    "cancel": True,
}
LINK = "https://instagram.com/p/bench"
STEP_NAMES = ("menu", "search", "card", "order", "link", "quantity", "confirm")
STEP_PERIOD = 2.0  # seconds between one steady customer's updates
FLOW_STEPS = 7
WAIT = 60.0
TARGET_P99 = 0.1  # seconds, steady at the offered rate


def flow(customer: FakeUser) -> list[Callable[[], Awaitable[object]]]:
    """The 7 steps of one order; each sends an update and waits for the bot's answer."""

    async def step(action: Awaitable[object], answer: Awaitable[object]) -> None:
        await action
        await answer

    return [
        lambda: step(customer.send("/menu"), customer.wait_message(timeout=WAIT)),
        lambda: step(customer.send("Followers"), customer.wait_message(timeout=WAIT)),
        lambda: step(customer.click("1. Instagram Followers"), customer.wait_edit(timeout=WAIT)),
        lambda: step(customer.click("🛒 Order"), customer.wait_edit(timeout=WAIT)),
        lambda: step(customer.send(LINK), customer.wait_message(timeout=WAIT)),
        lambda: step(
            customer.send("1000"), customer.wait_message(contains="Order summary", timeout=WAIT)
        ),
        lambda: step(
            customer.click("✅ Confirm order"),
            customer.wait_message(contains="placed", timeout=WAIT),
        ),
    ]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    bot_cpu: float = 0.0
    own_cpu: float = 0.0
    orders: int = 0  # flows that reached "placed"
    spans: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered)
    by_step: dict[int, list[float]] = field(default_factory=dict)

    def timed(self, step: Callable[[], Awaitable[object]], index: int = 0) -> Awaitable[None]:
        async def run() -> None:
            started = time.perf_counter()
            await step()
            answered = time.perf_counter()
            self.latencies.append(answered - started)
            self.spans.append((started, answered))
            self.by_step.setdefault(index, []).append(answered - started)

        return run()

    def steps_report(self) -> str:
        parts = []
        for index, name in enumerate(STEP_NAMES):
            done = sorted(self.by_step.get(index, []))
            if done:
                parts.append(
                    f"{name} {statistics.median(done) * 1000:.0f}/"
                    f"{done[min(len(done) - 1, int(len(done) * 0.99))] * 1000:.0f}"
                )
        return "  p50/p99 ms by step: " + ", ".join(parts)

    def report(self) -> str:
        done = sorted(self.latencies)
        p50 = statistics.median(done)
        p99 = done[min(len(done) - 1, int(len(done) * 0.99))]
        # From the first update sent to the last answered: the phase's own set-up and
        # wind-down (customers waiting for their first turn) are not counted.
        busy = max(end for _, end in self.spans) - min(start for start, _ in self.spans)
        return (
            f"{self.name}: {len(done)} updates in {busy:.2f} s = "
            f"{len(done) / busy:.0f} updates/s; latency p50 {p50 * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {done[-1] * 1000:.1f} ms; bot process CPU "
            f"{self.bot_cpu / self.elapsed:.0%} ({self.bot_cpu / len(done) * 1000:.2f} ms "
            f"per update), fakes + customers CPU {self.own_cpu / self.elapsed:.0%}"
        )


class Measure:
    """CPU of both processes and wall time around a phase."""

    def __init__(self, phase: Phase, bot_pid: int) -> None:
        self.phase, self.bot_pid = phase, bot_pid

    def __enter__(self) -> Phase:
        self.bot_cpu, self.own_cpu = cpu_seconds(self.bot_pid), time.process_time()
        self.started = time.perf_counter()
        return self.phase

    def __exit__(self, *_: object) -> None:
        self.phase.elapsed = time.perf_counter() - self.started
        self.phase.bot_cpu = cpu_seconds(self.bot_pid) - self.bot_cpu
        self.phase.own_cpu = time.process_time() - self.own_cpu


async def burst(people: list[FakeUser], phase: Phase) -> None:
    async def one(person: FakeUser) -> None:
        for index, step in enumerate(flow(person)):
            await phase.timed(step, index)
        phase.orders += 1

    await asyncio.gather(*(one(p) for p in people))


async def steady(people: list[FakeUser], seconds: float, phase: Phase, bot_pid: int) -> None:
    """Customers start spread over one whole flow, so that once all have started every step of
    the flow is being taken at any moment; only the `seconds` after that ramp are measured."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    opens = start + STEP_PERIOD * FLOW_STEPS
    closes = opens + seconds

    async def one(person: FakeUser, offset: float) -> None:
        due = start + offset
        while True:
            for index, step in enumerate(flow(person)):
                await asyncio.sleep(max(0.0, due - loop.time()))
                now = loop.time()
                if now >= closes:
                    return
                await (phase.timed(step, index) if now >= opens else step())
                due += STEP_PERIOD
            phase.orders += 1

    async def meter() -> None:
        await asyncio.sleep(opens - loop.time())
        with Measure(phase, bot_pid):
            await asyncio.sleep(closes - loop.time())

    random.seed(7)
    await asyncio.gather(
        meter(), *(one(p, random.uniform(0, STEP_PERIOD * FLOW_STEPS)) for p in people)
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fund(database_url: str, telegram_ids: list[int]) -> None:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session, session.begin():
        users = (
            await session.scalars(select(User).where(User.telegram_id.in_(telegram_ids)))
        ).all()
        for user in users:
            await ledger.apply(
                session,
                user_id=user.id,
                amount=Decimal(1000),
                kind=LedgerKind.CREDIT,
                key=f"bench:{user.id}",
            )
    await engine.dispose()


async def count_orders(database_url: str) -> int:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        orders = await session.scalar(select(func.count(Order.id)))
    await engine.dispose()
    return int(orders or 0)


async def start_profiler(pid: int) -> asyncio.subprocess.Process | None:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    target, spy = os.environ.get("BENCH_PYSPY"), shutil.which("py-spy", path=search)
    if not target or not spy:
        return None
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "-p",
        str(pid),
        "-r",
        "200",
        "--gil",
        "--nonblocking",  # a paused bot falls behind and changes what is measured
        "-f",
        "raw",
        "-o",
        target,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def pin_to_own_cores(bot_pid: int) -> str:
    """The bot on the first core, this process (fakes + customers) on the second."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
    if len(cores) < 2:
        return "not pinned (fewer than 2 cores)"
    os.sched_setaffinity(bot_pid, {cores[0]})
    os.sched_setaffinity(0, {cores[1]})
    return f"bot pinned to core {cores[0]}, fakes + customers to core {cores[1]}"


@asynccontextmanager
async def shop_database(folder: str, postgres: str | None) -> AsyncIterator[str]:
    """The shop's database URL: a SQLite file in `folder`, or a fresh PostgreSQL database on
    the server `postgres` points at, dropped after the run."""
    if postgres is None:
        yield f"sqlite+aiosqlite:///{folder}/shop.sqlite3"
        return
    import asyncpg

    server = make_url(postgres)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"bench_storefront_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def main(
    customers: int, rate: int, seconds: float, pin: bool, postgres: str | None = None
) -> None:
    panel = FakePanel()
    panel.set_catalog([SERVICE])
    steady_count = int(rate * STEP_PERIOD)
    with tempfile.TemporaryDirectory() as folder:
        async with (
            shop_database(folder, postgres) as database_url,
            FakeTelegram(token=TOKEN) as tg,
            panel,
        ):
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": tg.url,
                "PANEL_URL": panel.url,
                "PANEL_KEY": panel.key,
                "DATABASE_URL": database_url,
                "LOG_LEVEL": "WARNING",
                "STATUS_POLL_SECONDS": "3600",
                "CATALOG_SYNC_MINUTES": "600",
            }
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=folder,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            profiler = None
            placement = pin_to_own_cores(bot.pid) if pin else "not pinned (--no-pin)"
            try:
                await tg.wait_until(lambda: bool(tg.calls("getUpdates")), WAIT)
                people = [
                    tg.user(50_000 + i, first_name=f"C{i}")
                    for i in range(max(customers, steady_count))
                ]
                for person in people:  # warm-up: every customer exists and has a balance
                    await person.send("/start")
                    await asyncio.sleep(0.004)
                await asyncio.gather(*(p.wait_messages(2, timeout=120) for p in people))
                await fund(database_url, [p.id for p in people])
                gc.collect()  # the harness's own set-up is not collected again and again
                gc.freeze()
                # The fakes keep every request they served (tests assert on them), so the
                # harness's full collector passes grow with the run: up to 260 ms each, with
                # the fake Bot API and panel stopped, charged to the bot's latency. The run
                # is short; its young generations are still collected.
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, 1_000_000)
                await asyncio.sleep(6)  # past the flood limit's burst window
                profiler = await start_profiler(bot.pid)
                served_before = len(tg.requests)
                with Measure(Phase(f"burst, {customers} customers at once"), bot.pid) as first:
                    await burst(people[:customers], first)
                await asyncio.sleep(6)
                second = Phase(f"steady, {rate} updates/s offered by {steady_count} customers")
                await steady(people[:steady_count], seconds, second, bot.pid)
                served = Counter(r.method for r in tg.requests[served_before:])
            finally:
                if profiler is not None:
                    profiler.send_signal(signal.SIGINT)
                    await profiler.wait()
                bot.send_signal(signal.SIGTERM)
                _, errors = await bot.communicate()
            orders = await count_orders(database_url)
    expected = first.orders + second.orders
    assert orders == expected, f"{orders} orders, expected {expected}\n{errors.decode()}"
    print(placement)
    print(first.report())
    print(first.steps_report())
    print(second.report())
    print(second.steps_report())
    print(f"{orders} orders placed in all")
    flows = max(1, first.orders + second.orders)
    per_flow = ", ".join(
        f"{method} {count / flows:.2f}"
        for method, count in served.most_common()
        if method != "getUpdates"
    )
    print(f"Bot API calls per order flow: {per_flow}; getUpdates {served['getUpdates']}")


@dataclass(frozen=True)
class SteadyRun:
    rate: float  # updates/s answered
    p99_ms: float
    cpu_ms: float  # bot CPU per update

    def meets_target(self, offered: int) -> bool:
        """The offered rate answered, with p99 under TARGET_P99."""
        return self.rate >= offered * 0.99 and self.p99_ms < TARGET_P99 * 1000


def summary(runs: list[SteadyRun], offered: int) -> str:
    """One line over repeated runs: on this machine one run says little."""
    met = sum(run.meets_target(offered) for run in runs)
    p99s = " / ".join(f"{run.p99_ms:.0f}" for run in runs)
    cpu = sorted(run.cpu_ms for run in runs)
    return (
        f"steady over {len(runs)} runs: p99 ms {p99s}; target ({offered} updates/s, p99 < "
        f"{TARGET_P99 * 1000:.0f} ms) met in {met} of {len(runs)}; bot CPU per update "
        f"median {statistics.median(cpu):.2f} ms ({cpu[0]:.2f}–{cpu[-1]:.2f})"
    )


def repeat(times: int, offered: int, arguments: list[str]) -> None:
    """Run this benchmark `times` times, each in a fresh process (no state carried from one
    run to the next, in the bot or in the harness), then sum up the steady phases."""
    from bench.compare_stack import figures

    runs = []
    for number in range(1, times + 1):
        print(f"== run {number} of {times}", flush=True)
        done = subprocess.run(
            [sys.executable, __file__, *arguments], capture_output=True, text=True, check=False
        )
        print(done.stdout, end="", flush=True)
        steady = figures(done.stdout).get("steady")
        if done.returncode != 0 or steady is None:
            raise SystemExit(f"run {number} failed:\n{done.stderr[-3000:]}")
        runs.append(SteadyRun(float(steady["rate"]), float(steady["p99"]), float(steady["per"])))
    print(summary(runs, offered))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="leave both processes to the scheduler instead of a core each",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run the shop on a fresh database of this PostgreSQL server instead of SQLite",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run N times, each in a fresh process, and sum up the steady runs against the target",
    )
    args = parser.parse_args()
    if args.repeat > 1:
        # Each run gets the same arguments; argparse keeps the last --repeat: run once.
        repeat(args.repeat, args.rate, [*sys.argv[1:], "--repeat", "1"])
    else:
        asyncio.run(main(args.customers, args.rate, args.seconds, args.pin, args.postgres))
