"""Typed, dialect-independent models of what SMM panels answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .service_types import ServiceType as ServiceType  # re-exported: the panel API's type
from .service_types import is_orderable


@dataclass(frozen=True, slots=True)
class Service:
    service_id: str
    name: str
    category: str
    type: ServiceType
    raw_type: str
    rate: Decimal  # panel currency per 1000 units
    min: int
    max: int
    refill: bool = False
    cancel: bool = False
    dripfeed: bool = False
    description: str | None = None

    @property
    def orderable(self) -> bool:
        # A type we cannot build parameters for is shown but never sent to the panel.
        return is_orderable(self.type) and 0 < self.min <= self.max


class OrderStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    FAILED = "failed"  # the panel gave up on the order ("Fail", "Error"): settled like Canceled
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_ORDER

    @classmethod
    def parse(cls, raw: object) -> OrderStatus:
        return _vocabulary(raw)[0]


class RefillStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELED = "canceled"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_REFILL

    @classmethod
    def parse(cls, raw: object) -> RefillStatus:
        return _vocabulary(raw)[1]


_TERMINAL_ORDER = frozenset(
    {
        OrderStatus.COMPLETED,
        OrderStatus.PARTIAL,
        OrderStatus.CANCELED,
        OrderStatus.REFUNDED,
        OrderStatus.FAILED,
    }
)
_TERMINAL_REFILL = frozenset(
    {RefillStatus.COMPLETED, RefillStatus.REJECTED, RefillStatus.CANCELED, RefillStatus.FAILED}
)

_O, _R = OrderStatus, RefillStatus
# THE status vocabulary: every status text a panel sends, for orders and refills, is looked up
# here and nowhere else. Keys are squashed: case, spaces, "-" and "_" do not matter ("In
# progress", "in-progress", "inprogress", "IN_PROGRESS" are one key). A text not in this table
# is UNKNOWN, its raw text kept (bounded) for admins; UNKNOWN is never terminal, so no money
# moves on it, and the status job holds such an order for review after a bounded time.
# Decisions where panels disagree (money rides on them, so doubt means UNKNOWN, i.e. a human):
# - "Fail"/"Failed"/"Error" on an ORDER: FAILED, the panel gave up on it (issue 15). The shop
#   settles it like Canceled, refunding what was not delivered (bot/shop/orders.py), and tells
#   admins the panel's word. On a REFILL it is FAILED too: nothing is paid for a refill, the
#   customer may simply ask again.
# - "Active", "Processing", "In progress", "inprogress", "Started", "Running": in progress.
# - "Expired" (subscriptions): UNKNOWN; it says the term ended, not what was delivered.
# - "Success": COMPLETED, as some clone panels say it.
# - "Partially completed"/"Partial refund": PARTIAL (the panel refunds the remains).
# - "" (right after add) is PENDING, as the documented answers show.
_TABLE: tuple[tuple[tuple[str, ...], OrderStatus, RefillStatus], ...] = (
    (("", "pending", "awaiting", "waiting", "queued", "new"), _O.PENDING, _R.PENDING),
    (("inprogress", "active", "started", "running"), _O.IN_PROGRESS, _R.IN_PROGRESS),
    (("processing", "inprocess"), _O.PROCESSING, _R.IN_PROGRESS),
    (("completed", "complete", "success", "done"), _O.COMPLETED, _R.COMPLETED),
    (("processed",), _O.UNKNOWN, _R.COMPLETED),
    (("partial", "partially", "partiallycompleted", "partialrefund"), _O.PARTIAL, _R.UNKNOWN),
    (("canceled", "cancelled", "cancel"), _O.CANCELED, _R.CANCELED),
    (("refunded", "refund", "refunds"), _O.REFUNDED, _R.UNKNOWN),
    (("rejected",), _O.UNKNOWN, _R.REJECTED),
    (("fail", "failed", "error", "errored"), _O.FAILED, _R.FAILED),
)
_VOCABULARY: dict[str, tuple[OrderStatus, RefillStatus]] = {
    key: (order, refill) for keys, order, refill in _TABLE for key in keys
}
_STATUS_KEY = re.compile(r"[\s\-_.]+")
_UNKNOWN = (OrderStatus.UNKNOWN, RefillStatus.UNKNOWN)


def _vocabulary(raw: object) -> tuple[OrderStatus, RefillStatus]:
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or len(raw) > 64:
        return _UNKNOWN  # numbers, objects, novels: nothing in the table is like them
    return _VOCABULARY.get(_STATUS_KEY.sub("", raw.lower()), _UNKNOWN)


del _O, _R


@dataclass(frozen=True, slots=True)
class OrderInfo:
    order_id: str
    status: OrderStatus
    raw_status: str
    charge: Decimal | None = None
    start_count: int | None = None
    remains: int | None = None  # None when the panel says "Unknown"; negative = over-delivery
    currency: str | None = None
    # v1 drip-feed / subscription extras (runs, orders, posts, expiry), kept as sent.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class RefillInfo:
    refill_id: str
    status: RefillStatus
    raw_status: str


@dataclass(frozen=True, slots=True)
class EntryError:
    """One ID of a multi-ID answer failed; the rest of the batch stands.

    `message` is the panel's error text (cleaned, at most 500 characters), or, when
    `malformed`, why its row could not be used ("remains is not an integer: '²'").
    """

    id: str
    message: str
    malformed: bool = False  # the panel answered for this ID, but nothing usable


@dataclass(frozen=True, slots=True)
class CancelResult:
    order_id: str
    accepted: bool  # the panel took the request; the refund follows via status Canceled/Partial
    error: str | None = None
    # Not accepted and not a rejection either: an answer of no known shape (bot/panel/decode.py).
    # The customer hears "not confirmed", never the panel's answer.
    unclear: bool = False


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A catalog row the shop could not use, and why (shown to admins, counted per sync)."""

    service_id: str | None  # None when the row has no usable ID
    reason: str


@dataclass(frozen=True, slots=True)
class ServiceCatalog:
    """A panel's services answer: the usable rows, and the rows skipped with their reasons."""

    services: list[Service]
    skipped: list[SkippedRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Balance:
    amount: Decimal
    currency: str
