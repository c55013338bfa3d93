"""The order state machine: compare-and-set transitions and the refunds they imply.

Whoever wins a transition (UPDATE … WHERE state IN expected) writes the event and the refund
in the same transaction; everyone else changes nothing. Refund keys make a second attempt a
no-op even if two processes race past the state check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import ledger
from bot.money import ZERO, round_up, to_scale
from bot.panel import OrderInfo, OrderStatus
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


# -- applying a panel's status answer ----------------------------------------------------------

_FROM_PANEL: dict[OrderStatus, OrderState] = {
    OrderStatus.PENDING: OrderState.PENDING,
    OrderStatus.IN_PROGRESS: OrderState.IN_PROGRESS,
    OrderStatus.PROCESSING: OrderState.PROCESSING,
    OrderStatus.COMPLETED: OrderState.COMPLETED,
    OrderStatus.PARTIAL: OrderState.PARTIAL,
    OrderStatus.CANCELED: OrderState.CANCELED,
    OrderStatus.REFUNDED: OrderState.REFUNDED,
}
OPEN_STATES = (OrderState.PENDING, OrderState.IN_PROGRESS, OrderState.PROCESSING)


@dataclass(frozen=True, slots=True)
class StatusChange:
    order_id: int
    user_id: int
    from_state: OrderState
    to_state: OrderState
    refunded: Decimal

    @property
    def started(self) -> bool:
        return self.from_state is OrderState.PENDING and self.to_state in (
            OrderState.IN_PROGRESS, OrderState.PROCESSING
        )


async def apply_panel_status(
    session: AsyncSession, order: Order, info: OrderInfo, precision: int
) -> StatusChange | None:
    """Record what the panel says about an open order; on a terminal status refund what is
    due, exactly once. Returns the state change when this call made one."""
    current = OrderState(order.state)
    if not current.is_open:
        return None  # final and review states are never moved by a poll
    metrics = _metrics(order, info)
    target = _FROM_PANEL.get(info.status)
    if target is OrderState.PARTIAL and (info.remains is None or not order.quantity):
        # The panel refunded "the rest" but will not say how much: a human decides.
        target = OrderState.REVIEW
        metrics["error"] = "partial without a usable remains count"
    if target is None or target is current:
        if metrics:
            await session.execute(
                update(Order).where(Order.id == order.id, Order.state == current.value)
                .values(**metrics).execution_options(synchronize_session=False)
            )
        return None
    metrics.pop("panel_status", None)
    if not await transition(session, order.id, target, expected=[current],
                            panel_status=info.raw_status[:64], **metrics):
        return None  # somebody else applied this change first
    refunded = Decimal(0)
    due = refund_due(target, order.charge, order.quantity, info.remains, precision)
    due = min(due, order.charge - order.refunded)  # an admin may have refunded part already
    if due > 0:
        with contextlib.suppress(RefundExceedsCharge):  # ...even since `order` was read
            if await refund(session, order, due, key=f"refund:{order.id}",
                            note=f"panel status {info.raw_status}"[:200]):
                refunded = due
    return StatusChange(order.id, order.user_id, current, target, refunded)


def _metrics(order: Order, info: OrderInfo) -> dict[str, Any]:
    """Columns that changed, apart from the state."""
    values: dict[str, Any] = {}
    if info.start_count is not None and info.start_count != order.start_count:
        values["start_count"] = info.start_count
    if info.remains is not None and info.remains != order.remains:
        values["remains"] = info.remains
    if info.raw_status and info.raw_status[:64] != order.panel_status:
        values["panel_status"] = info.raw_status[:64]
    if info.charge is not None and info.charge != order.panel_charge:
        values["panel_charge"] = to_scale(info.charge)
    return values
