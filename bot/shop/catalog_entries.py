"""Frozen copies of the catalog rows that the in-memory CatalogView hands to every update.

An ORM row belongs to the session that loaded it: shared between updates, one update's change
(or a lazy load on a closed session) would reach the others. The view therefore keeps these
immutable values, made once per load, with the fields browsing, pricing and the wizard read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storage.models import Category, Service


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    id: int
    name: str
    name_en: str | None
    name_ar: str | None
    sort_order: int
    markup_percent: Decimal | None

    @classmethod
    def of(cls, row: Category) -> CategoryEntry:
        return cls(row.id, row.name, row.name_en, row.name_ar, row.sort_order, row.markup_percent)


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """A sellable service (enabled, available, in an enabled category) as loaded."""

    id: int
    panel_id: int
    panel_service_id: str
    category_id: int
    name: str
    type: str
    raw_type: str
    rate: Decimal  # panel currency per 1000
    min_quantity: int
    max_quantity: int
    refill: bool
    cancel: bool
    dripfeed: bool
    description: str | None
    name_en: str | None
    name_ar: str | None
    markup_percent: Decimal | None

    @classmethod
    def of(cls, row: Service) -> ServiceEntry:
        return cls(
            id=row.id,
            panel_id=row.panel_id,
            panel_service_id=row.panel_service_id,
            category_id=row.category_id,
            name=row.name,
            type=row.type,
            raw_type=row.raw_type,
            rate=row.rate,
            min_quantity=row.min_quantity,
            max_quantity=row.max_quantity,
            refill=row.refill,
            cancel=row.cancel,
            dripfeed=row.dripfeed,
            description=row.description,
            name_en=row.name_en,
            name_ar=row.name_ar,
            markup_percent=row.markup_percent,
        )
