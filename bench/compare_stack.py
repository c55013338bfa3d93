"""The storefront benchmark on an older commit and on this tree, one after the other, printed
side by side: what a change of stack costs or saves, measured on the same machine in one run.

The old commit is checked out into a temporary `git worktree` (removed afterwards), and
bench/bench_storefront.py runs there and here with the same arguments and the same Python.

    .venv/bin/python bench/compare_stack.py [--old 3dcdd07] [--python PATH]
                                           [--customers 100] [--rate 200] [--seconds 15]
                                           [--no-pin]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path("bench") / "bench_storefront.py"
# "steady, 200 updates/s offered by 400 customers: 2800 updates in 14.1 s = 199 updates/s;
#  latency p50 9.1 ms, p99 40.2 ms, max 80.0 ms; bot process CPU 61% (3.10 ms per update), ..."
LINE = re.compile(
    r"^(?P<phase>burst|steady)[^:]*: (?P<count>\d+) updates in [\d.]+ s = (?P<rate>\d+) "
    r"updates/s; latency p50 (?P<p50>[\d.]+) ms, p99 (?P<p99>[\d.]+) ms, max (?P<max>[\d.]+) "
    r"ms; bot process CPU (?P<cpu>\d+)% \((?P<per>[\d.]+) ms per update\)"
)
FIELDS = [
    ("rate", "updates/s"),
    ("p50", "p50 ms"),
    ("p99", "p99 ms"),
    ("max", "max ms"),
    ("cpu", "bot CPU %"),
    ("per", "bot ms/update"),
]


def run_bench(tree: Path, python: str, args: list[str]) -> str:
    print(f"== {tree}: {BENCH} {' '.join(args)}", file=sys.stderr, flush=True)
    done = subprocess.run(
        [python, str(BENCH), *args], cwd=tree, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the benchmark failed in {tree}:\n{done.stdout}\n{done.stderr[-3000:]}")
    print(done.stdout, file=sys.stderr, flush=True)
    return done.stdout


def figures(output: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for line in output.splitlines():
        match = LINE.match(line.strip())
        if match:
            found[match["phase"]] = match.groupdict()
    return found


def table(old_label: str, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> str:
    rows = [f"{'phase':<8} {'figure':<14} {old_label:>12} {'this tree':>12}"]
    for phase in ("burst", "steady"):
        for key, label in FIELDS:
            before = old.get(phase, {}).get(key, "-")
            after = new.get(phase, {}).get(key, "-")
            rows.append(f"{phase:<8} {label:<14} {before:>12} {after:>12}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default="3dcdd07", help="the commit to compare with")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter for both runs (its environment has the deps)",
    )
    parser.add_argument("--customers", default="100")
    parser.add_argument("--rate", default="200")
    parser.add_argument("--seconds", default="15")
    parser.add_argument("--no-pin", action="store_true")
    options = parser.parse_args()
    args = [
        "--customers",
        options.customers,
        "--rate",
        options.rate,
        "--seconds",
        options.seconds,
    ] + (["--no-pin"] if options.no_pin else [])
    with tempfile.TemporaryDirectory(prefix="compare-stack-") as folder:
        old_tree = Path(folder) / "old"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(old_tree), options.old],
            cwd=ROOT,
            check=True,
        )
        try:
            old = figures(run_bench(old_tree, options.python, args))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False
            )
    new = figures(run_bench(ROOT, options.python, args))
    print(table(options.old, old, new))


if __name__ == "__main__":
    main()
