"""What handlers and jobs are given: settings, storage, panels and price rules, in one place."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.money import format_money
from bot.panel import PanelRegistry
from bot.shop import ordering
from bot.shop.catalog_view import CatalogCache
from bot.shop.crypto_pay import CryptoPayClient
from bot.shop.group_commit import GroupCommit
from bot.shop.pricing import PriceRules
from bot.shop.users import RecentUsers


class Translate(Protocol):
    """Renders a message in a language outside an update (bot.telegram.i18n.Translator): named
    as a protocol so the domain, which is handed a Shop, does not import the Telegram side."""

    def __call__(self, language: str, key: str, /, **kwargs: Any) -> str: ...


@dataclass(frozen=True, slots=True)
class Shop:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    panels: PanelRegistry
    translate: Translate
    recent_users: RecentUsers = field(default_factory=RecentUsers)
    crypto_pay: CryptoPayClient | None = None  # when CRYPTO_PAY_TOKEN is set
    catalog: CatalogCache = field(init=False)  # what customers browse, in memory
    # Confirm's writes (the debit and `submitting` row; the panel's acceptance), each grouped
    # with the others made while the database writer is busy (bot/shop/group_commit.py).
    reserves: GroupCommit[ordering.ReserveAsk, ordering.Reservation] = field(init=False)
    placements: GroupCommit[ordering.Placed, ordering.Placement] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "catalog", CatalogCache(self.sessions))
        sessions = self.sessions
        reserves = GroupCommit(
            sessions,
            group=ordering.reserve_group,
            alone=functools.partial(ordering.reserve_ask, sessions),
            name="reserve",
        )
        placements = GroupCommit(
            sessions,
            group=ordering.settle_placed_group,
            alone=functools.partial(ordering.settle_placed, sessions),
            name="placed",
        )
        object.__setattr__(self, "reserves", reserves)
        object.__setattr__(self, "placements", placements)

    @property
    def rules(self) -> PriceRules:
        return PriceRules(
            currency_rate=self.settings.currency_rate,
            precision=self.settings.currency_precision,
            default_markup_percent=self.settings.markup_percent,
        )

    def is_admin(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and telegram_id in self.settings.admin_ids

    def money(self, amount: object) -> str:
        from decimal import Decimal

        return format_money(
            Decimal(str(amount)), self.settings.currency, self.settings.currency_precision
        )
