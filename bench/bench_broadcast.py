"""Broadcast to N recipients (default 5,000) through the real sending path (bot.shop.broadcast +
the aiogram copyMessage adapter, SQLite job) against the fake Bot API enforcing Telegram's
30 messages/s with 429s. Prints the sustained rate, duplicates, losses, 429s and peak memory.

    .venv/bin/python bench/bench_broadcast.py [N]

At the default pace of 25/s, 5,000 recipients take about 3.5 minutes by nature.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.shop import broadcast
from bot.telegram.broadcast_sender import copier
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_to_head
from storage.models import User
from tests.fakes.bot_api import FakeTelegram, iter_users

ADMIN = 1
FIRST = 100_000


async def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        await upgrade_to_head(engine)
        sessions = create_session_factory(engine)
        ids = range(FIRST, FIRST + count)
        async with sessions() as session, session.begin():
            await session.execute(insert(User), [{"telegram_id": i} for i in ids])
        async with FakeTelegram(token="123456:BENCH", flood_limit=30) as tg:
            users = iter_users(tg, ids)
            admin = tg.user(ADMIN)
            source = tg.add_message(tg.chats[ADMIN], {"text": "Sale today"}, sender=admin.to_api())
            job_id = await broadcast.create_draft(
                sessions,
                admin_telegram_id=ADMIN,
                from_chat_id=ADMIN,
                message_id=source.message_id,
                reply_markup=None,
            )
            await broadcast.start(
                sessions,
                job_id,
                admin_telegram_id=ADMIN,
                progress_chat_id=ADMIN,
                progress_message_id=source.message_id,
            )
            job = await broadcast.get(sessions, job_id)
            assert job is not None
            bot = tg.make_bot()
            reports = 0

            async def progress(report: broadcast.Progress) -> None:
                nonlocal reports
                reports += 1
                if reports % 10 == 0:
                    c = report.counts
                    print(
                        f"  {report.elapsed:6.0f} s  sent {c.sent:5}  pending {c.pending:5}"
                        f"  rate {report.rate:5.1f}/s",
                        flush=True,
                    )

            tracemalloc.start()
            began = time.perf_counter()
            counts = await broadcast.deliver(
                sessions,
                job_id,
                copier(bot, job),
                rate=broadcast.FREE_RATE,
                control=broadcast.Control(),
                on_progress=progress,
            )
            elapsed = time.perf_counter() - began
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            reached = sum(1 for u in users if tg.stats.deliveries[u.id] >= 1)
            duplicates = sum(1 for u in users if tg.stats.deliveries[u.id] > 1)
            print(f"recipients          {count}")
            print(f"wall time           {elapsed:.1f} s")
            print(
                f"sustained rate      {counts.sent / elapsed:.2f} messages/s "
                f"(pacer {broadcast.FREE_RATE:g}/s, fake limit 30/s)"
            )
            print(f"sent / failed       {counts.sent} / {counts.failed}")
            print(f"429 answers         {tg.stats.too_many_requests}")
            print(f"duplicates          {duplicates}")
            print(f"lost                {count - reached}")
            print(
                f"peak memory         {peak / 2**20:.1f} MiB traced (Python allocations); "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB max RSS"
            )
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
