"""Benchmark: how long the panel client takes to read a ~1 MB answer, whatever it contains.

Run: .venv/bin/python bench/bench_panel_parse.py [--runs R]
Each body is answered through an httpx.MockTransport to the real PanelClient (the HTTP
exchange is in-process), so a figure covers what the event loop spends on the answer: decoding
the text, JSON (strict, repaired or refused), and the bounded field readers. Prints, per body,
its size, the median and worst wall time over R runs, and what the client made of it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_catalog import make_rows, sloppy
from bot.panel import PanelClient, PanelError
from bot.panel.tolerant_json import loads

MB = 1_000_000
SIZE = MB - 1000  # the client refuses non-catalog answers over 1 MB unread
IDS = [str(i) for i in range(1, 101)]


def catalog_of(size: int) -> list[dict]:
    rows = make_rows(size // 245)  # ~245 bytes a row
    return rows


def bodies() -> list[tuple[str, str, str | bytes]]:
    """(label, action, body) — every body about 1 MB."""
    rows = catalog_of(MB)
    strict = json.dumps(rows)
    hostile = [dict(r) for r in rows]
    rnd = random.Random(3)
    for r in rnd.sample(hostile, len(hostile) // 20):  # 5% hostile rows
        r[rnd.choice(["min", "max", "rate", "name", "service"])] = rnd.choice(
            ["\u00b2", "\u0661\u0662", "1e30", "5000000000000000000000", "x" * 600, None, [1]]
        )
    status_rows = {
        i: {
            "charge": "0.27819",
            "start_count": "3572",
            "status": "In progress",
            "remains": "157",
            "currency": "USD",
        }
        for i in IDS
    }
    return [
        ("catalog, strict JSON", "services", strict),
        ("catalog, 5% hostile rows", "services", json.dumps(hostile)),
        ("catalog, sloppy (v1 doc style)", "services", sloppy(catalog_of(MB * 7 // 10))),
        ("deep nesting: 1M '['", "services", "[" * MB),
        (
            "nesting 900 deep, repeated",
            "services",
            "[" + ",".join(["[" * 900 + "]" * 900] * (MB // 1800)) + "]",
        ),
        ("one 1M-digit integer", "services", '[{"service": 1, "min": ' + "9" * SIZE + "}]"),
        ("230 integers of 4299 digits", "services", "[" + ",".join(["9" * 4299] * 230) + "]"),
        (
            "1e1000000 in every field",
            "services",
            json.dumps([{k: "x" for k in ("service", "rate", "min", "max")}] * (MB // 60)).replace(
                '"x"', "1e1000000"
            ),
        ),
        ("500k small integers", "services", "[" + ",".join(["1"] * (SIZE // 2)) + "]"),
        ("250k decimals", "services", "[" + ",".join(["1.5"] * (SIZE // 4)) + "]"),
        ("one 1 MB string", "services", json.dumps([{"service": 1, "name": "x" * SIZE}])),
        ("55k keys (densest allowed)", "services", json.dumps({str(i): i for i in range(55_000)})),
        ("500k short lines (sloppy)", "services", "[\n" + "1\n" * (SIZE // 2) + "]"),
        (
            "1 MB of bare words, lines",
            "services",
            "[\n" + "{a: b c d e f g h i j}\n" * (MB // 23) + "]",
        ),
        ("1 MB random bytes", "services", rnd.randbytes(SIZE)),
        ("1 MB HTML page", "services", "<html><title>502</title>" + "<p>x</p>" * (SIZE // 8)),
        ("100 status rows", "statuses", json.dumps(status_rows)),
        (
            "status answer, 250 kB of keys",
            "statuses",
            json.dumps({str(i): i for i in range(17_000)}),
        ),
        (
            "status answer over 256 kB",
            "statuses",
            json.dumps({**status_rows, "pad": "y" * 300_000}),
        ),
    ]


CALLS: dict[str, Callable[[PanelClient], Any]] = {
    "services": lambda c: c.catalog(),
    "status": lambda c: c.status(1),
    "statuses": lambda c: c.statuses(IDS),
    "balance": lambda c: c.balance(),
}


def outcome(result: Any) -> str:
    if isinstance(result, PanelError):
        return f"{type(result).__name__}: {result.detail[:50]}"
    if hasattr(result, "services"):
        return f"{len(result.services)} services, {len(result.skipped)} skipped"
    if isinstance(result, dict):
        return f"{len(result)} IDs answered"
    return type(result).__name__


async def measure(
    action: str, body: str | bytes, runs: int
) -> tuple[list[float], list[float], list[float], str]:
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"Content-Type": "application/json"})

    client = PanelClient(
        "bench",
        "https://panel.example/api/v2",
        "bench-key-123",
        retries=0,
        transport=httpx.MockTransport(handler),
    )
    times: list[float] = []
    cpu: list[float] = []
    stalls: list[float] = []
    result: Any = None
    try:
        for _ in range(runs):
            gc.collect()
            stall = [0.0]
            ticker = asyncio.create_task(_tick(stall))
            await asyncio.sleep(0.002)
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                result = await CALLS[action](client)
            except PanelError as exc:
                result = exc
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            await asyncio.sleep(0.005)  # let the ticker wake up and record the gap
            ticker.cancel()
            stalls.append(stall[0])
    finally:
        await client.aclose()
    return times, cpu, stalls, outcome(result)


async def _tick(worst: list[float]) -> None:
    """The longest the event loop went without running this task: what a customer waits."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last - 0.001)
        last = now


def loads_only(body: str | bytes, runs: int) -> float:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            loads(body)
        except ValueError:
            pass
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    import logging

    logging.disable(logging.WARNING)  # the client logs every refused answer
    print(
        "wall: median and worst wall time of the client call; cpu: median process CPU time\n"
        "(on a shared machine the CPU figure is the one to compare); stall: the longest the\n"
        "event loop was held during the call (worst run); json: loads() alone, on the loop"
    )
    print(
        f"{'answer':<32} {'MB':>5} {'wall':>8} {'worst':>8} {'cpu':>7} {'stall':>7} "
        f"{'json':>7}  outcome"
    )
    for label, action, body in bodies():
        times, cpu, stalls, result = await measure(action, body, args.runs)
        print(
            f"{label:<32} {len(body) / MB:5.2f} {statistics.median(times) * 1000:6.1f}ms "
            f"{max(times) * 1000:6.1f}ms {statistics.median(cpu) * 1000:5.1f}ms "
            f"{max(stalls) * 1000:5.1f}ms {loads_only(body, 3) * 1000:5.1f}ms  {result[:60]}"
        )


if __name__ == "__main__":
    asyncio.run(main())
