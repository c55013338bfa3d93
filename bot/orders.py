"""The order state machine: compare-and-set transitions and the refunds they imply.

Whoever wins a transition (UPDATE … WHERE state IN expected) writes the event and the refund
in the same transaction; everyone else changes nothing. Refund keys make a second attempt a
no-op even if two processes race past the state check.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import ledger
from bot.money import ZERO, round_up
from storage.models import LedgerKind, Order, OrderEvent, OrderState
from storage.types import utcnow

FULL_REFUND_STATES = frozenset({OrderState.CANCELED, OrderState.REFUNDED, OrderState.FAILED})


async def transition(
    session: AsyncSession,
    order_id: int,
    to_state: OrderState,
    *,
    expected: Iterable[OrderState],
    panel_status: str | None = None,
    note: str | None = None,
    **fields: Any,
) -> bool:
    """Move the order to `to_state` if it is still in one of `expected`; True if this call won."""
    expected_values = [state.value for state in expected]
    now = utcnow()
    values: dict[str, Any] = {"state": to_state.value, "updated_at": now, **fields}
    if panel_status is not None:
        values["panel_status"] = panel_status
    if to_state.is_final:
        values.setdefault("finished_at", now)
    result = await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.state.in_(expected_values))
        .values(**values)
        .execution_options(synchronize_session=False)
        .returning(Order.state)
    )
    if result.first() is None:
        return False
    session.add(
        OrderEvent(
            order_id=order_id,
            from_state=expected_values[0] if len(expected_values) == 1 else None,
            to_state=to_state.value,
            panel_status=panel_status,
            note=note,
        )
    )
    await session.flush()
    return True


async def record_created(session: AsyncSession, order: Order) -> None:
    session.add(OrderEvent(order_id=order.id, from_state=None, to_state=order.state))
    await session.flush()


def refund_due(state: OrderState, charge: Decimal, quantity: int | None, remains: int | None,
               precision: int) -> Decimal:
    """What the customer gets back when an order ends in `state`."""
    if state in FULL_REFUND_STATES:
        return charge
    if state is OrderState.PARTIAL:
        if not quantity or remains is None or remains <= 0:
            return ZERO
        share = charge * min(remains, quantity) / quantity
        return min(charge, round_up(share, precision))  # the customer's favour
    return ZERO


async def refund(
    session: AsyncSession,
    order: Order,
    amount: Decimal,
    *,
    key: str,
    kind: LedgerKind = LedgerKind.REFUND,
    note: str | None = None,
) -> bool:
    """Return `amount` of the order's charge to its customer once per `key`, capped so that
    the order's refunds never exceed its charge. True when money moved."""
    if amount <= 0:
        return False
    if await ledger.entry_for_key(session, key) is not None:
        return False
    capped = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.refunded + amount <= Order.charge)
        .values(refunded=Order.refunded + amount)
        .execution_options(synchronize_session=False)
        .returning(Order.refunded)
    )
    if capped.first() is None:
        raise RefundExceedsCharge(order.id, amount)
    posting = await ledger.apply(
        session,
        user_id=order.user_id,
        amount=amount,
        kind=kind,
        key=key,
        reference=f"order:{order.id}",
        note=note,
    )
    if not posting.applied:
        # A racing twin applied the same key first: undo the cap bump made above.
        await session.execute(
            update(Order)
            .where(Order.id == order.id)
            .values(refunded=Order.refunded - amount)
            .execution_options(synchronize_session=False)
        )
    return posting.applied


class RefundExceedsCharge(Exception):
    def __init__(self, order_id: int, amount: Decimal) -> None:
        super().__init__(f"order {order_id}: refund of {amount} exceeds what is left to refund")
        self.order_id = order_id
        self.amount = amount
