"""Chaos policies for the fakes: a panel and a Bot API that misbehave at random, seeded.

    rng = random.Random(seed)
    panel_chaos = PanelChaos(fake_panel, rng, hang=2.0)   # plugs into FakePanel's hooks
    tg_chaos = TelegramChaos(fake_telegram, rng)          # plugs into FakeTelegram.fault_policy
    panel_chaos.active = tg_chaos.active = True
    ...
    panel_chaos.advance()       # orders move on: In progress → Completed / Partial / Canceled
    panel_chaos.finish_all()    # every open order ends (for the final settle)

Everything random comes from the one `random.Random` given, so a seed replays the same
decisions (the interleaving with the bot still depends on timing). The policies also record
what the panel really did, which is what the chaos test holds the shop's books against: which
order each `add` created (by link), whether its answer reached the client intact, and which
rows were hostile on purpose.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.panel_server import CLOUDFLARE_502, FakePanel, Fault, ReceivedRequest, Scripted
from tests.fakes.telegram import ApiError, FakeTelegram

# Statuses a panel ends an order with, and how often the worker picks each.
FINAL_STATUSES: tuple[tuple[str, float], ...] = (
    ("Completed", 0.5),
    ("Partial", 0.22),
    ("Canceled", 0.22),
    ("Expired", 0.06),
)
OPEN_STATUSES = frozenset({"Pending", "In progress", "Processing"})
# Statuses no panel documents, sent now and then for an order that is really still running.
UNKNOWN_STATUSES: tuple[Any, ...] = ("Zombie", "حالة غريبة", 42, None, ["In progress"])
HOSTILE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("charge", "1e30"),
    ("charge", "NaN"),
    ("charge", "-Infinity"),
    ("remains", "²"),
    ("remains", "١٢"),
    ("remains", "1e400"),
    ("remains", "12.5"),
    ("start_count", "9" * 40),
    ("start_count", {"deep": [1, 2]}),
    ("remains", -7),
    ("remains", "1e300000"),  # int() of it takes seconds: the loop must never do that
)


def garbage(rng: random.Random, *, done: bool = False) -> Scripted:
    """A 200 answer that is no panel answer at all. `done`: the panel did create the order, so
    no `{"order": <not an id>}` (that shape is a definite rejection, see PanelClient.add)."""
    kinds = ("html", "truncated", "bytes", "nested", "empty", "odd")
    kind = rng.choice(kinds if done else (*kinds, "huge_id"))
    if kind == "html":
        return Scripted(CLOUDFLARE_502, 200, "text/html")
    if kind == "truncated":
        return Scripted('{"order": 23501, "status": "Pen', 200)
    if kind == "bytes":
        return Scripted(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 600))), 200)
    if kind == "nested":
        depth = rng.choice((40, 1_000, 100_000))
        return Scripted("[" * depth + "]" * depth, 200)
    if kind == "empty":
        return Scripted("", 200)
    if kind == "odd":
        return Scripted(rng.choice(("null", "[]", '"ok"', "true", "{}", '{"data": {}}')), 200)
    return Scripted('{"order": 1e999999}', 200)


@dataclass
class AddRecord:
    """One `add` request the panel received."""

    link: str
    created: str | None = None  # the panel order it created, if any
    clean: bool = False  # answered `{"order": N}` promptly and intact
    fault: str = ""  # what the chaos made of it


@dataclass
class PanelChaos:
    panel: FakePanel
    rng: random.Random
    hang: float  # longer than the client's timeout
    active: bool = False
    injected: Counter[str] = field(default_factory=Counter)
    adds: list[AddRecord] = field(default_factory=list)
    poisoned: set[str] = field(default_factory=set)  # panel ids whose row is always hostile
    poison_after: int = 3  # the n-th created order is poisoned (its status row, for good)
    refill_orders: dict[str, str] = field(default_factory=dict)  # panel refill id → order id
    cancel_requested: set[str] = field(default_factory=set)  # accepted; Canceled next step
    long_errors: int = 0  # cancel/refill refusals with a long text that holds the API key
    _hanging: set[int] = field(default_factory=set)  # id() of requests answered by HANG

    def __post_init__(self) -> None:
        self.panel.hang_seconds = self.hang
        self.panel.chaos_before = self.before
        self.panel.chaos_after = self.after

    # -- the hooks ---------------------------------------------------------------------------

    async def before(self, request: ReceivedRequest) -> Fault | Scripted | None:
        if request.action == "add":
            self.adds.append(AddRecord(request.form.get("link", "")))
        if not self.active or request.action == "services":
            return None
        roll = self.rng.random()
        if request.action == "add":
            table: tuple[tuple[str, float], ...] = (
                ("slow_not_done", 0.05),
                ("hang_done", 0.05),
                ("502_not_done", 0.04),
                ("garbage_not_done", 0.05),
                ("not_enough_funds", 0.04),
                ("error", 0.03),
            )
        else:
            table = (
                ("slow_not_done", 0.04),
                ("502_not_done", 0.05),
                ("garbage_not_done", 0.05),
                ("500", 0.03),
            )
        for name, share in table:
            if roll < share:
                return await self._fault(name, request)
            roll -= share
        return None

    async def _fault(self, name: str, request: ReceivedRequest) -> Fault | Scripted:
        self.injected[f"{request.action}:{name}"] += 1
        if request.action == "add":
            self.adds[-1].fault = name
        if name == "slow_not_done":  # the client gives up before the panel does anything
            await asyncio.sleep(self.hang)
            return Scripted("<html>504 Gateway Time-out</html>", 504, "text/html")
        if name == "hang_done":
            self._hanging.add(id(request))
            return Fault.HANG
        if name == "502_not_done":
            return Scripted(CLOUDFLARE_502, 502, "text/html")
        if name == "500":
            return Scripted("Internal Server Error", 500, "text/plain")
        if name == "not_enough_funds":
            return Scripted({"order": "Not enough funds on balance"})
        if name == "error":
            return Scripted({"error": "Incorrect service ID"})
        return garbage(self.rng)

    def after(self, request: ReceivedRequest, answer: Any) -> Any:
        if request.action == "add":
            return self._after_add(request, answer)
        if request.action == "status":
            return self._after_status(request, answer)
        if request.action == "refill":
            return self._after_refill(request, answer)
        if request.action == "cancel":
            return self._after_cancel(request, answer)
        return answer

    def _long_refusal(self) -> dict[str, str]:
        """A refusal as some panels word it: long, English only, with the caller's key in it."""
        self.long_errors += 1
        return {
            "error": f"Order can not be canceled or refilled for API key {self.panel.key}: "
            + "the order is being processed by the provider, " * 6
            + "try later"
        }

    def _after_refill(self, request: ReceivedRequest, answer: Any) -> Any:
        oid = request.form.get("order", "")
        if isinstance(answer, dict) and answer.get("refill"):
            if self.active and self.rng.random() < 0.25:
                del self.panel.refills[str(answer["refill"])]  # refused after all
                self.injected["refill:long_refusal"] += 1
                return self._long_refusal()
            self.refill_orders[str(answer["refill"])] = oid
        return answer

    def _after_cancel(self, request: ReceivedRequest, answer: Any) -> Any:
        if not isinstance(answer, list):
            return answer
        rows = []
        for row in answer:
            oid = str(row.get("order"))
            if row.get("cancel") == 1 and self.active and self.rng.random() < 0.3:
                self.injected["cancel:long_refusal"] += 1
                row = {**row, "cancel": self._long_refusal()}
            elif row.get("cancel") == 1:
                self.cancel_requested.add(oid)
            rows.append(row)
        return rows

    def _after_add(self, request: ReceivedRequest, answer: Any) -> Any:
        record = next(r for r in reversed(self.adds) if r.link == request.form.get("link", ""))
        if not (isinstance(answer, dict) and isinstance(answer.get("order"), int)):
            return answer
        record.created = str(answer["order"])
        if len(self.adds_created()) == self.poison_after:
            self.poisoned.add(record.created)
        if id(request) in self._hanging:
            self._hanging.discard(id(request))
            return answer  # never sent: the panel hangs
        if self.active:
            roll = self.rng.random()
            if roll < 0.05:  # the order exists, and the panel says something went wrong
                self.injected["add:order_with_error"] += 1
                record.fault = "order_with_error"
                record.clean = True  # the id is there all the same
                return {**answer, "error": "x"}
            if roll < 0.09:
                self.injected["add:502_done"] += 1
                record.fault = "502_done"
                return Scripted(CLOUDFLARE_502, 502, "text/html")
            if roll < 0.12:
                self.injected["add:garbage_done"] += 1
                answer = garbage(self.rng, done=True)
                record.fault = f"garbage_done:{str(answer.body)[:30]!r}"
                return answer
        record.clean = True
        return answer

    def _after_status(self, request: ReceivedRequest, answer: Any) -> Any:
        if not isinstance(answer, dict):
            return answer
        rows = answer if "orders" in request.form else {request.form.get("order", ""): answer}
        hostile = dict(rows)
        for oid in self.poisoned & set(rows):
            if isinstance(rows[oid], dict):
                hostile[oid] = {**rows[oid], "charge": "1e30"}
        if self.active and self.rng.random() < 0.5:
            candidates = [
                oid
                for oid, row in rows.items()
                if isinstance(row, dict) and row.get("status") in OPEN_STATUSES
            ]
            if candidates:
                oid = self.rng.choice(sorted(candidates))
                if self.rng.random() < 0.4:
                    self.injected["status:unknown_status"] += 1
                    hostile[oid] = {**hostile[oid], "status": self.rng.choice(UNKNOWN_STATUSES)}
                else:
                    name, value = self.rng.choice(HOSTILE_FIELDS)
                    self.injected[f"status:{name}={value}"] += 1
                    hostile[oid] = {**hostile[oid], name: value}
        if "orders" in request.form:
            return hostile
        return next(iter(hostile.values()))

    # -- the panel's own work ----------------------------------------------------------------

    def adds_created(self) -> list[AddRecord]:
        return [record for record in self.adds if record.created is not None]

    def advance(self, share: float = 0.35) -> None:
        """Open orders and refills move on a step (some of them, at random)."""
        for oid in sorted(self.panel.orders, key=int):
            row = self.panel.orders[oid]
            if row["status"] in OPEN_STATUSES and self.rng.random() < share:
                self._step(oid, row)
        for rid in sorted(self.panel.refills, key=int):
            if self.panel.refills[rid] in OPEN_STATUSES and self.rng.random() < share:
                self._step_refill(rid)

    def finish_all(self) -> None:
        for oid in sorted(self.panel.orders, key=int):
            row = self.panel.orders[oid]
            while row["status"] in OPEN_STATUSES:
                self._step(oid, row)
                row = self.panel.orders[oid]
        for rid in sorted(self.panel.refills, key=int):
            while self.panel.refills[rid] in OPEN_STATUSES:
                self._step_refill(rid)

    def _step_refill(self, rid: str) -> None:
        if self.panel.refills[rid] == "Pending":
            self.panel.set_refill(rid, "In progress")
        else:
            self.panel.set_refill(rid, "Completed" if self.rng.random() < 0.8 else "Rejected")

    def _step(self, oid: str, row: dict[str, Any]) -> None:
        quantity = int(row.get("quantity_ordered") or row["remains"] or 0)
        row.setdefault("quantity_ordered", quantity)  # kept for Partial's remains
        if row["status"] == "Pending":
            self.panel.set_order(
                oid,
                "In progress",
                charge=row["charge"],
                start_count="100",
                remains=str(quantity),
                quantity_ordered=quantity,
            )
            return
        status = "Canceled" if oid in self.cancel_requested else self._pick_final()
        remains = {"Completed": 0, "Canceled": quantity, "Expired": quantity}.get(
            status, self.rng.randint(1, max(1, quantity - 1))
        )
        self.panel.set_order(
            oid,
            status,
            charge=row["charge"],
            start_count="100",
            remains=str(remains),
            quantity_ordered=quantity,
        )

    def _pick_final(self) -> str:
        roll = self.rng.random()
        for status, share in FINAL_STATUSES:
            if roll < share:
                return status
            roll -= share
        return FINAL_STATUSES[0][0]


