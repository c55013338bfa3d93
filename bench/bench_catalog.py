"""Benchmark: parse + normalize a 5,000-service catalog answer.

Run: .venv/bin/python bench/bench_catalog.py [--services N] [--runs R]
Prints the median wall time over R runs and the peak traced memory of one run, for the strict
JSON path and for the tolerant fallback (a v1-style answer with missing commas and bare words).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.panel.decode import parse_services
from bot.panel.models import ServiceType
from bot.panel.tolerant_json import loads

TYPES = [t.title for t in ServiceType if t is not ServiceType.UNKNOWN] + [
    "custom_comments",
    "mentions_hashtag",
    "Live Stream",
]
NETWORKS = ["Instagram", "TikTok", "YouTube", "Telegram", "X", "Facebook", "Spotify"]


def make_rows(n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    flag_styles = [lambda b: b, lambda b: int(b), lambda b: "1" if b else "0"]
    rows = []
    for i in range(1, n + 1):
        flag = rnd.choice(flag_styles)
        lo = rnd.choice([10, 50, 100, 500, 1000])
        rate = round(rnd.uniform(0.001, 50), rnd.choice([2, 4, 6]))
        rows.append(
            {
                "service": i if rnd.random() < 0.5 else str(i),
                "name": f"{rnd.choice(NETWORKS)} service #{i} [refill {rnd.randint(0, 365)} days]",
                "type": rnd.choice(TYPES),
                "category": f"{rnd.choice(NETWORKS)} - category {i % 40}",
                "rate": str(rate) if rnd.random() < 0.7 else rate,
                "min": str(lo) if rnd.random() < 0.5 else lo,
                "max": str(lo * rnd.randint(10, 10_000)),
                "refill": flag(rnd.random() < 0.4),
                "cancel": flag(rnd.random() < 0.5),
                "dripfeed": flag(rnd.random() < 0.3),
                "desc": "Start 0-1h, speed 10k/day" if rnd.random() < 0.3 else "",
            }
        )
    return rows


def sloppy(rows: list[dict]) -> str:
    """The v1 doc's shape: one member per line, no commas, bare-word type."""
    out = ["["]
    for row in rows:
        out.append("  {")
        for k, v in row.items():
            value = v if k == "type" and str(v).replace(" ", "").isalpha() else json.dumps(v)
            out.append(f'    "{k}": {value}')
        out.append("  },")
    out.append("]")
    return "\n".join(out)


def measure(text: str, runs: int) -> tuple[float, float, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        services = parse_services(loads(text))
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    parse_services(loads(text))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), min(times), peak if services else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    rows = make_rows(args.services)
    strict_text = json.dumps(rows)
    sloppy_text = sloppy(rows)
    parsed = parse_services(loads(strict_text)).services
    assert len(parsed) == args.services
    assert parse_services(loads(sloppy_text)).services == parsed
    orderable = sum(s.orderable for s in parsed)
    print(
        f"catalog: {args.services} services, {len(strict_text) / 1e6:.2f} MB JSON, "
        f"{orderable} orderable, runs={args.runs}"
    )
    for label, text in (("strict json", strict_text), ("tolerant fallback", sloppy_text)):
        median, best, peak = measure(text, args.runs)
        print(
            f"{label:>18}: median {median * 1000:7.1f} ms  best {best * 1000:7.1f} ms  "
            f"peak mem {peak / 1e6:6.1f} MB"
        )


if __name__ == "__main__":
    main()
