"""Browsing keyboards: categories, a category's services, a service card, search results.

Every button carries the ids it needs, so an old message keeps working after a restart.
Rows are built as lists: aiogram's builder deep-copies every button when it exports.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from keyboards.menu import home_button

MAX_LABEL = 60


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
    i18n: I18nContext, page: int, pages: int, make: type[CallbackData] | None, **ids: int
) -> list[InlineKeyboardButton]:
    """◀️ n/N ▶️, only the arrows that lead somewhere."""
    if pages <= 1 or make is None:
        return []
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                text=i18n.get("btn-prev"), callback_data=make(page=page - 1, **ids).pack()
            )
        )
    row.append(
        InlineKeyboardButton(
            text=f"{page + 1}/{pages}", callback_data=make(page=page, **ids).pack()
        )
    )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(
                text=i18n.get("btn-next"), callback_data=make(page=page + 1, **ids).pack()
            )
        )
    return row


def categories(
    i18n: I18nContext, items: Sequence[tuple[int, str]], page: int, pages: int
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=_label(name), callback_data=Svcs(cat=category_id, page=0).pack()
            )
        ]
        for category_id, name in items
    ]
    if pager := _pager(i18n, page, pages, Cats):
        rows.append(pager)
    rows.append([home_button(i18n)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def services(
    i18n: I18nContext, items: Sequence[tuple[int, str]], category_id: int, page: int, pages: int
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=_label(label),
                callback_data=Card(id=service_id, cat=category_id, page=page).pack(),
            )
        ]
        for service_id, label in items
    ]
    if pager := _pager(i18n, page, pages, Svcs, cat=category_id):
        rows.append(pager)
    rows.append(
        [
            InlineKeyboardButton(text=i18n.get("btn-back"), callback_data=Cats(page=0).pack()),
            home_button(i18n),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card(
    i18n: I18nContext, service_id: int, orderable: bool, category_id: int, page: int
) -> InlineKeyboardMarkup:
    rows = []
    if orderable:
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-order"), callback_data=Buy(id=service_id).pack()
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                text=i18n.get("btn-back"), callback_data=Svcs(cat=category_id, page=page).pack()
            ),
            home_button(i18n),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def search_results(
    i18n: I18nContext, items: Sequence[tuple[int, int, str]]
) -> InlineKeyboardMarkup:
    """items: (service id, category id, label)."""
    rows = [
        [
            InlineKeyboardButton(
                text=_label(label),
                callback_data=Card(id=service_id, cat=category_id, page=0).pack(),
            )
        ]
        for service_id, category_id, label in items
    ]
    rows.append(
        [InlineKeyboardButton(text=i18n.get("btn-browse"), callback_data=Cats(page=0).pack())]
    )
    rows.append([home_button(i18n)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