# -- the Bot API -------------------------------------------------------------------------------


@dataclass
class TelegramChaos:
    tg: FakeTelegram
    rng: random.Random
    active: bool = False
    rate_429: float = 0.06
    rate_5xx: float = 0.03
    rate_html: float = 0.01  # a proxy's HTML 502 page instead of the Bot API's JSON
    poll_share: float = 0.5  # getUpdates fails this much less often: it paces everything
    injected: Counter[str] = field(default_factory=Counter)
    too_long: list[str] = field(default_factory=list)  # alerts Telegram refused as too long

    def __post_init__(self) -> None:
        self.tg.fault_policy = self

    def __call__(self, method: str, params: dict[str, Any]) -> ApiError | web.Response | None:
        text = params.get("text")
        if method == "answerCallbackQuery" and isinstance(text, str) and len(text) > 200:
            # Telegram's rule, chaos or not (the fake itself does not check it).
            self.too_long.append(text)
            return ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if not self.active or method == "getMe":
            return None
        scale = self.poll_share if method == "getUpdates" else 1.0
        roll = self.rng.random()
        if roll < self.rate_429 * scale:
            self.injected[f"{method}:429"] += 1
            return ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        roll -= self.rate_429 * scale
        if roll < self.rate_5xx * scale:
            code = self.rng.choice((500, 502))
            self.injected[f"{method}:{code}"] += 1
            return ApiError(code, "Internal Server Error" if code == 500 else "Bad Gateway")
        roll -= self.rate_5xx * scale
        if roll < self.rate_html * scale:
            self.injected[f"{method}:html502"] += 1
            return web.Response(status=502, text=CLOUDFLARE_502, content_type="text/html")
        return None


def describe(counter: Counter[str], limit: int = 40) -> str:
    return json.dumps(dict(counter.most_common(limit)), ensure_ascii=False)
