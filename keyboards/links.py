"""Paste-a-link keyboards: the services offered for a pasted link, or the way to the catalog.

The link itself is too long for callback data (64 bytes): it waits in the customer's FSM data,
and each button carries a short digest of it, so a button under an older link's list is
recognised as such instead of ordering for the newer link."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.menu import Menu, home_button

MAX_LABEL = 60


class PastedLink(CallbackData, prefix="pl"):
    id: int  # the service chosen
    h: str  # digest of the link the list was made for


def digest(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()[:10]


def services(
    i18n: I18nContext, link: str, items: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """`items`: (service id, label), one button each, then the catalog and the menu."""
    h = digest(link)
    rows = [
        [
            InlineKeyboardButton(
                text=label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
                callback_data=PastedLink(id=service_id, h=h).pack(),
            )
        ]
        for service_id, label in items
    ]
    rows.append([_catalog(i18n)])
    rows.append([home_button(i18n)])
    return InlineKeyboardBuilder(markup=rows).as_markup()


def no_match(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardBuilder(markup=[[_catalog(i18n)], [home_button(i18n)]]).as_markup()


def _catalog(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("menu-new-order"), callback_data=Menu(action="new_order").pack()
    )
