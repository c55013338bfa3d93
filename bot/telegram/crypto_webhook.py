"""The Crypto Pay webhook: a route of its own (CRYPTO_PAY_WEBHOOK_PATH) on the same aiohttp
server as the Telegram webhook, and the customer's receipt for a paid invoice.

A delivery is honoured only with a valid `crypto-pay-api-signature` (HMAC-SHA256 of the raw
body keyed with SHA256(token), compared in constant time): anything else gets 401 and changes
nothing. A paid invoice is credited through bot.shop.crypto_topups.settle_paid, which credits
once however often Crypto Pay redelivers and whether the poll got there first; the receipt goes
only to the delivery that credited. Crypto Pay retries a delivery that did not get a 200, so a
failure inside is answered 500.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.shop import crypto_topups
from bot.shop.crypto_pay import SIGNATURE_HEADER, read_paid_update, verify_signature
from bot.shop.crypto_topups import Paid, PaidStatus

if TYPE_CHECKING:
    from bot.context import Shop
    from bot.telegram.notify import Notifier

log = logging.getLogger("bot.telegram.crypto_webhook")
MAX_BODY = 256 * 1024


async def tell_paid(notifier: Notifier, shop: Shop, paid: Paid) -> None:
    await notifier.to_user(
        paid.telegram_id,
        "crypto-paid",
        amount=shop.money(paid.amount),
        balance=shop.money(paid.balance),
        id=paid.payment_id,
    )


async def tell_expired(notifier: Notifier, shop: Shop, expired: crypto_topups.Expired) -> None:
    await notifier.to_user(expired.telegram_id, "crypto-expired", amount=shop.money(expired.amount))


class CryptoPayWebhook:
    def __init__(self, shop: Shop, notifier: Notifier, token: str) -> None:
        self.shop = shop
        self.notifier = notifier
        self.token = token

    def register(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        body = await request.read()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if len(body) > MAX_BODY or not verify_signature(self.token, body, signature):
            log.warning("Crypto Pay delivery refused: bad signature")
            return web.Response(status=401, text="Unauthorized")
        invoice = read_paid_update(body)
        if invoice is None:  # another update type, or unreadable: nothing to do, do not resend
            return web.Response(status=200)
        try:
            paid = await crypto_topups.settle_paid(
                self.shop.sessions, invoice, self.shop.settings.currency_precision
            )
        except Exception:
            log.exception("Crypto Pay invoice %d not settled", invoice.invoice_id)
            return web.Response(status=500)
        if paid.status is PaidStatus.UNKNOWN:
            log.warning("Crypto Pay invoice %d does not match a top-up", invoice.invoice_id)
        elif paid.status is PaidStatus.CREDITED:
            await tell_paid(self.notifier, self.shop, paid)
        return web.Response(status=200)
