"""A fake SMM panel HTTP server (aiohttp) faithful to the documented v1/v2 APIs.

Reusable by any test suite:

    async with FakePanel(dialect="v2") as panel:
        panel.set_order("23501", "In progress", remains="10")
        panel.inject(Fault.HTML_502, action="status")
        client = PanelClient("p", panel.url, panel.key)
        ...
        assert panel.requests_for("status")[0].form == {...}

Defaults answer with the docs' own example bodies (v1 serves its services example verbatim,
invalid JSON included). Real panels differ from the docs: each difference seen in real panel
scripts is a switchable `Quirk` (off by default), e.g. `FakePanel(quirks={Quirk.NO_MULTI_STATUS})`
or `panel.quirks.add(Quirk.STATUS_WORDS)`.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aiohttp import web

# -- the docs' own examples -------------------------------------------------------------------

DOC_V2_SERVICES: list[dict[str, Any]] = [
    {
        "service": 1,
        "name": "Followers",
        "type": "Default",
        "category": "First Category",
        "rate": "0.90",
        "min": "50",
        "max": "10000",
        "refill": True,
        "cancel": True,
    },
    {
        "service": 2,
        "name": "Comments",
        "type": "Custom Comments",
        "category": "Second Category",
        "rate": "8",
        "min": "10",
        "max": "1500",
        "refill": False,
        "cancel": True,
    },
]

DOC_V1_SERVICES_TEXT = """[
  {
      "service": "5",
      "name": "Instagram Followers [15K] ",
      "category": "Instagram - Followers [Guaranteed\\/Refill] - Less Drops \\u2b50",
      "rate": "1.02",
      "min": "500",
      "max": "10000"
      "type": default
      "desc": usernames
      "dripfeed": 1
  },
  {
      "service": "9",
      "name": "Instagram Followers - Max 300k - No refill - 30-40k\\/Day",
      "category": "Instagram - Followers [Guaranteed\\/Refill] - Less Drops \\u2b50",
      "rate": "0.04",
      "min": "500",
      "max": "300000"
      "type": default
      "desc": usernames
      "dripfeed": 1
  },
  {
      "service": "10",
      "name": "Instagram Followers ( 30 days auto refill ) ( Max 350K ) (Indian Majority )",
      "category": "Instagram - Followers [Guaranteed\\/Refill] - Less Drops \\u2b50",
      "rate": "1.2",
      "min": "100",
      "max": "350000"
      "type": default
      "desc": usernames
      "dripfeed": 1
  }
]"""

# What DOC_V1_SERVICES_TEXT means, for the fake's own validation of `add`.
DOC_V1_SERVICES: list[dict[str, Any]] = [
    {"service": "5", "type": "default", "rate": "1.02", "min": "500", "max": "10000"},
    {"service": "9", "type": "default", "rate": "0.04", "min": "500", "max": "300000"},
    {"service": "10", "type": "default", "rate": "1.2", "min": "100", "max": "350000"},
]

CLOUDFLARE_502 = """<!DOCTYPE html>
<html><head><title>panel.example | 502: Bad gateway</title></head>
<body><div class="cf-error-details"><h1>Bad gateway</h1>
<p>Error code 502</p><p>Cloudflare Ray ID: 7d1c2b3a4e5f6a7b</p></div></body></html>"""

ERR_KEY = "Invalid API key"
ERR_ORDER = "Incorrect order ID"
ERR_SERVICE = "Incorrect service ID"
ERR_REQUEST = "Incorrect request"
ERR_V1_ACTION = "This action is Invalid"
ERR_MISSING = "There are missing required parameters. Please check your API Manual"


# Laravel-style panel scripts (Quirk.ERROR_TEXTS) word the same errors differently.
LARAVEL_ERRORS = {
    ERR_KEY: "The selected key is invalid.",
    ERR_ORDER: "The selected order id is invalid.",
}
ERR_FUNDS_LARAVEL = "You don't have sufficient balance."
ERR_REFILL_ID_LARAVEL = "Incorrect refill id"
ERR_QUANTITY_REQUIRED = "Quantity is required"
ERR_IDS_REQUIRED = "order id(s) required"  # a multi request the panel does not understand
ERR_INTERVAL = "The selected interval is invalid."


class Quirk(StrEnum):
    """How real panel scripts differ from the documented API (issue 15)."""

    NO_MULTI_STATUS = "no_multi_status"  # status&orders= → {"error": "order id(s) required"}
    MULTI_STATUS_422 = "multi_status_422"  # status&orders= → HTTP 422 (Laravel validation)
    MULTISTATUS_ACTION = "multistatus_action"  # only action=multistatus&orders=
    ORDERS_ACTION = "orders_action"  # only action=orders&orders=
    REFILL_PARAM_REFILL = "refill_param_refill"  # refill reads refill=<order> (many: refills=)
    REFILL_PARAM_REFILLS = "refill_param_refills"  # refill reads refills=<order[,order]>
    REFILL_LIST_NO_ORDER = "refill_list_no_order"  # many-order refill: a list without "order"
    NO_MULTI_REFILL = "no_multi_refill"  # refill&orders= and refill_status&refills= refused
    CANCEL_STATUS_SHAPE = "cancel_status_shape"  # [{"order": "2", "cancel": {"status": ...}}]
    STATUS_WORDS = "status_words"  # Cancelled, inprogress, Active, lower/upper case (+ Fail…)
    ERROR_TEXTS = "error_texts"  # Laravel texts ("The selected key is invalid." …)
    PACKAGE_NEEDS_QUANTITY = "package_needs_quantity"  # Package add without quantity refused
    DRIPFEED_NEEDS_FLAG = "dripfeed_needs_flag"  # runs/interval ignored unless dripfeed=1
    DRIPFEED_INTERVALS = "dripfeed_intervals"  # only panel.dripfeed_intervals accepted
    MEDIA_URL = "media_url"  # reads media_url; a `media` field is silently dropped
    COMMA_COMMENTS = "comma_comments"  # comments split on commas too: bills per piece
    CHARGE_IS_RATE = "charge_is_rate"  # status `charge` is the service rate, not the cost
    V1_WITH_REFILL = "v1_with_refill"  # a v1 panel that serves refill and refill_status


# Quirk.STATUS_WORDS: how such panels spell the documented statuses.
STATUS_SPELLINGS = {
    "Pending": "pending",
    "In progress": "inprogress",
    "Processing": "Active",
    "Completed": "COMPLETED",
    "Partial": "partial",
    "Canceled": "Cancelled",
}
MULTI_STATUS_ACTIONS = {Quirk.MULTISTATUS_ACTION: "multistatus", Quirk.ORDERS_ACTION: "orders"}


class Fault(StrEnum):
    HTML_502 = "html_502"  # Cloudflare bad-gateway page
    HTTP_500 = "http_500"  # plain-text 500
    INVALID_JSON = "invalid_json"  # 200 with a truncated JSON body
    EMPTY = "empty"  # 200 with an empty body
    HANG = "hang"  # process the request, then never answer (until stop)
    DROP = "drop"  # read the request, close the connection without answering


@dataclass(frozen=True)
class Scripted:
    body: Any  # str is sent raw, anything else as JSON
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    action: str
    form: dict[str, str]
    headers: dict[str, str] = field(repr=False)

    @property
    def fields(self) -> dict[str, str]:
        """The form without the key: what tests usually compare."""
        return {k: v for k, v in self.form.items() if k != "key"}


def unused_url(dialect: str = "v2") -> str:
    """A URL on a port nobody listens on: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/{dialect}"


