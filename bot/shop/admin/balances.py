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
from bot.panel.profile import PanelProfile
from storage.models import Panel

log = logging.getLogger("bot.shop.admin")


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One field of a panel's dialect profile that differs from the documented API, or that
    the owner pinned in PANELS (pinned: the owner's; otherwise learned from the panel)."""

    field: str  # a PanelProfile field name
    value: str  # "yes" / "no" / "unknown" (localized by the screen) or the literal value
    pinned: bool


def profile_rows(client: PanelClient) -> list[ProfileRow]:
    default = PanelProfile().to_json()
    rows: list[ProfileRow] = []
    for name, value in client.profile.to_json().items():
        pinned = name in client.pinned
        if pinned or value != default[name]:
            rows.append(ProfileRow(name, _shown(value), pinned))
    return rows


def _shown(value: object) -> str:
    if value is True or value is False or value is None:
        return {True: "yes", False: "no", None: "unknown"}[value]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "\\n" if value == "\n" else str(value)


@dataclass(frozen=True, slots=True)
class PanelBalance:
    name: str
    amount: Decimal | None  # None: never known
    currency: str | None
    live: bool  # False: the panel did not answer; `amount` is the last one stored
    low: bool
    sandbox: bool
    profile: tuple[ProfileRow, ...] = ()  # empty: the panel speaks the documented API


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
            return PanelBalance(
                client.name,
                amount,
                currency,
                False,
                _low(amount, threshold),
                client.is_sandbox,
                tuple(profile_rows(client)),
            )
        async with shop.sessions() as session, session.begin():
            panel = await session.scalar(select(Panel).where(Panel.name == client.name))
            if panel is not None:
                panel.last_balance = round_down(balance.amount, SCALE)
                panel.currency = balance.currency
        return PanelBalance(
            client.name,
            balance.amount,
            balance.currency,
            True,
            _low(balance.amount, threshold),
            client.is_sandbox,
            tuple(profile_rows(client)),
        )

    return list(await asyncio.gather(*(one(client) for client in shop.panels)))


def _low(amount: Decimal | None, threshold: Decimal) -> bool:
    return amount is not None and threshold > 0 and amount < threshold
