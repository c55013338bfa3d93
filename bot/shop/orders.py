"""The order state machine: compare-and-set transitions and the refunds they imply.

Whoever wins a transition (UPDATE … WHERE state IN expected) writes the event and the refund
in the same transaction; everyone else changes nothing. Refund keys make a second attempt a
no-op even if two processes race past the state check.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, case, insert, literal, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import ZERO, round_up, to_scale
from bot.panel import OrderInfo, OrderStatus
from bot.shop import ledger, referrals, shop_settings
from storage.models import LedgerKind, Order, OrderEvent, OrderState
from storage.types import utcnow

log = logging.getLogger("bot.shop.orders")

FULL_REFUND_STATES = frozenset({OrderState.CANCELED, OrderState.REFUNDED, OrderState.FAILED})


# The declarative stubs type __table__ as any FromClause; a mapped class's is a Table.
_ORDERS = cast(Table, Order.__table__)
_EVENTS = cast(Table, OrderEvent.__table__)
# Built once and run as Core: an event is written once and never read back here.
_INSERT_EVENT = insert(_EVENTS)


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
    params = {f"v_{name}": value for name, value in values.items()}
    result = await session.execute(
        _transition_statement(tuple(values)),
        {"order_id": order_id, "expected": expected_values, **params},
    )
    if result.first() is None:
        return False
    await _record_event(
        session,
        order_id,
        expected_values[0] if len(expected_values) == 1 else None,
        to_state.value,
        panel_status=panel_status,
        note=note,
        at=now,
    )
    return True


@functools.cache
def _transition_statement(columns: tuple[str, ...]) -> Update:
    """The compare-and-set UPDATE for one set of columns, built once per set (a handful exist):
    a reused statement keeps its cache key, so a transition skips building and keying it."""
    return (
        update(_ORDERS)
        .where(
            _ORDERS.c.id == bindparam("order_id"),
            _ORDERS.c.state.in_(bindparam("expected", expanding=True)),
        )
        .values({name: bindparam(f"v_{name}") for name in columns})
        .returning(_ORDERS.c.state)
    )


async def place_many(
    session: AsyncSession, panel_order_ids: Mapping[int, str], now: datetime
) -> set[int]:
    """Move the `submitting` orders among `panel_order_ids` (order ID → the panel's ID) to
    `pending`, in one compare-and-set, each with its event. Returns the IDs of those moved."""
    if not panel_order_ids:
        return set()
    given = case(
        {order_id: literal(panel_id) for order_id, panel_id in panel_order_ids.items()},
        value=_ORDERS.c.id,
    )
    moved = await session.scalars(
        update(_ORDERS)
        .where(
            _ORDERS.c.id.in_(list(panel_order_ids)),
            _ORDERS.c.state == OrderState.SUBMITTING.value,
        )
        .values(state=OrderState.PENDING.value, panel_order_id=given, placed_at=now, updated_at=now)
        .returning(_ORDERS.c.id)
    )
    won = set(moved)
    if won:
        await session.execute(
            _INSERT_EVENT,
            [
                {
                    "order_id": order_id,
                    "from_state": OrderState.SUBMITTING.value,
                    "to_state": OrderState.PENDING.value,
                    "panel_status": None,
                    "note": None,
                    "created_at": now,
                }
                for order_id in sorted(won)
            ],
        )
    return won


async def record_created(session: AsyncSession, order: Order) -> None:
    await _record_event(session, order.id, None, order.state, at=order.created_at)


async def record_created_many(session: AsyncSession, created: Sequence[Order]) -> None:
    """`record_created` for a group of orders, in one multi-row INSERT."""
    if created:
        await session.execute(
            _INSERT_EVENT,
            [
                {
                    "order_id": order.id,
                    "from_state": None,
                    "to_state": order.state,
                    "panel_status": None,
                    "note": None,
                    "created_at": order.created_at,
                }
                for order in created
            ],
        )


async def _record_event(
    session: AsyncSession,
    order_id: int,
    from_state: str | None,
    to_state: str,
    *,
    panel_status: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    await session.execute(
        _INSERT_EVENT,
        {
            "order_id": order_id,
            "from_state": from_state,
            "to_state": to_state,
            "panel_status": panel_status,
            "note": note,
            "created_at": at or utcnow(),
        },
    )


def refund_due(
    state: OrderState, charge: Decimal, quantity: int | None, remains: int | None, precision: int
) -> Decimal:
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

# A status row the shop cannot use (the panel's per-ID error, a row that fails to apply) this
# many poll cycles in a row: the order is held for review. At the default 60 s poll that is ten
# minutes, long enough to ride out a panel's hiccup, short enough that nobody waits on a dead row.
MAX_BAD_CYCLES = 10
# A status outside the known vocabulary for this long: held for review rather than polled
# forever. A day: panels invent states for slow manual steps that usually resolve within hours.
UNKNOWN_STATUS_HOLD = timedelta(hours=24)
MAX_ERROR_TEXT = 500  # orders.error is TEXT, but what a panel sends is bounded before storing
MAX_PANEL_STATUS = 64  # orders.panel_status is VARCHAR(64)


class HoldReason(StrEnum):
    """Why a poll moved an order to review (what admins are told)."""

    PARTIAL_NO_REMAINS = "partial_no_remains"
    BAD_ROWS = "bad_rows"
    UNKNOWN_STATUS = "unknown_status"
    GAVE_UP_DELIVERED = "gave_up_delivered"  # "Fail" yet nothing left to deliver: a human


@dataclass(frozen=True, slots=True)
class StatusChange:
    order_id: int
    user_id: int
    from_state: OrderState
    to_state: OrderState
    refunded: Decimal
    reason: HoldReason | None = None  # a HoldReason when to_state is review
    detail: str = ""  # for admins: the stored error or the panel's raw status
    gave_up: str = ""  # the panel's word ("Fail", "Error") when it gave up: admins are told
    reward: referrals.Reward | None = None  # the referrer's reward this transition paid

    @property
    def started(self) -> bool:
        return self.from_state is OrderState.PENDING and self.to_state in (
            OrderState.IN_PROGRESS,
            OrderState.PROCESSING,
        )


async def apply_panel_status(
    session: AsyncSession,
    order: Order,
    info: OrderInfo,
    precision: int,
    *,
    referral_percent: Decimal = ZERO,
) -> StatusChange | None:
    """Record what the panel says about one open order (see apply_panel_statuses)."""
    changes = await apply_panel_statuses(
        session, [(order, info)], precision, referral_percent=referral_percent
    )
    return changes[0] if changes else None


async def apply_panel_statuses(
    session: AsyncSession,
    answers: Sequence[tuple[Order, OrderInfo]],
    precision: int,
    now: datetime | None = None,
    *,
    referral_percent: Decimal = ZERO,
) -> list[StatusChange]:
    """Record what the panel says about open orders; on a terminal status refund what is due,
    exactly once, and reward the customer's referrer (bot.shop.referrals; `referral_percent`
    is the environment's REFERRAL_PERCENT, a stored override wins). Returns the state changes
    this call made (others may have won some).

    A usable row ends a run of bad cycles (status_errors back to 0). A status outside the
    vocabulary keeps the order where it is and starts its clock (unknown_status_since); a known
    one stops it; past UNKNOWN_STATUS_HOLD the order is held for review, never guessed.

    Set-based on purpose: a poll cycle settles thousands of orders, so transitions are one
    compare-and-set UPDATE per (from, to) pair, and events one multi-row INSERT.
    """
    now = now or utcnow()
    moves: dict[tuple[OrderState, OrderState], list[tuple[Order, OrderInfo]]] = defaultdict(list)
    quiet: list[tuple[Order, OrderInfo]] = []
    overdue: list[tuple[Order, OrderInfo]] = []
    for order, info in answers:
        current = OrderState(order.state)
        if not current.is_open:
            continue  # final and review states are never moved by a poll
        if info.status is OrderStatus.UNKNOWN:
            since = order.unknown_status_since
            if since is not None and now - since >= UNKNOWN_STATUS_HOLD:
                overdue.append((order, info))
                continue
            target = None
        else:
            target = _target(order, info)
        if target is None or target is current:
            if _metrics_changed(order, info, now):
                quiet.append((order, info))
        else:
            moves[(current, target)].append((order, info))
    await _store_metrics(session, quiet, now)
    changes: list[StatusChange] = []
    percent: Decimal | None = None
    for (current, target), items in moves.items():
        moved = await _move(session, current, target, items, precision, now)
        if moved and target in referrals.REWARDED_STATES:
            if percent is None:
                percent = await shop_settings.referral_percent(session, referral_percent)
            moved = await _reward(session, target, moved, items, percent, precision)
        changes.extend(moved)
    for order, info in overdue:
        change = await _hold_unknown(session, order, info)
        if change is not None:
            changes.append(change)
    return changes


async def _hold_unknown(
    session: AsyncSession, order: Order, info: OrderInfo
) -> StatusChange | None:
    current = OrderState(order.state)
    raw = info.raw_status[:MAX_PANEL_STATUS]
    since = order.unknown_status_since
    assert since is not None
    error = f"panel status outside the known vocabulary since {since:%Y-%m-%d %H:%M} UTC: {raw}"
    # Compare-and-set on the state this cycle read: a racing poller or an admin wins cleanly.
    if not await transition(
        session,
        order.id,
        OrderState.REVIEW,
        expected=[current],
        panel_status=raw,
        note="unknown panel status",
        error=error,
        status_errors=0,
    ):
        return None
    return StatusChange(
        order.id,
        order.user_id,
        current,
        OrderState.REVIEW,
        ZERO,
        reason=HoldReason.UNKNOWN_STATUS,
        detail=raw,
    )


async def record_bad_rows(
    session: AsyncSession,
    rows: Sequence[tuple[Order, str]],
    now: datetime | None = None,
) -> list[StatusChange]:
    """One more bad cycle for each order whose status row could not be used (the panel's
    per-ID error, a row that would not apply): the message is stored (bounded) and the count
    goes up; at MAX_BAD_CYCLES the order is held for review. Nothing is refunded: what the
    panel did with the order is not known."""
    now = now or utcnow()
    counted: list[dict[str, object]] = []
    changes: list[StatusChange] = []
    for order, message in rows:
        current = OrderState(order.state)
        if not current.is_open:
            continue
        error = message[:MAX_ERROR_TEXT]
        count = order.status_errors + 1
        if count >= MAX_BAD_CYCLES:
            if await transition(
                session,
                order.id,
                OrderState.REVIEW,
                expected=[current],
                note=f"{count} poll cycles without a usable status row",
                error=error,
                status_errors=count,
                checked_at=now,
            ):
                changes.append(
                    StatusChange(
                        order.id,
                        order.user_id,
                        current,
                        OrderState.REVIEW,
                        ZERO,
                        reason=HoldReason.BAD_ROWS,
                        detail=error,
                    )
                )
            continue
        counted.append(
            {
                "b_id": order.id,
                "b_state": current.value,
                "b_error": error,
                "b_count": count,
                "b_now": now,
            }
        )
    if counted:
        await session.execute(
            update(_ORDERS)
            .where(_ORDERS.c.id == bindparam("b_id"), _ORDERS.c.state == bindparam("b_state"))
            .values(
                error=bindparam("b_error"),
                status_errors=bindparam("b_count"),
                checked_at=bindparam("b_now"),
            ),
            counted,
        )
    return changes


def _target(order: Order, info: OrderInfo) -> OrderState | None:
    if info.status is OrderStatus.FAILED:
        return _gave_up_target(order, info)
    target = _FROM_PANEL.get(info.status)
    if target is OrderState.PARTIAL and (info.remains is None or not order.quantity):
        # The panel refunded "the rest" but will not say how much: a human decides.
        return OrderState.REVIEW
    return target


def _gave_up_target(order: Order, info: OrderInfo) -> OrderState:
    """The panel gave up on the order ("Fail", "Error"): settled like Canceled, refunding what
    was not delivered (issue 15). Decisions:
    - remains unknown, or at least the quantity (nothing delivered), or an order without a
      quantity (packages): CANCELED, the full charge back;
    - 0 < remains < quantity: PARTIAL, the undelivered share back, as for a Partial status;
    - remains 0 or below (everything delivered, yet "failed"): contradictory, so no guess with
      money: held for review.
    The refund goes through the same key (refund:<order id>) as every terminal status."""
    remains, quantity = info.remains, order.quantity
    if remains is None or not quantity or remains >= quantity:
        return OrderState.CANCELED
    if remains > 0:
        return OrderState.PARTIAL
    return OrderState.REVIEW


async def _move(
    session: AsyncSession,
    current: OrderState,
    target: OrderState,
    items: list[tuple[Order, OrderInfo]],
    precision: int,
    now: datetime,
) -> list[StatusChange]:
    values: dict[str, Any] = {"state": target.value, "updated_at": now}
    if target.is_final:
        values["finished_at"] = now
    review = target is OrderState.REVIEW
    # One (from, to) batch may mix a Partial without remains and a "Fail" with nothing left:
    # both go to review, each with its own reason (set per order below).
    if review:
        values["error"] = "partial without a usable remains count"
    won = set(
        await session.scalars(
            update(Order)
            .where(Order.id.in_([order.id for order, _ in items]), Order.state == current.value)
            .values(**values)
            .returning(Order.id)
            .execution_options(synchronize_session=False)
        )
    )
    winners = [(order, info) for order, info in items if order.id in won]
    if not winners:
        return []
    await _store_metrics(session, winners, now)
    await session.execute(
        insert(OrderEvent),
        [
            {
                "order_id": order.id,
                "from_state": current.value,
                "to_state": target.value,
                "panel_status": info.raw_status[:MAX_PANEL_STATUS],
                "created_at": now,
            }
            for order, info in winners
        ],
    )
    refunds = await _refund_all(session, target, winners, precision)
    gave_up = [order.id for order, info in winners if info.status is OrderStatus.FAILED]
    if review and gave_up:
        await session.execute(
            update(_ORDERS)
            .where(_ORDERS.c.id.in_(gave_up))
            .values(error="the panel gave up on the order with nothing left to deliver")
        )
    return [
        StatusChange(
            order.id,
            order.user_id,
            current,
            target,
            refunds.get(order.id, ZERO),
            reason=_hold_reason(info) if review else None,
            detail=info.raw_status[:MAX_PANEL_STATUS] if review else "",
            gave_up=info.raw_status[:MAX_PANEL_STATUS] if info.status is OrderStatus.FAILED else "",
        )
        for order, info in winners
    ]


async def _reward(
    session: AsyncSession,
    target: OrderState,
    moved: list[StatusChange],
    items: list[tuple[Order, OrderInfo]],
    percent: Decimal,
    precision: int,
) -> list[StatusChange]:
    """The referral rewards of orders this transaction just finished, paid in it."""
    by_id = {order.id: order for order, _ in items}
    rewards = await referrals.reward_finished(
        session,
        target,
        [
            referrals.FinishedOrder(
                change.order_id,
                change.user_id,
                by_id[change.order_id].charge,
                by_id[change.order_id].refunded + change.refunded,
            )
            for change in moved
        ],
        percent,
        precision,
    )
    if not rewards:
        return moved
    paid = {reward.order_id: reward for reward in rewards}
    return [
        dataclasses.replace(change, reward=paid.get(change.order_id))
        if change.order_id in paid
        else change
        for change in moved
    ]


def _hold_reason(info: OrderInfo) -> HoldReason:
    if info.status is OrderStatus.FAILED:
        return HoldReason.GAVE_UP_DELIVERED
    return HoldReason.PARTIAL_NO_REMAINS


async def _refund_all(
    session: AsyncSession,
    target: OrderState,
    winners: list[tuple[Order, OrderInfo]],
    precision: int,
) -> dict[int, Decimal]:
    """Refunds due after a transition this transaction won, set-based. The orders' cap
    (refunded <= charge) is a CHECK constraint: a concurrent admin refund that would break it
    rolls the whole batch back, and the next cycle settles it again."""
    due: dict[int, Decimal] = {}
    for order, info in winners:
        amount = refund_due(target, order.charge, order.quantity, info.remains, precision)
        amount = min(amount, order.charge - order.refunded)  # an admin may have refunded part
        if amount > 0:
            due[order.id] = amount
    if not due:
        return {}
    users = {order.id: order.user_id for order, _ in winners}
    applied = await ledger.credit_many(
        session,
        [
            ledger.Credit(
                users[order_id],
                amount,
                LedgerKind.REFUND,
                f"refund:{order_id}",
                reference=f"order:{order_id}",
                note=f"order {target.value}",
            )
            for order_id, amount in due.items()
        ],
    )
    refunded = {int(credit.key.split(":")[1]): credit.amount for credit in applied}
    if refunded:
        table = _ORDERS
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(refunded=table.c.refunded + bindparam("b_amount", type_=table.c.refunded.type)),
            [{"b_id": order_id, "b_amount": amount} for order_id, amount in refunded.items()],
        )
    return refunded


def _metrics_changed(order: Order, info: OrderInfo, now: datetime) -> bool:
    return _metric_values(order, info, now) != (
        order.start_count,
        order.remains,
        order.panel_status,
        order.panel_charge,
        order.status_errors,
        order.unknown_status_since,
    )


def _metric_values(order: Order, info: OrderInfo, now: datetime) -> tuple[Any, ...]:
    """What the panel reports, keeping the stored value where it reports nothing; a usable row
    ends a run of bad cycles, and the unknown-status clock runs only while the status is
    unknown (it keeps its first time)."""
    unknown = info.status is OrderStatus.UNKNOWN
    return (
        info.start_count if info.start_count is not None else order.start_count,
        info.remains if info.remains is not None else order.remains,
        info.raw_status[:MAX_PANEL_STATUS] if info.raw_status else order.panel_status,
        _panel_charge(order, info),
        0,
        (order.unknown_status_since or now) if unknown else None,
    )


# How close two amounts must be to count as equal: 1 % (panels round rates and charges).
_CHARGE_TOLERANCE = Decimal("0.01")


def _panel_charge(order: Order, info: OrderInfo) -> Decimal | None:
    """The order's panel cost from a status answer's `charge`, or the stored value.

    Some panels report the service's rate (per 1000) as `charge`. Decided from the order alone
    (no extra query): with q units ordered and expected cost c, the rate was r = c × 1000 / q.
    A charge within 1 % of r that is neither within 1 % of c nor of the delivered share
    c × (q − remains) / q (a Partial's real charge) is a rate, and is not stored: the stats
    keep counting the expected cost. Packages (no quantity) and q = 1000 (r = c) are stored as
    reported: there a rate and a cost cannot be told apart, nor differ."""
    if info.charge is None:
        return order.panel_charge
    charge = to_scale(info.charge)
    quantity, expected = order.quantity, order.cost
    if not quantity or quantity <= 0 or expected is None or expected <= 0:
        return charge
    rate = expected * 1000 / quantity
    real = [expected]
    if info.remains is not None and 0 <= info.remains <= quantity:
        real.append(expected * (quantity - info.remains) / quantity)
    if _close(charge, rate) and not any(_close(charge, amount) for amount in real):
        log.debug(
            "order %s: charge %s is the service rate (expected cost %s); not stored",
            order.id,
            charge,
            expected,
        )
        return order.panel_charge
    return charge


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= abs(b) * _CHARGE_TOLERANCE


async def _store_metrics(
    session: AsyncSession, items: Sequence[tuple[Order, OrderInfo]], now: datetime
) -> None:
    if not items:
        return
    table = _ORDERS
    rows = []
    for order, info in items:
        start_count, remains, panel_status, panel_charge, errors, since = _metric_values(
            order, info, now
        )
        rows.append(
            {
                "b_id": order.id,
                "b_start": start_count,
                "b_remains": remains,
                "b_status": panel_status,
                "b_charge": panel_charge,
                "b_errors": errors,
                "b_since": since,
            }
        )
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            start_count=bindparam("b_start"),
            remains=bindparam("b_remains"),
            panel_status=bindparam("b_status"),
            panel_charge=bindparam("b_charge"),
            status_errors=bindparam("b_errors"),
            unknown_status_since=bindparam("b_since"),
        ),
        rows,
    )
