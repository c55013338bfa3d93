"""Admin refunds: `/refund ORDER [AMOUNT]` and "refund in full" on an order held for review.

What a refund does to the order's state (decided here, once):
- an order being placed (`submitting`) is refused: its placement is still settling and may
  refund it itself;
- a full refund of an open order (pending / in progress / processing) moves it to `refunded`
  (it is no longer polled; the panel is not told: cancel it there if it still runs);
- a full refund of an order held for review moves it to `failed`;
- a partial refund of an order held for review moves it to `partial`: that is the case the
  review alert asks for ("refund the undelivered part by hand"), and it leaves the review list;
- a partial refund of an open order leaves its state: when the panel later reports a final
  status, the scheduler refunds at most what is left (charge − refunded);
- a final order keeps its state (a goodwill refund of a completed order, say).
Every state change goes through orders.transition (compare-and-set) in the same transaction
as the ledger entry and the audit row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import ZERO
from bot.shop import audit, ledger, orders, referrals, shop_settings
from storage.models import Order, OrderState


class RefundStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this key (command message / review refund) was applied before
    NOT_FOUND = "not_found"
    SUBMITTING = "submitting"  # being placed right now: try again when it settles
    NOTHING_LEFT = "nothing_left"  # already refunded in full
    EXCEEDS = "exceeds"  # more than charge − refunded
    NOT_IN_REVIEW = "not_in_review"  # the review button of an order someone else resolved
    CONFLICT = "conflict"  # the order changed state meanwhile (the scheduler won): retry


@dataclass(frozen=True, slots=True)
class RefundResult:
    status: RefundStatus
    order_id: int
    amount: Decimal = ZERO  # refunded by this call (or by the first call, for DUPLICATE)
    left: Decimal = ZERO  # still refundable after this call
    user_id: int | None = None  # the customer, for their notification
    state: OrderState | None = None  # the order's state afterwards
    reward: referrals.Reward | None = None  # a referrer's reward for the order it finished


def _target_state(state: OrderState, full: bool) -> OrderState | None:
    if state is OrderState.REVIEW:
        return OrderState.FAILED if full else OrderState.PARTIAL
    if state.is_open and full:
        return OrderState.REFUNDED
    return None


async def refund_order(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    order_id: int,
    amount: Decimal | None,
    key: str,
    review_only: bool = False,
    referral_percent: Decimal = ZERO,
    precision: int = 2,
) -> RefundResult:
    """Refund `amount` (None: everything left) of an order to its customer, once per `key`.

    `review_only` is the review list's "refund in full": it acts only while the order is
    still held for review. A held order refunded in part ends partial: its customer's
    referrer is rewarded as when a panel reports Partial (bot.shop.referrals;
    `referral_percent` is the environment's REFERRAL_PERCENT, a stored override wins)."""
    async with sessions() as session, session.begin():
        entry = await ledger.entry_for_key(session, key)
        order = await session.get(Order, order_id)
        if order is None:
            return RefundResult(RefundStatus.NOT_FOUND, order_id)
        left = order.charge - order.refunded
        state = OrderState(order.state)
        if entry is not None:
            return RefundResult(
                RefundStatus.DUPLICATE, order_id, entry.amount, left, order.user_id, state
            )
        if review_only and state is not OrderState.REVIEW:
            return RefundResult(RefundStatus.NOT_IN_REVIEW, order_id, left=left, state=state)
        if state is OrderState.SUBMITTING:
            return RefundResult(RefundStatus.SUBMITTING, order_id, left=left, state=state)
        if left <= 0:
            return RefundResult(RefundStatus.NOTHING_LEFT, order_id, state=state)
        amount = left if amount is None else amount
        if amount <= 0 or amount > left:
            return RefundResult(RefundStatus.EXCEEDS, order_id, amount, left, state=state)
        try:
            async with session.begin_nested():  # undone as a whole when _Abort is raised
                result = await _apply(session, admin_id, order, state, amount, left, key)
                if result.state in referrals.REWARDED_STATES and result.state is not state:
                    result = await _reward(session, order, result, referral_percent, precision)
                return result
        except _Abort as abort:
            return abort.result


async def _reward(
    session: AsyncSession,
    order: Order,
    result: RefundResult,
    default: Decimal,
    precision: int,
) -> RefundResult:
    assert result.state is not None
    percent = await shop_settings.referral_percent(session, default)
    finished = referrals.FinishedOrder(
        order.id, order.user_id, order.charge, order.charge - result.left
    )
    rewards = await referrals.reward_finished(session, result.state, [finished], percent, precision)
    return dataclasses.replace(result, reward=rewards[0]) if rewards else result


class _Abort(Exception):
    def __init__(self, result: RefundResult) -> None:
        self.result = result


async def _apply(
    session: AsyncSession,
    admin_id: int,
    order: Order,
    state: OrderState,
    amount: Decimal,
    left: Decimal,
    key: str,
) -> RefundResult:
    target = _target_state(state, full=amount == left)
    if target is not None and not await orders.transition(
        session, order.id, target, expected=[state], note=f"admin {admin_id}: refund {amount}"
    ):
        raise _Abort(RefundResult(RefundStatus.CONFLICT, order.id, left=left, state=state))
    try:
        moved = await orders.refund(
            session, order, amount, key=key, note=f"refund by admin {admin_id}"
        )
    except orders.RefundExceedsCharge:  # a concurrent refund took part of it meanwhile
        raise _Abort(
            RefundResult(RefundStatus.EXCEEDS, order.id, amount, ZERO, state=state)
        ) from None
    if not moved:  # a racing twin with the same key won
        raise _Abort(
            RefundResult(RefundStatus.DUPLICATE, order.id, amount, left, order.user_id, state)
        )
    after = target or state
    audit.record(
        session,
        admin_id,
        "order.refund",
        f"order:{order.id}",
        {"state": state.value, "refunded": str(order.refunded)},
        {
            "state": after.value,
            "refunded": str(order.refunded + amount),
            "amount": str(amount),
            "key": key,
        },
    )
    return RefundResult(RefundStatus.APPLIED, order.id, amount, left - amount, order.user_id, after)