class FakePanel:
    def __init__(
        self,
        *,
        dialect: str = "v2",
        key: str = "test-key-0123456789",
        quirks: set[Quirk] | frozenset[Quirk] = frozenset(),
    ) -> None:
        assert dialect in ("v1", "v2")
        self.dialect = dialect
        self.quirks: set[Quirk] = set(quirks)
        self.dripfeed_intervals: tuple[int, ...] = (15, 30, 60)  # Quirk.DRIPFEED_INTERVALS
        # What each created order really is on the panel: the add form it was created from,
        # and what the panel delivers and bills (quantity × runs it honoured, comment pieces).
        self.order_forms: dict[str, dict[str, str]] = {}
        self.delivered: dict[str, int] = {}
        self.key = key
        self.currency = "USD"
        self.balance = "0.03" if dialect == "v1" else "100.84292"
        self.catalog: list[dict[str, Any]] = list(
            DOC_V1_SERVICES if dialect == "v1" else DOC_V2_SERVICES
        )
        self.catalog_text: str | None = DOC_V1_SERVICES_TEXT if dialect == "v1" else None
        self.orders: dict[str, dict[str, Any]] = {}
        self.refills: dict[str, str] = {}
        self.refill_errors: dict[str, str] = {}  # order id → error for refill
        self.cancel_errors: dict[str, str] = {}  # order id → error for cancel
        self.status_as_list = False  # the clone that answers multi-status with a bare list
        self.error_http_status = 200  # some clones answer errors with 4xx
        self.success_http_status = 200  # ... and success with 201
        self.latency = 0.0
        self.action_latency: dict[str, float] = {}
        self.hang_seconds = 30.0
        self.next_order_id = 32 if dialect == "v1" else 23501
        self.next_refill_id = 1
        self.requests: list[ReceivedRequest] = []
        self._script: dict[str | None, deque[Fault | Scripted]] = defaultdict(deque)
        # Chaos hooks (tests/fakes/chaos.py), off by default. `chaos_before` decides a request's
        # fate before the panel does anything (a Fault or Scripted answer; None: go on);
        # `chaos_after` sees what the panel did and may rewrite the answer (a Scripted answer is
        # sent as it is, e.g. a 502 page for an order that was created all the same).
        self.chaos_before: (
            Callable[[ReceivedRequest], Awaitable[Fault | Scripted | None]] | None
        ) = None
        self.chaos_after: Callable[[ReceivedRequest, Any], Any] | None = None
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakePanel:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._release.set()  # wake hanging handlers so shutdown is quick
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakePanel:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/api/{self.dialect}"

    # -- configuration ---------------------------------------------------------------------

    def set_catalog(self, rows: list[dict[str, Any]], raw_text: str | None = None) -> None:
        """Rows as the panel answers them; raw_text (if given) is served instead of JSON."""
        self.catalog = list(rows)
        self.catalog_text = raw_text

    def set_order(
        self,
        order_id: str | int,
        status: str = "Pending",
        *,
        charge: str = "0.27819",
        start_count: str = "3572",
        remains: str = "157",
        currency: str | None = "USD",
        **extra: Any,
    ) -> None:
        row: dict[str, Any] = {
            "charge": charge,
            "start_count": start_count,
            "status": status,
            "remains": remains,
        }
        if currency is not None:
            row["currency"] = currency
        row.update(extra)
        self.orders[str(order_id)] = row

    def set_refill(self, refill_id: str | int, status: str) -> None:
        self.refills[str(refill_id)] = status

    def inject(self, fault: Fault | Scripted, action: str | None = None, times: int = 1) -> None:
        """Answer the next `times` requests (of `action`, or any) with a fault."""
        self._script[action].extend([fault] * times)

    def respond(
        self,
        action: str | None,
        body: Any,
        status: int = 200,
        content_type: str = "application/json",
        times: int = 1,
    ) -> None:
        self.inject(Scripted(body, status, content_type), action, times)

    def reject(self, action: str | None, message: str, times: int = 1) -> None:
        self.respond(action, {"error": message}, self.error_http_status, times=times)

    def requests_for(self, action: str) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.action == action]

    def clear(self) -> None:
        self.requests.clear()
        self._script.clear()

    # -- request handling ------------------------------------------------------------------

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            try:
                await asyncio.wait_for(self._release.wait(), seconds)
            except TimeoutError:
                pass

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        post = await request.post()
        form = {k: str(v) for k, v in post.items()}
        action = form.get("action", "")
        received = ReceivedRequest(
            request.method, request.path, action, form, dict(request.headers)
        )
        self.requests.append(received)
        await self._wait(self.latency + self.action_latency.get(action, 0.0))
        scripted = self._next_script(action)
        if scripted is None and self.chaos_before is not None:
            scripted = await self.chaos_before(received)
        if isinstance(scripted, Scripted):
            return _reply(scripted.body, scripted.status, scripted.content_type)
        if scripted is Fault.DROP:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if scripted is not None and scripted is not Fault.HANG:
            return _fault_response(scripted)
        if form.get("key") != self.key:
            answer: Any = self._worded({"error": ERR_KEY})
        else:
            answer = self._dispatch(action, form)
            if self.chaos_after is not None:
                answer = self.chaos_after(received, answer)
        if scripted is Fault.HANG:  # the panel did the work; the answer never comes
            await self._wait(self.hang_seconds)
            return web.Response(status=504, text="gateway timeout")
        if isinstance(answer, Scripted):
            return _reply(answer.body, answer.status, answer.content_type)
        is_error = isinstance(answer, dict) and (
            "error" in answer or answer.get("status") == "error"
        )
        return _reply(answer, self.error_http_status if is_error else self.success_http_status)

    def _next_script(self, action: str) -> Fault | Scripted | None:
        for key in (action, None):
            if self._script.get(key):
                return self._script[key].popleft()
        return None

    def _dispatch(self, action: str, form: dict[str, str]) -> Any:
        handler = {
            "services": self._services,
            "add": self._add,
            "status": self._status,
            "refill": self._refill,
            "refill_status": self._refill_status,
            "cancel": self._cancel,
            "balance": self._balance,
        }.get(action)
        multi_action = next(
            (
                name
                for quirk, name in MULTI_STATUS_ACTIONS.items()
                if quirk in self.quirks and name == action
            ),
            None,
        )
        if multi_action is not None:
            return self._status(form, multi=True)
        if handler is None:
            return {"error": ERR_REQUEST}
        v1_refill = Quirk.V1_WITH_REFILL in self.quirks and action in ("refill", "refill_status")
        if (
            self.dialect == "v1"
            and action in ("refill", "refill_status", "cancel")
            and not v1_refill
        ):
            return {"error": ERR_V1_ACTION}
        return self._worded(handler(form))

    def _worded(self, answer: Any) -> Any:
        """Quirk.ERROR_TEXTS: the same errors in a Laravel script's words."""
        if Quirk.ERROR_TEXTS not in self.quirks:
            return answer
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            return {**answer, "error": LARAVEL_ERRORS.get(answer["error"], answer["error"])}
        if isinstance(answer, list):
            return [self._worded(item) for item in answer]
        if isinstance(answer, dict):
            return {k: self._worded(v) for k, v in answer.items()}
        if answer in LARAVEL_ERRORS:  # v1's bare-string error rows
            return LARAVEL_ERRORS[answer]
        return answer

    def _services(self, form: dict[str, str]) -> Any:
        if self.catalog_text is not None:
            return Scripted(self.catalog_text)
        if self.dialect == "v1" and not self.catalog:
            return {"status": "success", "data": "Empty Data"}
        return self.catalog

    def _add(self, form: dict[str, str]) -> Any:
        row = next((r for r in self.catalog if str(r.get("service")) == form.get("service")), None)
        if row is None:
            return {"error": ERR_SERVICE}
        if not form.get("link") and not form.get("username"):
            return {"error": ERR_MISSING}
        refused = self._refuse_add(row, form)
        if refused is not None:
            return {"error": refused}
        # DRIPFEED_NEEDS_FLAG: without dripfeed=1 the panel runs (and bills) one run only.
        honours_runs = Quirk.DRIPFEED_NEEDS_FLAG not in self.quirks or form.get("dripfeed") == "1"
        runs = int(form.get("runs", 1)) if honours_runs else 1
        pieces = _comment_pieces(form.get("comments", ""), self.quirks)
        package_piece = _is_package(row) and Quirk.PACKAGE_NEEDS_QUANTITY in self.quirks
        if "quantity" in form and not package_piece:
            qty, lo, hi = int(form["quantity"]), int(row["min"]), int(row["max"])
            if qty < lo:
                return {"error": f"Quantity less than minimal {lo}"}
            if qty > hi:
                return {"error": f"Quantity more than maximum {hi}"}
            charge = Decimal(str(row["rate"])) * qty * runs / 1000
            delivered = qty * runs
        elif Quirk.COMMA_COMMENTS in self.quirks and pieces:
            charge = Decimal(str(row["rate"])) * pieces / 1000
            delivered = pieces
        else:
            charge = Decimal(str(row["rate"]))
            delivered = pieces or 1
        if Quirk.ERROR_TEXTS in self.quirks and charge > Decimal(self.balance):
            return {"error": ERR_FUNDS_LARAVEL}
        oid = str(self.next_order_id)
        self.next_order_id += 1
        self.order_forms[oid] = {
            k: v
            for k, v in form.items()  # what the panel kept
            if not (k == "media" and Quirk.MEDIA_URL in self.quirks)
        }
        self.delivered[oid] = delivered
        self.set_order(
            oid,
            "Pending",
            charge=f"{charge:.5f}",
            start_count="0",
            remains=form.get("quantity", "0"),
        )
        if self.dialect == "v1":
            return {"status": "success", "order": int(oid)}
        return {"order": int(oid)}

    def _refuse_add(self, row: dict[str, Any], form: dict[str, str]) -> str | None:
        """The field checks some panel scripts make (quirks); None: accepted."""
        if (
            Quirk.PACKAGE_NEEDS_QUANTITY in self.quirks
            and _is_package(row)
            and "quantity" not in form
        ):
            return ERR_QUANTITY_REQUIRED
        if (
            Quirk.DRIPFEED_INTERVALS in self.quirks
            and "interval" in form
            and int(form["interval"]) not in self.dripfeed_intervals
        ):
            return ERR_INTERVAL
        return None

    def _order_row(self, oid: str) -> dict[str, Any] | None:
        row = self.orders.get(oid)
        if row is not None and (
            Quirk.STATUS_WORDS in self.quirks or Quirk.CHARGE_IS_RATE in self.quirks
        ):
            row = dict(row)
            if Quirk.STATUS_WORDS in self.quirks:
                row["status"] = STATUS_SPELLINGS.get(str(row["status"]), row["status"])
            if Quirk.CHARGE_IS_RATE in self.quirks:
                row["charge"] = str(self._service_row(oid).get("rate", row["charge"]))
        if row is None or self.dialect == "v2":
            return row
        # v1: lowercase statuses, the order echoed as a string, no currency.
        v1 = {"order": oid, **{k: v for k, v in row.items() if k != "currency"}}
        v1["status"] = str(row["status"]).lower()
        return v1

    def _service_row(self, oid: str) -> dict[str, Any]:
        service = self.order_forms.get(oid, {}).get("service")
        rows = [r for r in self.catalog if str(r.get("service")) == service] or self.catalog
        return rows[0] if rows else {}

    def _status(self, form: dict[str, str], *, multi: bool = False) -> Any:
        if "orders" not in form:
            return self._order_row(form.get("order", "")) or {"error": ERR_ORDER}
        if (
            not multi and MULTI_STATUS_ACTIONS.keys() & self.quirks
        ) or Quirk.NO_MULTI_STATUS in self.quirks:
            return {"error": ERR_IDS_REQUIRED}  # reads `order` only: found none
        if Quirk.MULTI_STATUS_422 in self.quirks:
            return Scripted(
                {
                    "message": "The order field is required.",
                    "errors": {"order": ["The order field is required."]},
                },
                422,
            )
        ids = [i for i in form["orders"].split(",") if i]
        if self.status_as_list:
            return [
                {"order": int(i), **row}
                if (row := self._order_row(i))
                else {"order": int(i), "error": ERR_ORDER}
                for i in ids
            ]
        missing: Any = ERR_ORDER if self.dialect == "v1" else {"error": ERR_ORDER}
        return {i: self._order_row(i) or missing for i in ids}

    def _refill_one(self, oid: str) -> Any:
        if oid in self.refill_errors:
            return {"error": self.refill_errors[oid]}
        if oid not in self.orders:
            return {"error": ERR_ORDER}
        rid = str(self.next_refill_id)
        self.next_refill_id += 1
        self.refills[rid] = "Pending"
        return int(rid)

    def _refill_ids(self, form: dict[str, str]) -> tuple[list[str] | None, bool]:
        """The order IDs a refill request names, as this panel reads them, and whether it was
        a many-order request; None: the panel found no order ID (it did nothing)."""
        if Quirk.REFILL_PARAM_REFILLS in self.quirks:
            raw, many = form.get("refills"), "," in form.get("refills", "")
        elif Quirk.REFILL_PARAM_REFILL in self.quirks:
            raw, many = (
                (form["refills"], True) if "refills" in form else (form.get("refill"), False)
            )
        elif "orders" in form and Quirk.NO_MULTI_REFILL not in self.quirks:
            raw, many = form["orders"], True
        else:
            raw, many = form.get("order"), False
        if raw is None or (not raw and not many):
            return None, False
        return [i for i in raw.split(",") if i], many

    def _refill(self, form: dict[str, str]) -> Any:
        ids, many = self._refill_ids(form)
        if ids is None:  # the documented panel: an unknown order; the others: a missing one
            renamed = {Quirk.REFILL_PARAM_REFILL, Quirk.REFILL_PARAM_REFILLS} & self.quirks
            return {"error": ERR_IDS_REQUIRED if renamed else ERR_ORDER}
        if many:
            if Quirk.REFILL_LIST_NO_ORDER in self.quirks:
                return [{"refill": self._refill_one(i)} for i in ids]
            return [{"order": int(i), "refill": self._refill_one(i)} for i in ids]
        result = self._refill_one(ids[0])
        return result if isinstance(result, dict) else {"refill": str(result)}

    def _refill_status(self, form: dict[str, str]) -> Any:
        def one(rid: str) -> Any:
            unknown = (
                ERR_REFILL_ID_LARAVEL if Quirk.ERROR_TEXTS in self.quirks else "Refill not found"
            )
            return self.refills.get(rid) or {"error": unknown}

        if "refills" in form:
            if Quirk.NO_MULTI_REFILL in self.quirks:
                return {"error": "refill id(s) required"}
            return [{"refill": int(i), "status": one(i)} for i in form["refills"].split(",") if i]
        status = one(form.get("refill", ""))
        return status if isinstance(status, dict) else {"status": status}

    def _cancel(self, form: dict[str, str]) -> Any:
        def one(oid: str) -> Any:
            if oid in self.cancel_errors:
                return {"error": self.cancel_errors[oid]}
            if oid not in self.orders:
                return {"error": ERR_ORDER}
            if Quirk.CANCEL_STATUS_SHAPE in self.quirks:  # canceled at once, and says so
                self.orders[oid]["status"] = "Canceled"
                return {"status": "Canceled"}
            return 1

        if Quirk.CANCEL_STATUS_SHAPE in self.quirks:
            return [{"order": i, "cancel": one(i)} for i in form.get("orders", "").split(",") if i]
        return [{"order": int(i), "cancel": one(i)} for i in form.get("orders", "").split(",") if i]

    def _balance(self, form: dict[str, str]) -> Any:
        answer = {"balance": self.balance, "currency": self.currency}
        return {"status": "success", **answer} if self.dialect == "v1" else answer


