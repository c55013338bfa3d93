"""Status polling benchmark: 10,000 open orders over two panels answering with 50 ms latency.

Prints the status requests per cycle per panel (must be ceil(N/100)) and the cycle time,
database work included, for a quiet cycle (nothing changed), a busy one (every order
completes: 10,000 transitions and events written), a worst case where every order ends
partial (10,000 transitions plus 10,000 refunds through the ledger), and a busy cycle with one
hostile row per panel (charge "1e30"): its batch of 200 is settled again order by order.

    .venv/bin/python bench/bench_status_poll.py [orders] [latency_ms]
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update

from bot.jobs.statuses import poll_statuses
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Order, Panel, User
from tests.fakes.panel_server import FakePanel
from tests.jobs.factory import make_service, make_shop


async def main(total: int, latency_ms: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await upgrade_to_head(engine)
        sessions = create_session_factory(engine)
        async with FakePanel() as one, FakePanel() as two:
            panels = {"one": one, "two": two}
            shop = await make_shop(sessions, {name: p.url for name, p in panels.items()})
            async with sessions() as session, session.begin():
                user = User(telegram_id=1, balance=Decimal(0))
                session.add(user)
                await session.flush()
                user_id = user.id
            per_panel = total // 2
            for index, (name, fake) in enumerate(panels.items()):
                service = await make_service(sessions, name)
                async with sessions() as session, session.begin():
                    panel_id = await session.scalar(select(Panel.id).where(Panel.name == name))
                    rows = []
                    for i in range(per_panel):
                        panel_order_id = str(index * 1_000_000 + i)
                        fake.set_order(panel_order_id, "In progress", remains="100")
                        rows.append(
                            {
                                "user_id": user_id,
                                "service_id": service.id,
                                "panel_id": panel_id,
                                "panel_order_id": panel_order_id,
                                "state": "in_progress",
                                "quantity": 1000,
                                "params": {},
                                "charge": Decimal(1),
                                "cost": Decimal("0.5"),
                                "refunded": Decimal(0),
                                "remains": 100,
                                "panel_status": "In progress",
                                "request_key": f"b{index}:{i}",
                            }
                        )
                    await session.execute(insert(Order), rows)
                fake.latency = latency_ms / 1000
            await poll_statuses(shop)  # warm-up: connections, statements

            scenarios = (
                ("quiet", "In progress", "100"),
                ("busy", "Completed", "0"),
                ("refunds", "Partial", "250"),
                ("bad-row", "Completed", "0"),
            )
            for label, status, remains in scenarios:
                async with sessions() as session, session.begin():  # every order open again
                    await session.execute(update(Order).values(state="in_progress"))
                for fake in panels.values():
                    fake.requests.clear()
                    for order_id in list(fake.orders):
                        fake.set_order(order_id, status, remains=remains)
                    if label == "bad-row":  # one row per panel the database cannot hold
                        fake.orders[next(iter(fake.orders))]["charge"] = "1e30"
                started = time.perf_counter()
                report = await poll_statuses(shop)
                elapsed = time.perf_counter() - started
                requests = {name: len(p.requests_for("status")) for name, p in panels.items()}
                expected = math.ceil(per_panel / 100)
                print(
                    f"{label:8} cycle: {report.orders} open orders, "
                    f"status requests per panel {requests} (ceil(N/100) = {expected}), "
                    f"{len(report.changes)} changes, cycle time {elapsed:.2f} s"
                )
            await shop.panels.aclose()
        await engine.dispose()


if __name__ == "__main__":
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
    asyncio.run(main(orders, latency))
