"""Panel balance watch: one alert when a balance drops below the threshold, one on recovery."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from bot.context import Shop
from bot.money import SCALE, round_down
from bot.panel import PanelClient, PanelError
from storage.models import Panel

log = logging.getLogger("bot.jobs.balances")


@dataclass(frozen=True, slots=True)
class BalanceAlert:
    panel: str
    balance: Decimal
    currency: str
    low: bool  # True: fell below the threshold; False: recovered


async def check_balances(shop: Shop) -> list[BalanceAlert]:
    """Read every panel's balance; return the alerts due (each state change once)."""
    threshold = shop.settings.low_balance_alert

    async def one(client: PanelClient) -> BalanceAlert | None:
        try:
            balance = await client.balance()
        except PanelError as exc:
            log.warning("balance of %s unavailable: %s", client.name, exc)
            return None
        async with shop.sessions() as session, session.begin():
            panel = await session.scalar(select(Panel).where(Panel.name == client.name))
            if panel is None:
                return None
            panel.last_balance = round_down(balance.amount, SCALE)
            panel.currency = balance.currency
            low = threshold > 0 and balance.amount < threshold
            if low == panel.low_balance_alerted:
                return None
            panel.low_balance_alerted = low
        return BalanceAlert(client.name, balance.amount, balance.currency, low)

    results = await asyncio.gather(*(one(client) for client in shop.panels))
    return [alert for alert in results if alert is not None]
