"""Shop statistics for the admin: users, orders, money for today / 7 d / 30 d, top services and
orders and revenue per day; every figure is an SQL aggregate, on SQLite and PostgreSQL alike.

Definitions (days are UTC calendar days; "7 d" is today and the six days before it):
- revenue = what customers paid for orders created in the period, minus what was refunded on
  them (`charge − refunded`), in the shop currency;
- cost = what the panels keep for those orders, in the shop currency: the panel's reported
  charge when it reported one, else the expected cost stored at ordering, times CURRENCY_RATE
  (shop units per panel unit); nothing for failed, canceled and refunded orders, whose money
  the panel does not keep;
- profit = revenue − cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, String, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import from_units
from bot.shop.topups import MethodTotal, totals_by_method
from storage.models import Order, OrderState, Service, User

PERIODS = {"today": 1, "week": 7, "month": 30}  # calendar days, today included
CHART_DAYS = 30
TOP_SERVICES = 5
_NO_COST = (OrderState.FAILED, OrderState.CANCELED, OrderState.REFUNDED)


@dataclass(frozen=True, slots=True)
class UserCounts:
    total: int
    active: int
    new: dict[str, int]  # by period


@dataclass(frozen=True, slots=True)
class Money:
    orders: int
    revenue: Decimal
    cost: Decimal

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True, slots=True)
class TopService:
    service: Service
    orders: int
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    orders: int
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class ShopStats:
    users: UserCounts
    by_state: dict[str, int]
    money: dict[str, Money]  # by period
    top: list[TopService]
    days: list[Day]  # CHART_DAYS of them, oldest first, empty days included
    topups: list[MethodTotal] = field(default_factory=list)  # credited, all time, by method


def period_starts(now: datetime) -> dict[str, datetime]:
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {name: midnight - timedelta(days=days - 1) for name, days in PERIODS.items()}


def _raw(column: Any) -> Any:
    """Money columns as their stored integer units, so sums stay exact integers."""
    return type_coerce(column, BigInteger)


def _money(units: Any) -> Decimal:
    return from_units(int(units or 0))


def _count(value: Any) -> int:
    """A COUNT(*) read from a row (unpacked rows reach the type checker as bare objects)."""
    return int(value)


async def collect(
    sessions: async_sessionmaker[AsyncSession],
    *,
    currency_rate: Decimal,
    precision: int,
    now: datetime | None = None,
) -> ShopStats:
    now = now or datetime.now(UTC)
    starts = period_starts(now)
    first = min(starts.values())
    quantum = Decimal(1).scaleb(-precision)
    async with sessions() as session:
        users = await _users(session, starts)
        by_state = {
            str(state): int(n)
            for state, n in await session.execute(
                select(Order.state, func.count()).group_by(Order.state).order_by(Order.state)
            )
        }
        money = await _money_by_period(session, starts, currency_rate, quantum)
        top = await _top(session, first)
        days = await _days(session, now)
        topups = await totals_by_method(session)
    return ShopStats(users, by_state, money, top, days, topups)


async def _users(session: AsyncSession, starts: dict[str, datetime]) -> UserCounts:
    active = User.is_active.is_(True) & User.is_banned.is_(False)
    columns = [func.count(), func.sum(case((active, 1), else_=0))]
    columns += [func.sum(case((User.created_at >= start, 1), else_=0)) for start in starts.values()]
    row = (await session.execute(select(*columns))).one()
    new = {name: int(value or 0) for name, value in zip(starts, row[2:], strict=True)}
    return UserCounts(int(row[0]), int(row[1] or 0), new)


async def _money_by_period(
    session: AsyncSession, starts: dict[str, datetime], rate: Decimal, quantum: Decimal
) -> dict[str, Money]:
    net = _raw(Order.charge) - _raw(Order.refunded)
    cost = case(
        (Order.state.in_(_NO_COST), 0),
        else_=func.coalesce(_raw(Order.panel_charge), _raw(Order.cost)),
    )
    columns = []
    for start in starts.values():
        recent = Order.created_at >= start
        columns += [
            func.sum(case((recent, 1), else_=0)),
            func.sum(case((recent, net), else_=0)),
            func.sum(case((recent, cost), else_=0)),
        ]
    row = (
        await session.execute(select(*columns).where(Order.created_at >= min(starts.values())))
    ).one()
    result = {}
    for index, name in enumerate(starts):
        orders, revenue, panel_cost = row[3 * index : 3 * index + 3]
        result[name] = Money(
            int(orders or 0),
            _money(revenue),
            (_money(panel_cost) * rate).quantize(quantum, ROUND_HALF_UP),
        )
    return result


async def _top(session: AsyncSession, since: datetime) -> list[TopService]:
    revenue = func.sum(_raw(Order.charge) - _raw(Order.refunded))
    rows = (
        await session.execute(
            select(Order.service_id, func.count(), revenue)
            .where(Order.created_at >= since)
            .group_by(Order.service_id)
            .order_by(revenue.desc(), Order.service_id)
            .limit(TOP_SERVICES)
        )
    ).all()
    services = {
        s.id: s
        for s in await session.scalars(
            select(Service).where(Service.id.in_([row[0] for row in rows]))
        )
    }
    return [
        TopService(services[service_id], _count(n), _money(units))
        for service_id, n, units in rows
        if service_id in services
    ]


def _day_expression(dialect: str) -> Any:
    """The UTC calendar day of an order as 'YYYY-MM-DD', in this engine's own words."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", Order.created_at), "YYYY-MM-DD")
    return type_coerce(func.date(Order.created_at), String)  # SQLite stores UTC text


async def _days(session: AsyncSession, now: datetime) -> list[Day]:
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    day = _day_expression(session.get_bind().dialect.name).label("day")
    rows = await session.execute(
        select(day, func.count(), func.sum(_raw(Order.charge) - _raw(Order.refunded)))
        .where(Order.created_at >= since)
        .group_by(day)
    )
    found = {date.fromisoformat(str(d)): (_count(n), _money(units)) for d, n, units in rows}
    return [
        Day(current, *found.get(current, (0, Decimal(0))))
        for current in (first + timedelta(days=i) for i in range(CHART_DAYS))
    ]
