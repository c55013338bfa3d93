"""Money arithmetic: Decimal only, one storage scale, explicit rounding direction.

Amounts are stored as integers of 10**-SCALE units so both SQLite and PostgreSQL keep them
exactly (panel rates carry up to 5 decimals; 6 leaves room for per-unit costs).
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

SCALE = 6
_UNIT = Decimal(1).scaleb(-SCALE)
ZERO = Decimal(0)


def to_units(amount: Decimal) -> int:
    """Exact conversion to stored integer units; refuses amounts finer than the scale."""
    units = amount.scaleb(SCALE)
    if units != units.to_integral_value():
        raise ValueError(f"amount {amount} has more than {SCALE} decimals")
    return int(units)


def from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-SCALE).quantize(_UNIT)


def round_up(amount: Decimal, places: int) -> Decimal:
    """Towards +infinity: what the shop charges (never below cost)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING)


def round_down(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)


def to_scale(amount: Decimal) -> Decimal:
    """Round up to the storage scale (costs: never understate what the panel will charge)."""
    return round_up(amount, SCALE)


def parse_amount(text: str) -> Decimal | None:
    """Parse a user- or admin-typed amount; None when it is not a finite number."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


# Telegram Stars: here rather than in bot.shop.payments because the settings validate TOPUP_MAX
# against the invoice cap, and the settings import nothing of the domain.
MAX_STARS_PER_INVOICE = 10_000  # Telegram's cap on one Stars invoice


def stars_for(amount: Decimal, stars_per_unit: Decimal) -> int:
    """Stars the customer pays for `amount`: rounded up (the shop never sells below the rate)."""
    return max(1, math.ceil(amount * stars_per_unit))


def format_money(amount: Decimal, currency: str, precision: int) -> str:
    """`1234.5` → `1,234.50 USD`: Western digits in both languages, the code after the number."""
    quantum = Decimal(1).scaleb(-precision)
    return f"{amount.quantize(quantum):,} {currency}"
