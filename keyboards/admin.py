"""The admin console's menu. Each action is handled by the router of its area."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext


class AdminCb(CallbackData, prefix="a"):
    action: str  # home, balances, users, orders, review, catalog, broadcast, stats, promos,
    # transfers


ADMIN_ACTIONS = (
    "balances",
    "users",
    "orders",
    "review",
    "catalog",
    "broadcast",
    "stats",
    "promos",
    "transfers",
)


def admin_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action in ADMIN_ACTIONS:
        builder.button(text=i18n.get(f"admin-menu-{action}"), callback_data=AdminCb(action=action))
    builder.adjust(2)
    return builder.as_markup()


def admin_home_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("btn-admin-home"), callback_data=AdminCb(action="home").pack()
    )