def _is_package(row: dict[str, Any]) -> bool:
    return str(row.get("type", "")).strip().lower() == "package"


def _comment_pieces(text: str, quirks: set[Quirk]) -> int:
    """How many comments the panel counts (and bills): lines, or with COMMA_COMMENTS also
    every comma-separated piece of a line."""
    lines = [line for line in text.split("\n") if line.strip()]
    if Quirk.COMMA_COMMENTS not in quirks:
        return len(lines)
    return sum(len([p for p in line.split(",") if p.strip()]) for line in lines)


def _reply(body: Any, status: int = 200, content_type: str = "application/json") -> web.Response:
    if isinstance(body, bytes):  # raw bytes, e.g. binary garbage
        return web.Response(status=status, body=body, content_type=content_type)
    text = body if isinstance(body, str) else json.dumps(body)
    return web.Response(status=status, text=text, content_type=content_type)


def _fault_response(fault: Fault) -> web.Response:
    if fault is Fault.HTML_502:
        return web.Response(status=502, text=CLOUDFLARE_502, content_type="text/html")
    if fault is Fault.HTTP_500:
        return web.Response(status=500, text="Internal Server Error", content_type="text/plain")
    if fault is Fault.INVALID_JSON:
        return web.Response(status=200, text='{"order": 23501', content_type="application/json")
    return web.Response(status=200, body=b"", content_type="application/json")
