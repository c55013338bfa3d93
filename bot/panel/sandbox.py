"""A built-in fake panel speaking the v2 protocol as an httpx transport.

Shop owners try the whole bot without spending money, and the real client code path runs.
Order and refill IDs encode their creation time, so status is a pure function of
(id, now): statuses keep progressing correctly across a bot restart. Only details that
cannot be derived (exact quantity, charge, user cancels) live in memory.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx

from .models import ServiceType
from .params import needs_quantity
from .sandbox_catalog import sandbox_catalog
from .service_types import PER_PACKAGE

SANDBOX_ENDPOINT = "https://sandbox.invalid/api/v2"
START_BALANCE = Decimal("250.00")
PENDING_FOR = 60.0  # seconds before work starts
MIN_RUN, RUN_SPREAD = 300.0, 600.0  # an order runs 5 to 15 minutes
SEQ = 1000  # IDs: creation second × 1000 + sequence
MIN_ID = 10**12

ERR_DUPLICATE = "You have active order with this link. Please wait until order being completed."
ERR_MISSING = "There are missing required parameters. Please check your API Manual"


def _seed(any_id: int) -> int:
    # Knuth multiplicative hash: a stable, well-spread "random" fate per ID.
    return (any_id * 2654435761) % 2**32


def created_at(any_id: int) -> float:
    return float(any_id // SEQ)


@dataclass(frozen=True, slots=True)
class Progress:
    status: str  # raw v2 status, e.g. "In progress"
    start_count: int
    remains: int
    delivered: int


def order_progress(
    order_id: int, now: float, quantity: int = 1000, canceled_at: float | None = None
) -> Progress:
    """Status of a sandbox order at `now`: a pure function of its ID, quantity and cancel time.

    Fate by seed: 1 in 10 is canceled by the panel while pending, 2 in 10 end Partial, the
    rest Completed. Delivery is linear over the run time.
    """
    seed = _seed(order_id)
    start_count = 100 + seed % 5000
    begin = created_at(order_id) + PENDING_FOR
    run = MIN_RUN + seed % int(RUN_SPREAD)
    fate = seed % 10
    if fate == 0:  # the panel itself cancels before starting
        canceled_at = begin if canceled_at is None else min(canceled_at, begin)
    target = quantity if fate > 2 else max(1, quantity * (50 + seed % 40) // 100)
    finish = begin + run * target / max(quantity, 1)

    def delivered(at: float) -> int:
        return max(0, min(target, int(quantity * (at - begin) / run)))

    if canceled_at is not None and canceled_at < finish and now >= canceled_at:
        done = delivered(canceled_at)
        if done:
            return Progress("Partial", start_count, quantity - done, done)
        return Progress("Canceled", 0, quantity, 0)
    if now < begin:
        return Progress("Pending", 0, quantity, 0)
    if now >= finish:
        return Progress(
            "Completed" if target == quantity else "Partial", start_count, quantity - target, target
        )
    done = delivered(now)
    label = "Processing" if seed % 3 == 0 else "In progress"
    return Progress(label, start_count, quantity - done, done)


def refill_progress(refill_id: int, now: float) -> str:
    age = now - created_at(refill_id)
    if age < 30:
        return "Pending"
    if _seed(refill_id) % 6 == 0:
        return "Rejected"
    return "In progress" if age < 180 else "Completed"


@dataclass(slots=True)
class _Order:
    service: dict[str, Any]
    link: str
    quantity: int
    charge: Decimal
    canceled_at: float | None = None


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        clock: Callable[[], float],
        latency: float = 0.0,
        balance: Decimal = START_BALANCE,
    ) -> None:
        self._clock = clock
        self._latency = latency
        self._start_balance = balance
        self._catalog = {str(row["service"]): row for row in sandbox_catalog()}
        self._orders: dict[int, _Order] = {}
        self._refills: dict[int, int] = {}  # refill id → order id
        self._seq = itertools.count()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._latency:
            await asyncio.sleep(self._latency)
        form = {k: v[-1] for k, v in parse_qs((await request.aread()).decode()).items()}
        if not form.get("key"):
            return _answer({"error": "Invalid API key"})
        handler = _HANDLERS.get(form.get("action", ""))
        if handler is None:
            return _answer({"error": "Incorrect request"})
        return _answer(handler(self, form))

    # -- helpers ---------------------------------------------------------------------------

    def _new_id(self) -> int:
        return int(self._clock()) * SEQ + next(self._seq) % SEQ

    def _order(self, raw: str) -> tuple[int, _Order | None] | None:
        """(id, details) for a plausible sandbox ID; details are None after a restart."""
        if not raw.strip().isdigit():
            return None
        oid = int(raw)
        if oid < MIN_ID or created_at(oid) > self._clock() + 1:
            return None
        return oid, self._orders.get(oid)

    def _progress(self, oid: int, order: _Order | None) -> Progress:
        qty = order.quantity if order else 1000
        return order_progress(oid, self._clock(), qty, order.canceled_at if order else None)

    def _balance(self) -> Decimal:
        spent = Decimal(0)
        for oid, order in self._orders.items():
            p = self._progress(oid, order)
            refund = (
                order.charge * p.remains / order.quantity
                if p.status in ("Canceled", "Partial")
                else 0
            )
            spent += order.charge - refund
        return (self._start_balance - spent).quantize(Decimal("0.00001"), ROUND_HALF_UP)

    # -- actions ---------------------------------------------------------------------------

    def _services(self, form: dict[str, str]) -> Any:
        return list(self._catalog.values())

    def _add(self, form: dict[str, str]) -> Any:
        svc = self._catalog.get(form.get("service", "").strip())
        if svc is None:
            return {"error": "Incorrect service ID"}
        stype = ServiceType.parse(svc["type"])
        if stype is ServiceType.UNKNOWN:
            return {"error": "Incorrect service ID"}
        link = form.get("link", form.get("username", "")).strip()
        if not link:
            return {"error": ERR_MISSING}
        qty = _quantity(stype, form)
        lo, hi = int(svc["min"]), int(svc["max"])
        if qty is None:
            return {"error": ERR_MISSING}
        if needs_quantity(stype) and qty < lo:
            return {"error": f"Quantity less than minimal {lo}"}
        if needs_quantity(stype) and qty > hi:
            return {"error": f"Quantity more than maximum {hi}"}
        runs = int(form["runs"]) if form.get("runs", "").isdigit() else 1
        if "runs" in form and not svc["dripfeed"]:
            return {"error": "This services does not support Dripfeed feature!"}
        for oid, o in self._orders.items():
            active = self._progress(oid, o).status not in ("Completed", "Partial", "Canceled")
            if active and o.link == link and o.service is svc:
                return {"error": ERR_DUPLICATE}
        billed = qty * runs
        charge = (Decimal(svc["rate"]) * billed / 1000).quantize(Decimal("0.00001"))
        if stype in PER_PACKAGE:
            charge = Decimal(svc["rate"])
        if charge > self._balance():
            return {"error": "Not enough funds on balance"}
        oid = self._new_id()
        self._orders[oid] = _Order(svc, link, billed, charge)
        return {"order": oid}

    def _status_of(self, raw: str) -> dict[str, Any]:
        found = self._order(raw)
        if found is None:
            return {"error": "Incorrect order ID"}
        oid, order = found
        p = self._progress(oid, order)
        return {
            "charge": str(order.charge) if order else "0",
            "start_count": str(p.start_count),
            "status": p.status,
            "remains": str(p.remains),
            "currency": "USD",
        }

    def _status(self, form: dict[str, str]) -> Any:
        if "orders" in form:
            return {i: self._status_of(i) for i in _ids(form["orders"])}
        return self._status_of(form.get("order", ""))

    def _refill_one(self, raw: str) -> Any:
        found = self._order(raw)
        if found is None:
            return {"error": "Incorrect order ID"}
        oid, order = found
        if order is not None and not order.service["refill"]:
            return {"error": "Refill is disabled for this service"}
        if self._progress(oid, order).status not in ("Completed", "Partial"):
            return {"error": "The order is not completed"}
        rid = self._new_id()
        self._refills[rid] = oid
        return rid

    def _refill(self, form: dict[str, str]) -> Any:
        if "orders" in form:
            return [
                {"order": int(i) if i.isdigit() else i, "refill": self._refill_one(i)}
                for i in _ids(form["orders"])
            ]
        result = self._refill_one(form.get("order", ""))
        return result if isinstance(result, dict) else {"refill": str(result)}

    def _refill_status_of(self, raw: str) -> Any:
        # Any time-encoded ID is valid, so refills survive a restart like orders do.
        if not raw.isdigit() or int(raw) < MIN_ID or created_at(int(raw)) > self._clock() + 1:
            return {"error": "Refill not found"}
        return refill_progress(int(raw), self._clock())

    def _refill_status(self, form: dict[str, str]) -> Any:
        if "refills" in form:
            return [
                {"refill": int(i) if i.isdigit() else i, "status": self._refill_status_of(i)}
                for i in _ids(form["refills"])
            ]
        status = self._refill_status_of(form.get("refill", ""))
        return status if isinstance(status, dict) else {"status": status}

    def _cancel_one(self, raw: str) -> Any:
        found = self._order(raw)
        if found is None:
            return {"error": "Incorrect order ID"}
        oid, order = found
        if order is None:
            return {"error": "Incorrect order ID"}
        if not order.service["cancel"]:
            return {"error": "Cancel is disabled for this service"}
        if self._progress(oid, order).status in ("Completed", "Partial", "Canceled"):
            return {"error": "The order is already completed"}
        order.canceled_at = self._clock()
        return 1

    def _cancel(self, form: dict[str, str]) -> Any:
        return [
            {"order": int(i) if i.isdigit() else i, "cancel": self._cancel_one(i)}
            for i in _ids(form.get("orders", form.get("order", "")))
        ]

    def _balance_action(self, form: dict[str, str]) -> Any:
        return {"balance": str(self._balance()), "currency": "USD"}


_HANDLERS: dict[str, Callable[[SandboxTransport, dict[str, str]], Any]] = {
    "services": SandboxTransport._services,
    "add": SandboxTransport._add,
    "status": SandboxTransport._status,
    "refill": SandboxTransport._refill,
    "refill_status": SandboxTransport._refill_status,
    "cancel": SandboxTransport._cancel,
    "balance": SandboxTransport._balance_action,
}


def _ids(raw: str) -> list[str]:
    return [i.strip() for i in raw.split(",") if i.strip()]


def _lines(raw: str | None) -> list[str]:
    return [x for x in (raw or "").splitlines() if x.strip()]


def _quantity(stype: ServiceType, form: dict[str, str]) -> int | None:
    if needs_quantity(stype):
        q = form.get("quantity", "")
        return int(q) if q.isdigit() else None
    if stype is ServiceType.SUBSCRIPTIONS:
        q = form.get("max", "")
        return int(q) if q.isdigit() else None
    if "comments" in form:
        return len(_lines(form["comments"]))
    if "usernames" in form:
        return len(_lines(form["usernames"]))
    return 1


def _answer(payload: Any) -> httpx.Response:
    return httpx.Response(
        200, content=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
