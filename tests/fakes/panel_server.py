"""A fake SMM panel HTTP server (aiohttp) faithful to the documented v1/v2 APIs.

Reusable by any test suite:

    async with FakePanel(dialect="v2") as panel:
        panel.set_order("23501", "In progress", remains="10")
        panel.inject(Fault.HTML_502, action="status")
        client = PanelClient("p", panel.url, panel.key)
        ...
        assert panel.requests_for("status")[0].form == {...}

Defaults answer with the docs' own example bodies (v1 serves its services example verbatim,
invalid JSON included).
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
    {"service": 1, "name": "Followers", "type": "Default", "category": "First Category",
     "rate": "0.90", "min": "50", "max": "10000", "refill": True, "cancel": True},
    {"service": 2, "name": "Comments", "type": "Custom Comments", "category": "Second Category",
     "rate": "8", "min": "10", "max": "1500", "refill": False, "cancel": True},
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
    def __init__(self, *, dialect: str = "v2", key: str = "test-key-0123456789") -> None:
        assert dialect in ("v1", "v2")
        self.dialect = dialect
        self.key = key
        self.currency = "USD"
        self.balance = "0.03" if dialect == "v1" else "100.84292"
        self.catalog: list[dict[str, Any]] = list(
            DOC_V1_SERVICES if dialect == "v1" else DOC_V2_SERVICES)
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
        self.chaos_before: Callable[[ReceivedRequest], Awaitable[Fault | Scripted | None]] \
            | None = None
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
        self, order_id: str | int, status: str = "Pending", *, charge: str = "0.27819",
        start_count: str = "3572", remains: str = "157", currency: str | None = "USD",
        **extra: Any,
    ) -> None:
        row: dict[str, Any] = {"charge": charge, "start_count": start_count, "status": status,
                               "remains": remains}
        if currency is not None:
            row["currency"] = currency
        row.update(extra)
        self.orders[str(order_id)] = row

    def set_refill(self, refill_id: str | int, status: str) -> None:
        self.refills[str(refill_id)] = status

    def inject(self, fault: Fault | Scripted, action: str | None = None, times: int = 1) -> None:
        """Answer the next `times` requests (of `action`, or any) with a fault."""
        self._script[action].extend([fault] * times)

    def respond(self, action: str | None, body: Any, status: int = 200,
                content_type: str = "application/json", times: int = 1) -> None:
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
            request.method, request.path, action, form, dict(request.headers))
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
            answer: Any = {"error": ERR_KEY}
        else:
            answer = self._dispatch(action, form)
            if self.chaos_after is not None:
                answer = self.chaos_after(received, answer)
        if scripted is Fault.HANG:  # the panel did the work; the answer never comes
            await self._wait(self.hang_seconds)
            return web.Response(status=504, text="gateway timeout")
        if isinstance(answer, Scripted):
            return _reply(answer.body, answer.status, answer.content_type)
        is_error = isinstance(answer, dict) and ("error" in answer or answer.get(
            "status") == "error")
        return _reply(answer, self.error_http_status if is_error else self.success_http_status)

    def _next_script(self, action: str) -> Fault | Scripted | None:
        for key in (action, None):
            if self._script.get(key):
                return self._script[key].popleft()
        return None

    def _dispatch(self, action: str, form: dict[str, str]) -> Any:
        handler = {
            "services": self._services, "add": self._add, "status": self._status,
            "refill": self._refill, "refill_status": self._refill_status,
            "cancel": self._cancel, "balance": self._balance,
        }.get(action)
        if handler is None:
            return {"error": ERR_REQUEST}
        if self.dialect == "v1" and action in ("refill", "refill_status", "cancel"):
            return {"error": ERR_V1_ACTION}
        return handler(form)

    def _services(self, form: dict[str, str]) -> Any:
        if self.catalog_text is not None:
            return Scripted(self.catalog_text)
        if self.dialect == "v1" and not self.catalog:
            return {"status": "success", "data": "Empty Data"}
        return self.catalog

    def _add(self, form: dict[str, str]) -> Any:
        row = next((r for r in self.catalog if str(r.get("service")) == form.get("service")),
                   None)
        if row is None:
            return {"error": ERR_SERVICE}
        if not form.get("link") and not form.get("username"):
            return {"error": ERR_MISSING}
        if "quantity" in form:
            qty, lo, hi = int(form["quantity"]), int(row["min"]), int(row["max"])
            if qty < lo:
                return {"error": f"Quantity less than minimal {lo}"}
            if qty > hi:
                return {"error": f"Quantity more than maximum {hi}"}
            charge = Decimal(str(row["rate"])) * qty * int(form.get("runs", 1)) / 1000
        else:
            charge = Decimal(str(row["rate"]))
        oid = str(self.next_order_id)
        self.next_order_id += 1
        self.set_order(oid, "Pending", charge=f"{charge:.5f}", start_count="0",
                       remains=form.get("quantity", "0"))
        if self.dialect == "v1":
            return {"status": "success", "order": int(oid)}
        return {"order": int(oid)}

    def _order_row(self, oid: str) -> dict[str, Any] | None:
        row = self.orders.get(oid)
        if row is None or self.dialect == "v2":
            return row
        # v1: lowercase statuses, the order echoed as a string, no currency.
        v1 = {"order": oid, **{k: v for k, v in row.items() if k != "currency"}}
        v1["status"] = str(row["status"]).lower()
        return v1

    def _status(self, form: dict[str, str]) -> Any:
        if "orders" not in form:
            return self._order_row(form.get("order", "")) or {"error": ERR_ORDER}
        ids = [i for i in form["orders"].split(",") if i]
        if self.status_as_list:
            return [{"order": int(i), **row} if (row := self._order_row(i))
                    else {"order": int(i), "error": ERR_ORDER} for i in ids]
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

    def _refill(self, form: dict[str, str]) -> Any:
        if "orders" in form:
            return [{"order": int(i), "refill": self._refill_one(i)}
                    for i in form["orders"].split(",") if i]
        result = self._refill_one(form.get("order", ""))
        return result if isinstance(result, dict) else {"refill": str(result)}

    def _refill_status(self, form: dict[str, str]) -> Any:
        def one(rid: str) -> Any:
            return self.refills.get(rid) or {"error": "Refill not found"}

        if "refills" in form:
            return [{"refill": int(i), "status": one(i)} for i in form["refills"].split(",") if i]
        status = one(form.get("refill", ""))
        return status if isinstance(status, dict) else {"status": status}

    def _cancel(self, form: dict[str, str]) -> Any:
        def one(oid: str) -> Any:
            if oid in self.cancel_errors:
                return {"error": self.cancel_errors[oid]}
            return 1 if oid in self.orders else {"error": ERR_ORDER}

        return [{"order": int(i), "cancel": one(i)} for i in form.get("orders", "").split(",")
                if i]

    def _balance(self, form: dict[str, str]) -> Any:
        answer = {"balance": self.balance, "currency": self.currency}
        return {"status": "success", **answer} if self.dialect == "v1" else answer


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
