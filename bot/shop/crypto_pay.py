"""The Crypto Pay API (@CryptoBot) over httpx: createInvoice, getInvoices, and the webhook's
signature.

httpx rather than the `aiocryptopay` package: the shop needs two methods and one signature
check, httpx already carries the panels (timeouts, pools, no new dependency to keep up), and
the answers are read here with the same suspicion as a panel's (bounded sizes, typed fields),
which a client library's models would not do for us.

The API as documented (help.send.tg, "Crypto Pay API"): every request carries the header
`Crypto-Pay-API-Token`; answers are `{"ok": true, "result": …}` or `{"ok": false, "error": …}`.
A webhook delivery is a JSON update `{"update_id", "update_type": "invoice_paid",
"request_date", "payload": Invoice}` whose header `crypto-pay-api-signature` is the hex
HMAC-SHA256 of the raw body keyed with SHA256(token).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

TOKEN_HEADER = "Crypto-Pay-API-Token"
SIGNATURE_HEADER = "Crypto-Pay-API-Signature"  # HTTP headers ignore case
MAX_ANSWER = 256 * 1024
STATUSES = frozenset({"active", "paid", "expired"})


class CryptoPayError(Exception):
    """The API refused, did not answer, or answered something unreadable. Never carries the
    token (it is only ever in a header)."""


@dataclass(frozen=True, slots=True)
class CryptoInvoice:
    """The fields of a Crypto Pay invoice the shop reads."""

    invoice_id: int
    status: str  # active | paid | expired
    payload: str | None = None
    pay_url: str | None = None
    paid_amount: str | None = None
    paid_asset: str | None = None


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return "".join(ch for ch in value if ch.isprintable())[:limit] or None


def read_invoice(raw: object) -> CryptoInvoice | None:
    """An invoice object, or None when it is not one (hostile input is never trusted)."""
    if not isinstance(raw, dict):
        return None
    invoice_id, status = raw.get("invoice_id"), raw.get("status")
    if isinstance(invoice_id, bool) or not isinstance(invoice_id, int) or invoice_id <= 0:
        return None
    if invoice_id >= 10**18 or status not in STATUSES:
        return None
    url = raw.get("bot_invoice_url") or raw.get("pay_url")
    return CryptoInvoice(
        invoice_id=invoice_id,
        status=str(status),
        payload=_text(raw.get("payload"), 4096),
        pay_url=_text(url, 512) if isinstance(url, str) and url.startswith("https://") else None,
        paid_amount=_text(raw.get("paid_amount"), 32),
        paid_asset=_text(raw.get("paid_asset"), 16),
    )


def webhook_secret(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def sign(token: str, body: bytes) -> str:
    """The signature Crypto Pay puts on a delivery (the fake server in the tests signs too)."""
    return hmac.new(webhook_secret(token), body, hashlib.sha256).hexdigest()


def verify_signature(token: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(token, body).encode(), signature.strip().lower().encode())


def read_paid_update(body: bytes) -> CryptoInvoice | None:
    """The paid invoice a (signature-checked) webhook delivery reports, or None for any other
    update or an unreadable one."""
    if len(body) > MAX_ANSWER:
        return None
    try:
        update = json.loads(body)
    except ValueError:
        return None
    if not isinstance(update, dict) or update.get("update_type") != "invoice_paid":
        return None
    invoice = read_invoice(update.get("payload"))
    return invoice if invoice is not None and invoice.status == "paid" else None


class CryptoPayClient:
    """The two methods the shop calls."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.token = token
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={TOKEN_HEADER: token},
            timeout=timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(method, json=params)
        except httpx.HTTPError as exc:
            raise CryptoPayError(f"{method}: {type(exc).__name__}") from None
        if len(response.content) > MAX_ANSWER:
            raise CryptoPayError(f"{method}: answer too large")
        try:
            answer = response.json()
        except ValueError:
            raise CryptoPayError(f"{method}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            error = answer.get("error") if isinstance(answer, dict) else None
            name = error.get("name") if isinstance(error, dict) else error
            raise CryptoPayError(f"{method}: {_text(name, 100) or response.status_code}")
        return answer.get("result")

    async def create_invoice(
        self,
        *,
        amount: Decimal,
        fiat: str,
        assets: str,
        payload: str,
        description: str,
        expires_in: int,
    ) -> CryptoInvoice:
        """An invoice priced in `fiat` (currency_type=fiat), payable in `assets`."""
        result = await self._call(
            "createInvoice",
            {
                "currency_type": "fiat",
                "fiat": fiat,
                "accepted_assets": assets,
                "amount": format(amount, "f"),
                "payload": payload,
                "description": description[:1024],
                "expires_in": expires_in,
                "allow_anonymous": True,
                "allow_comments": False,
            },
        )
        invoice = read_invoice(result)
        if invoice is None or invoice.pay_url is None:
            raise CryptoPayError("createInvoice: unreadable invoice")
        return invoice

    async def get_invoices(self, invoice_ids: list[int]) -> list[CryptoInvoice]:
        """These invoices as they are now; unreadable items are skipped."""
        if not invoice_ids:
            return []
        result = await self._call(
            "getInvoices",
            {"invoice_ids": ",".join(str(i) for i in invoice_ids), "count": len(invoice_ids)},
        )
        items = result.get("items") if isinstance(result, dict) else None
        if not isinstance(items, list):
            raise CryptoPayError("getInvoices: no items")
        return [invoice for raw in items if (invoice := read_invoice(raw)) is not None]
