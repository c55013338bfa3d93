"""Main menu, language picker and the shared 'back to menu' row."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext


class Menu(CallbackData, prefix="m"):
    action: str  # home, new_order, orders, balance, language, help, support


class Lang(CallbackData, prefix="l"):
    code: str


LANGUAGE_NAMES = {"en": "English 🇬🇧", "ar": "العربية 🇸🇦"}


def main_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    """The same for everyone speaking a language: built once per language."""
    menu = _MAIN_MENUS.get(i18n.locale)
    if menu is None:

        def button(key: str, action: str) -> InlineKeyboardButton:
            return InlineKeyboardButton(
                text=i18n.get(key), callback_data=Menu(action=action).pack()
            )

        menu = _MAIN_MENUS[i18n.locale] = InlineKeyboardMarkup(
            inline_keyboard=[
                [button("menu-new-order", "new_order")],
                [button("menu-orders", "orders"), button("menu-balance", "balance")],
                [button("menu-language", "language"), button("menu-help", "help")],
                [button("menu-support", "support")],
            ]
        )
    return menu


_MAIN_MENUS: dict[str, InlineKeyboardMarkup] = {}


def home_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=i18n.get("btn-menu"), callback_data=Menu(action="home").pack())


def back_to_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[home_button(i18n)]])


def languages(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "✅ " if code == i18n.locale else ""
        builder.button(text=mark + name, callback_data=Lang(code=code))
    builder.adjust(2)
    builder.row(home_button(i18n))
    return builder.as_markup()
