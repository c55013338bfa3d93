"""Shop prices from panel rates: cost × currency rate × (1 + markup), rounded up.

The shop never sells below cost: markups are non-negative and prices round towards the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.money import round_up, to_scale
from bot.panel import OrderRequest, ServiceType
from bot.panel.service_types import PER_PACKAGE

PER = Decimal(1000)


@dataclass(frozen=True, slots=True)
class PriceRules:
    currency_rate: Decimal  # shop units per panel unit
    precision: int  # decimals of the shop currency
    default_markup_percent: Decimal

    def markup(self, service_percent: Decimal | None, category_percent: Decimal | None) -> Decimal:
        """Most specific override wins: service, then category, then the shop default."""
        for percent in (service_percent, category_percent):
            if percent is not None:
                return percent
        return self.default_markup_percent

    def shop_amount(self, panel_amount: Decimal, markup_percent: Decimal) -> Decimal:
        return round_up(
            panel_amount * self.currency_rate * (1 + markup_percent / 100), self.precision
        )


@dataclass(frozen=True, slots=True)
class Quote:
    units: int | None  # what the panel bills per 1000 of, None for packages
    cost: Decimal  # panel currency, storage scale, rounded up
    price: Decimal  # shop currency, currency precision, rounded up


def billed_units(request: OrderRequest) -> int | None:
    """Units of the rate per 1000; None when the rate is the price of the whole package."""
    if request.service_type in PER_PACKAGE:
        return None
    if request.service_type is ServiceType.SUBSCRIPTIONS:
        # Charged per delivered post: reserve the most it can cost (max per post × posts).
        return (request.max or 0) * (request.posts or 1)
    return request.billed_quantity()


def panel_cost(rate: Decimal, units: int | None) -> Decimal:
    if units is None:
        return to_scale(rate)
    return to_scale(rate * units / PER)


def quote(
    rules: PriceRules, rate: Decimal, markup_percent: Decimal, request: OrderRequest
) -> Quote:
    units = billed_units(request)
    cost = panel_cost(rate, units)
    return Quote(units=units, cost=cost, price=rules.shop_amount(cost, markup_percent))


def price_per_1000(rules: PriceRules, rate: Decimal, markup_percent: Decimal) -> Decimal:
    return rules.shop_amount(rate, markup_percent)
