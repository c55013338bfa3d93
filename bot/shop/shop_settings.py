"""Settings an admin changes at runtime, stored in `shop_settings` (key → text value).

Today: the global markup. When no override is stored, MARKUP_PERCENT from the environment
applies. Pricing reads the override in the transaction that prices, so a change is seen by
the very next quote, in every process, without a restart.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from sqlalchemy.ext.asyncio import AsyncSession

from bot.shop import audit
from bot.shop.pricing import PriceRules
from storage.models import ShopSetting

GLOBAL_MARKUP = "markup_percent"


async def global_markup(session: AsyncSession) -> Decimal | None:
    """The stored override of the global markup, None when the environment's applies."""
    row = await session.get(ShopSetting, GLOBAL_MARKUP)
    return None if row is None else parse_markup(row.value)


async def effective_rules(session: AsyncSession, rules: PriceRules) -> PriceRules:
    """`rules` with the stored global markup, if any, as the shop default."""
    return with_global_markup(rules, await global_markup(session))


def with_global_markup(rules: PriceRules, stored: Decimal | str | None) -> PriceRules:
    """`rules` with a stored global markup (the row's text or its value) as the default."""
    override = parse_markup(stored) if isinstance(stored, str) else stored
    if override is None or override == rules.default_markup_percent:
        return rules
    return dataclasses.replace(rules, default_markup_percent=override)


def parse_markup(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:  # a hand-edited row: fall back rather than break every price
        return None


async def set_global_markup(
    session: AsyncSession, *, admin_id: int, percent: Decimal | None, default: Decimal
) -> None:
    """Store (or with None, remove) the override, with its audit row, in the caller's
    transaction. `default` is the environment's value, recorded for the audit trail."""
    row = await session.get(ShopSetting, GLOBAL_MARKUP)
    before = row.value if row is not None else None
    if percent is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(ShopSetting(key=GLOBAL_MARKUP, value=str(percent)))
    else:
        row.value = str(percent)
    audit.record(
        session,
        admin_id,
        "markup.global",
        "shop",
        {"percent": before, "default": str(default)},
        {"percent": None if percent is None else str(percent)},
    )
    await session.flush()


REFERRAL_PERCENT = "referral_percent"


async def referral_percent(session: AsyncSession, default: Decimal) -> Decimal:
    """The referral reward percent: the stored override, else the environment's `default`."""
    row = await session.get(ShopSetting, REFERRAL_PERCENT)
    stored = None if row is None else parse_markup(row.value)
    if stored is None or not 0 <= stored <= 100:
        return default
    return stored


async def set_referral_percent(
    session: AsyncSession, *, admin_id: int, percent: Decimal | None, default: Decimal
) -> None:
    """Store (or with None, remove) the referral percent override, audited, in the caller's
    transaction."""
    if percent is not None and not 0 <= percent <= 100:
        raise ValueError("a referral percent is between 0 and 100")
    row = await session.get(ShopSetting, REFERRAL_PERCENT)
    before = row.value if row is not None else None
    if percent is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(ShopSetting(key=REFERRAL_PERCENT, value=str(percent)))
    else:
        row.value = str(percent)
    audit.record(
        session,
        admin_id,
        "referral.percent",
        "shop",
        {"percent": before, "default": str(default)},
        {"percent": None if percent is None else str(percent)},
    )
    await session.flush()
