"""Database statements and Bot API calls per step of the benchmark's order flow (one customer).

.venv/bin/python bench/count_statements.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from storage.db import all_engines  # noqa: E402
from tests.e2e.harness import running_shop  # noqa: E402
from tests.fakes.panel_server import FakePanel  # noqa: E402

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


async def main() -> None:
    panel = FakePanel()
    panel.set_catalog([SERVICE])
    with tempfile.TemporaryDirectory() as folder:
        async with running_shop(Path(folder), panel=panel) as shop:
            statements: list[str] = []
            for engine in all_engines(shop.runtime.engine):  # the writer and SQLite's readers
                event.listen(
                    engine.sync_engine,
                    "before_cursor_execute",
                    lambda *args: statements.append(" ".join(args[2].split()[:4])),
                )
            customer = shop.customer(50_001)
            await customer.send("/start")
            await customer.wait_messages(2)
            await shop.fund(50_001, "100")
            await asyncio.sleep(6)  # past the customer row cache, as in the benchmark
            steps = [
                ("/menu", customer.send("/menu"), customer.wait_message),
                ("search", customer.send("Followers"), customer.wait_message),
                ("card", customer.click("1. Instagram Followers"), customer.wait_edit),
                ("order", customer.click("🛒 Order"), customer.wait_edit),
                ("link", customer.send("https://instagram.com/p/x"), customer.wait_message),
                ("quantity", customer.send("1000"), customer.wait_message),
                (
                    "confirm",
                    customer.click("✅ Confirm order"),
                    lambda: customer.wait_message(contains="placed"),
                ),
            ]
            total_statements = total_calls = 0
            for name, action, wait in steps:
                statements.clear()
                calls = len(shop.tg.requests)
                await action
                await wait()
                await shop.tg.wait_idle()
                await asyncio.sleep(0.4)  # let written-behind state land in this step
                api = Counter(
                    r.method for r in shop.tg.requests[calls:] if r.method != "getUpdates"
                )
                total_statements += len(statements)
                total_calls += sum(api.values())
                print(f"{name:9s} {len(statements):2d} statements, API {dict(api)}")
                for statement in statements:
                    print(f"            {statement}")
            print(f"total: {total_statements} statements, {total_calls} Bot API calls")


if __name__ == "__main__":
    asyncio.run(main())
