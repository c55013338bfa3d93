"""Partial refunds: charge × remains / quantity, rounded in the customer's favour."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.shop.orders import refund_due
from storage.models import OrderState


@given(
    charge=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    quantity=st.integers(min_value=1, max_value=10_000_000),
    remains_share=st.floats(min_value=-0.5, max_value=1.5),
    precision=st.sampled_from([0, 2, 3]),
)
def test_partial_refund_is_fair_and_bounded(
    charge: Decimal, quantity: int, remains_share: float, precision: int
) -> None:
    remains = int(quantity * remains_share)
    refund = refund_due(OrderState.PARTIAL, charge, quantity, remains, precision)
    exact = charge * max(0, min(remains, quantity)) / quantity
    assert Decimal(0) <= refund <= charge
    assert refund >= exact or refund == charge  # never less than the undelivered share
    assert refund - exact < Decimal(1).scaleb(-precision)  # and at most one minor unit more
    assert refund == refund.quantize(Decimal(1).scaleb(-precision)) or refund == charge


@given(charge=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2))
def test_full_refund_states(charge: Decimal) -> None:
    for state in (OrderState.CANCELED, OrderState.REFUNDED, OrderState.FAILED):
        assert refund_due(state, charge, 100, 0, 2) == charge
    assert refund_due(OrderState.COMPLETED, charge, 100, 0, 2) == 0
