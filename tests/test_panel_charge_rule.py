"""The rule telling a status answer's `charge` that is the service rate from the order's cost
(bot/shop/orders.py `_panel_charge`): a rate is never stored as the order's panel cost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.panel import OrderInfo, OrderStatus
from bot.shop.orders import _panel_charge
from storage.models import Order

D = Decimal


def order(quantity: int | None, cost: str, stored: str | None = None) -> Order:
    return Order(
        id=1,
        quantity=quantity,
        cost=D(cost),
        panel_charge=D(stored) if stored is not None else None,
    )


def info(charge: str | None, remains: int | None = None) -> OrderInfo:
    return OrderInfo(
        "9",
        OrderStatus.IN_PROGRESS,
        "In progress",
        D(charge) if charge is not None else None,
        remains=remains,
    )


@pytest.mark.parametrize(
    ("quantity", "cost", "charge", "remains", "stored", "expected"),
    [
        (100, "0.2", "2.00", None, None, None),  # the rate (2.00 per 1000): not the cost
        (100, "0.2", "2.01", None, "0.19", "0.19"),  # a rounded rate: the stored cost is kept
        (100, "0.2", "0.21", None, None, "0.21"),  # a real charge, a little off the expected
        (100, "0.2", "5.00", None, None, "5.00"),  # not the rate either: stored as reported
        (5000, "10", "2", None, None, None),  # rate 2 per 1000 for 5000
        (5000, "10", "2", 4000, None, "2"),  # a Partial of 1000 delivered really costs 2
        (1000, "0.9", "0.9", None, None, "0.9"),  # q = 1000: rate and cost are one amount
        (None, "6.5", "6.5", None, None, "6.5"),  # a package: charged per package
        (100, "0", "2", None, None, "2"),  # a free service: nothing to compare with
        (100, "0.2", None, None, "0.2", "0.2"),  # no charge reported: the stored one stays
    ],
)
def test_rate_or_cost(
    quantity: int | None,
    cost: str,
    charge: str | None,
    remains: int | None,
    stored: str | None,
    expected: str | None,
) -> None:
    result = _panel_charge(order(quantity, cost, stored), info(charge, remains))
    assert result == (D(expected) if expected is not None else None)
