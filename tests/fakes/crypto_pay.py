"""A fake Crypto Pay API server (aiohttp, 127.0.0.1) for the tests.

    async with FakeCryptoPay(token="123:AA") as cp:
        client = CryptoPayClient(cp.url, cp.token)
        invoice = await client.create_invoice(...)
        cp.pay(invoice.invoice_id)                 # the customer paid in @CryptoBot
        await cp.deliver(webhook_url, invoice_id)  # a signed `invoice_paid` delivery
        await cp.deliver(webhook_url, invoice_id, forged=True)
        cp.expire(invoice_id)

It answers createInvoice and getInvoices as documented (`{"ok": true, "result": …}`), refuses
a wrong `Crypto-Pay-API-Token` with 401 `UNAUTHORIZED`, and records every request.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from bot.shop.crypto_pay import SIGNATURE_HEADER, TOKEN_HEADER, sign


@dataclass
class FakeInvoice:
    invoice_id: int
    amount: str
    fiat: str
    accepted_assets: str
    payload: str
    description: str
    expires_in: int
    status: str = "active"
    paid_asset: str | None = None
    paid_amount: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "invoice_id": self.invoice_id,
            "hash": f"IV{self.invoice_id}",
            "currency_type": "fiat",
            "fiat": self.fiat,
            "amount": self.amount,
            "accepted_assets": self.accepted_assets.split(","),
            "bot_invoice_url": f"https://t.me/CryptoTestnetBot?start=IV{self.invoice_id}",
            "description": self.description,
            "status": self.status,
            "created_at": "2026-12-03T04:00:00.000Z",
            "allow_comments": False,
            "allow_anonymous": True,
            "payload": self.payload,
        }
        if self.status == "paid":
            body |= {
                "paid_asset": self.paid_asset,
                "paid_amount": self.paid_amount,
                "paid_at": "2026-12-03T04:01:00.000Z",
            }
        return body


@dataclass
class FakeCryptoPay:
    token: str = "1234:AAfakecryptopaytoken"
    invoices: dict[int, FakeInvoice] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_create: bool = False
    _next_id: int = 1000
    _update_id: int = 0
    _runner: web.AppRunner | None = None
    port: int = 0

    async def __aenter__(self) -> FakeCryptoPay:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            body = await request.json()
            params |= body if isinstance(body, dict) else {}
        self.requests.append((method, params))
        if request.headers.get(TOKEN_HEADER) != self.token:
            return web.json_response(
                {"ok": False, "error": {"code": 401, "name": "UNAUTHORIZED"}}, status=401
            )
        if method == "createInvoice":
            if self.fail_create:
                return web.json_response(
                    {"ok": False, "error": {"code": 400, "name": "AMOUNT_TOO_SMALL"}}, status=400
                )
            self._next_id += 1
            invoice = FakeInvoice(
                invoice_id=self._next_id,
                amount=str(params["amount"]),
                fiat=str(params["fiat"]),
                accepted_assets=str(params["accepted_assets"]),
                payload=str(params.get("payload", "")),
                description=str(params.get("description", "")),
                expires_in=int(params.get("expires_in", 0)),
            )
            self.invoices[invoice.invoice_id] = invoice
            return web.json_response({"ok": True, "result": invoice.as_json()})
        if method == "getInvoices":
            wanted = {int(i) for i in str(params.get("invoice_ids", "")).split(",") if i}
            items = [i.as_json() for n, i in self.invoices.items() if not wanted or n in wanted]
            return web.json_response({"ok": True, "result": {"items": items}})
        return web.json_response(
            {"ok": False, "error": {"code": 405, "name": "METHOD_NOT_FOUND"}}, status=405
        )

    # -- what happens in @CryptoBot -------------------------------------------------------------

    def pay(self, invoice_id: int, asset: str = "USDT") -> None:
        invoice = self.invoices[invoice_id]
        invoice.status, invoice.paid_asset, invoice.paid_amount = "paid", asset, invoice.amount

    def expire(self, invoice_id: int) -> None:
        self.invoices[invoice_id].status = "expired"

    def delivery(self, invoice_id: int, *, payload: dict[str, Any] | None = None) -> bytes:
        self._update_id += 1
        update = {
            "update_id": self._update_id,
            "update_type": "invoice_paid",
            "request_date": "2026-12-03T04:01:01.000Z",
            "payload": payload or self.invoices[invoice_id].as_json(),
        }
        return json.dumps(update).encode()

    async def deliver(
        self,
        url: str,
        invoice_id: int,
        *,
        forged: bool = False,
        body: bytes | None = None,
    ) -> int:
        """POST a webhook delivery to `url` as Crypto Pay does; the HTTP status answered."""
        body = body if body is not None else self.delivery(invoice_id)
        signature = sign("not-the-token" if forged else self.token, body)
        async with httpx.AsyncClient() as http:
            response = await http.post(
                url,
                content=body,
                headers={SIGNATURE_HEADER: signature, "Content-Type": "application/json"},
            )
        return response.status_code
