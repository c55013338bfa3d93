"""Every panel's balance for the console: asked live, the last known one when a panel is down."""

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

log = logging.getLogger("bot.admin")


@dataclass(frozen=True, slots=True)
class PanelBalance:
    name: str
    amount: Decimal | None  # None: never known
    currency: str | None
    live: bool  # False: the panel did not answer; `amount` is the last one stored
    low: bool
    sandbox: bool


async def panel_balances(shop: Shop) -> list[PanelBalance]:
    """All configured panels, in configuration order. Panels are asked concurrently and
    outside any transaction; a live answer is stored as the panel's last balance."""
    threshold = shop.settings.low_balance_alert

    async def one(client: PanelClient) -> PanelBalance:
        try:
            balance = await client.balance()
        except PanelError as exc:
            log.info("balance of %s unavailable: %s", client.name, exc)
            async with shop.sessions() as session:
                panel = await session.scalar(select(Panel).where(Panel.name == client.name))
            amount = panel.last_balance if panel else None
            currency = panel.currency if panel else None
            return PanelBalance(client.name, amount, currency, False,
                                _low(amount, threshold), client.is_sandbox)
        async with shop.sessions() as session, session.begin():
            panel = await session.scalar(select(Panel).where(Panel.name == client.name))
            if panel is not None:
                panel.last_balance = round_down(balance.amount, SCALE)
                panel.currency = balance.currency
        return PanelBalance(client.name, balance.amount, balance.currency, True,
                            _low(balance.amount, threshold), client.is_sandbox)

    return list(await asyncio.gather(*(one(client) for client in shop.panels)))


def _low(amount: Decimal | None, threshold: Decimal) -> bool:
    return amount is not None and threshold > 0 and amount < threshold
