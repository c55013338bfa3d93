"""Shop statistics on a seeded database, on SQLite and PostgreSQL, and the chart as a PNG."""

from __future__ import annotations

import io
import struct
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import stats
from bot.telegram import chart
from storage.models import Category, Order, Panel, Service, User

both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
NOW = datetime(2025, 3, 31, 15, 30, tzinfo=UTC)
D = Decimal


def ago(days: int, hour: int = 10) -> datetime:
    """`days` calendar days before NOW's day, at `hour` UTC."""
    return (NOW - timedelta(days=days)).replace(hour=hour, minute=0)


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        session.add(Panel(id=1, name="main", url="http://panel.example"))
        session.add(Category(id=1, name="Instagram"))
        await session.flush()
        for service_id, name in ((1, "Followers"), (2, "Likes"), (3, "Views")):
            session.add(
                Service(
                    id=service_id,
                    panel_id=1,
                    panel_service_id=str(service_id),
                    category_id=1,
                    name=name,
                    name_ar=f"{name}-ar",
                    type="Default",
                    rate=D(1),
                    min_quantity=10,
                    max_quantity=1000,
                )
            )
        await session.flush()
        users: list[dict[str, Any]] = [
            {"id": 1, "telegram_id": 101, "created_at": ago(0, 0)},  # today, at midnight
            {"id": 2, "telegram_id": 102, "created_at": ago(6, 1)},  # 7 d
            {"id": 3, "telegram_id": 103, "created_at": ago(7), "is_active": False},  # 30 d
            {"id": 4, "telegram_id": 104, "created_at": ago(29, 0), "is_banned": True},
            {"id": 5, "telegram_id": 105, "created_at": ago(30, 23)},  # before the 30 days
        ]
        await session.execute(insert(User), users)
        orders = [
            # (days ago, service, state, charge, refunded, cost, panel charge)
            (0, 1, "completed", "13", "0", "10", None),
            (0, 2, "partial", "6.50", "2.50", "5", "3"),
            (1, 1, "failed", "13", "13", "10", None),
            (3, 3, "pending", "2", "0", "1.5", None),
            (6, 2, "canceled", "4", "4", "3", "0"),
            (7, 1, "completed", "26", "0", "20", "19.5"),
            (29, 3, "refunded", "1", "1", "0.8", None),
            (29, 3, "completed", "1.30", "0", "1", None),
            (30, 1, "completed", "100", "0", "80", None),  # before the 30 days
        ]
        await session.execute(
            insert(Order),
            [
                {
                    "user_id": 1,
                    "service_id": service,
                    "panel_id": 1,
                    "state": state,
                    "charge": D(charge),
                    "refunded": D(refunded),
                    "cost": D(cost),
                    "panel_charge": D(panel) if panel is not None else None,
                    "request_key": f"k{i}",
                    "created_at": ago(days),
                    "params": {},
                }
                for i, (days, service, state, charge, refunded, cost, panel) in enumerate(orders)
            ],
        )


@both_engines
async def test_figures(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    figures = await stats.collect(sessions, currency_rate=D("3.75"), precision=2, now=NOW)

    assert figures.users == stats.UserCounts(
        total=5, active=3, new={"today": 1, "week": 2, "month": 4}
    )
    assert figures.by_state == {
        "canceled": 1,
        "completed": 4,
        "failed": 1,
        "partial": 1,
        "pending": 1,
        "refunded": 1,
    }
    today, week, month = (figures.money[p] for p in ("today", "week", "month"))
    # Today: 13 + (6.50 − 2.50); cost 10 + 3 (the panel's charge for the partial) × 3.75.
    assert (today.orders, today.revenue, today.cost, today.profit) == (
        2,
        D("17"),
        D("48.75"),
        D("-31.75"),
    )
    # 7 d adds the failed (nothing), the pending (2; cost 1.5) and the canceled (nothing).
    assert (week.orders, week.revenue, week.cost) == (5, D("19"), D("54.38"))
    # 30 d adds 26 (panel charged 19.5), the refunded (nothing) and 1.30 (cost 1).
    assert (month.orders, month.revenue, month.cost) == (8, D("46.30"), D("131.25"))
    assert month.profit == D("-84.95")

    assert [(t.service.name, t.orders, t.revenue) for t in figures.top] == [
        ("Followers", 3, D("39")),
        ("Likes", 2, D("4")),
        ("Views", 3, D("3.30")),
    ]

    assert len(figures.days) == stats.CHART_DAYS
    assert figures.days[0].day == date(2025, 3, 2) and figures.days[-1].day == date(2025, 3, 31)
    by_day = {d.day: (d.orders, d.revenue) for d in figures.days if d.orders}
    assert by_day == {
        date(2025, 3, 31): (2, D("17")),
        date(2025, 3, 30): (1, D("0")),
        date(2025, 3, 28): (1, D("2")),
        date(2025, 3, 25): (1, D("0")),
        date(2025, 3, 24): (1, D("26")),
        date(2025, 3, 2): (2, D("1.30")),
    }


@both_engines
async def test_empty_shop(sessions: async_sessionmaker[AsyncSession]) -> None:
    figures = await stats.collect(sessions, currency_rate=D(1), precision=2, now=NOW)
    assert figures.users.total == 0 and figures.by_state == {} and figures.top == []
    assert figures.money["month"] == stats.Money(0, D(0), D(0))
    assert all(d.orders == 0 for d in figures.days)
    png = chart.render([d.day for d in figures.days], [0] * 30, [D(0)] * 30, "USD")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def check_png(data: bytes) -> tuple[int, int]:
    """The PNG signature, an IHDR first, and Pillow can decode the whole image."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "PNG" and image.size == (width, height)
    return width, height


async def test_chart_is_a_png(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    figures = await stats.collect(sessions, currency_rate=D(1), precision=2, now=NOW)
    png = chart.render(
        [d.day for d in figures.days],
        [d.orders for d in figures.days],
        [d.revenue for d in figures.days],
        "USD",
    )
    assert check_png(png) == (chart.WIDTH, chart.HEIGHT)
    with Image.open(io.BytesIO(png)) as image:
        colors = {color for _, color in image.convert("RGB").getcolors(100_000) or []}
    assert chart.ORDERS in colors and chart.REVENUE in colors  # both series are drawn
    with pytest.raises(ValueError):
        chart.render([], [], [], "USD")
