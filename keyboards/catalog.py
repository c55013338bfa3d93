"""Browsing keyboards: categories, a category's services, a service card, search results.

Every button carries the ids it needs, so an old message keeps working after a restart.
Built with aiogram's InlineKeyboardBuilder like every keyboard of the bot, one `row()` per row.
The builder copies every button it exports, which costs more than the rest of a page's work, so
every browsing keyboard (category and service pages, service cards, search results: the hot
path of browsing) is kept rendered in the bot's bounded cache, keyed by every input it is made
of: the language and the page's own entries, numbers and labels. A catalog change (a rename,
a price, a service gone) changes those entries, so it makes a new key rather than needing an
invalidation. A kept markup is shared by every update that shows it and is only ever sent,
never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.cache import Cache
from keyboards.menu import home_button

MAX_LABEL = 60
PAGES_KEPT = 1024  # rendered browsing keyboards (a few KB each)

_pages: Cache[tuple[object, ...], InlineKeyboardMarkup] = Cache(PAGES_KEPT)


class Cats(CallbackData, prefix="ca"):
    page: int


class Svcs(CallbackData, prefix="sv"):
    cat: int
    page: int


class Card(CallbackData, prefix="sc"):
    id: int
    cat: int
    page: int


class Buy(CallbackData, prefix="by"):
    id: int


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _pager(
    i18n: I18nContext, page: int, pages: int, make: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """◀️ n/N ▶️, only the arrows that lead somewhere; `make(page)` is a page's callback."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(text=i18n.get("btn-prev"), callback_data=make(page - 1).pack())
        )
    row.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=make(page).pack()))
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(text=i18n.get("btn-next"), callback_data=make(page + 1).pack())
        )
    return row


def _kept(
    key: tuple[object, ...], build: Callable[[], InlineKeyboardMarkup]
) -> InlineKeyboardMarkup:
    if (kept := _pages.get(key)) is None:
        kept = build()
        _pages.put(key, kept)
    return kept


def categories(
    i18n: I18nContext, items: Sequence[tuple[int, str]], page: int, pages: int
) -> InlineKeyboardMarkup:
    def build() -> InlineKeyboardMarkup:
        builder = InlineKeyboardBuilder()
        for category_id, name in items:
            builder.row(
                InlineKeyboardButton(
                    text=_label(name), callback_data=Svcs(cat=category_id, page=0).pack()
                )
            )
        if pager := _pager(i18n, page, pages, lambda n: Cats(page=n)):
            builder.row(*pager)
        builder.row(home_button(i18n))
        return builder.as_markup()

    return _kept(("categories", i18n.locale, tuple(items), page, pages), build)


def services(
    i18n: I18nContext, items: Sequence[tuple[int, str]], category_id: int, page: int, pages: int
) -> InlineKeyboardMarkup:
    def build() -> InlineKeyboardMarkup:
        builder = InlineKeyboardBuilder()
        for service_id, label in items:
            builder.row(
                InlineKeyboardButton(
                    text=_label(label),
                    callback_data=Card(id=service_id, cat=category_id, page=page).pack(),
                )
            )
        if pager := _pager(i18n, page, pages, lambda n: Svcs(cat=category_id, page=n)):
            builder.row(*pager)
        builder.row(
            InlineKeyboardButton(text=i18n.get("btn-back"), callback_data=Cats(page=0).pack()),
            home_button(i18n),
        )
        return builder.as_markup()

    return _kept(("services", i18n.locale, tuple(items), category_id, page, pages), build)


def card(
    i18n: I18nContext, service_id: int, orderable: bool, category_id: int, page: int
) -> InlineKeyboardMarkup:
    def build() -> InlineKeyboardMarkup:
        builder = InlineKeyboardBuilder()
        if orderable:
            builder.row(
                InlineKeyboardButton(
                    text=i18n.get("btn-order"), callback_data=Buy(id=service_id).pack()
                )
            )
        builder.row(
            InlineKeyboardButton(
                text=i18n.get("btn-back"), callback_data=Svcs(cat=category_id, page=page).pack()
            ),
            home_button(i18n),
        )
        return builder.as_markup()

    return _kept(("card", i18n.locale, service_id, orderable, category_id, page), build)


def search_results(
    i18n: I18nContext, items: Sequence[tuple[int, int, str]]
) -> InlineKeyboardMarkup:
    """items: (service id, category id, label)."""

    def build() -> InlineKeyboardMarkup:
        builder = InlineKeyboardBuilder()
        for service_id, category_id, label in items:
            builder.row(
                InlineKeyboardButton(
                    text=_label(label),
                    callback_data=Card(id=service_id, cat=category_id, page=0).pack(),
                )
            )
        builder.row(
            InlineKeyboardButton(text=i18n.get("btn-browse"), callback_data=Cats(page=0).pack())
        )
        builder.row(home_button(i18n))
        return builder.as_markup()

    return _kept(("search", i18n.locale, tuple(items)), build)
