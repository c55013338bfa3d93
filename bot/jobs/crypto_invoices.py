"""Polls the customers' waiting Crypto Pay invoices: the paid ones are credited (when no
webhook told us, or it told us and the poll finds them settled already: nothing twice), the
expired ones are closed and their customers told."""

from __future__ import annotations

import logging

from bot.context import Shop
from bot.shop import crypto_topups
from bot.shop.crypto_pay import CryptoPayError
from bot.telegram.crypto_webhook import tell_expired, tell_paid
from bot.telegram.notify import Notifier

log = logging.getLogger("bot.jobs.crypto_invoices")


async def poll_crypto_invoices(shop: Shop, notifier: Notifier) -> None:
    client = shop.crypto_pay
    if client is None:
        return
    try:
        report = await crypto_topups.poll(shop.sessions, client, shop.settings.currency_precision)
    except CryptoPayError as exc:
        log.warning("Crypto Pay poll failed: %s", exc)
        return
    for paid in report.paid:
        await tell_paid(notifier, shop, paid)
    for expired in report.expired:
        await tell_expired(notifier, shop, expired)
