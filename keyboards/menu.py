"""Main menu, language picker and the shared 'back to menu' row."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.cache import Cache
from keyboards.growth import invite_button


class Menu(CallbackData, prefix="m"):
    action: str  # home, new_order, orders, balance, language, help, support


class Lang(CallbackData, prefix="l"):
    code: str


LANGUAGE_NAMES = {"en": "English 🇬🇧", "ar": "العربية 🇸🇦"}

_main_menus: Cache[str, InlineKeyboardMarkup] = Cache(len(LANGUAGE_NAMES))  # one per language


def main_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    """The same for everyone speaking a language: built once per language."""
    menu = _main_menus.get(i18n.locale)
    if menu is None:

        def button(key: str, action: str) -> InlineKeyboardButton:
            return InlineKeyboardButton(
                text=i18n.get(key), callback_data=Menu(action=action).pack()
            )

        builder = InlineKeyboardBuilder()
        builder.row(button("menu-new-order", "new_order"))
        builder.row(button("menu-orders", "orders"), button("menu-balance", "balance"))
        builder.row(button("menu-language", "language"), button("menu-help", "help"))
        builder.row(invite_button(i18n))
        builder.row(button("menu-support", "support"))
        menu = builder.as_markup()
        _main_menus.put(i18n.locale, menu)
    return menu


def home_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=i18n.get("btn-menu"), callback_data=Menu(action="home").pack())


_back_to_menus: Cache[str, InlineKeyboardMarkup] = Cache(len(LANGUAGE_NAMES))


def back_to_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    """Under most answers: built once per language, like the main menu."""
    markup = _back_to_menus.get(i18n.locale)
    if markup is None:
        builder = InlineKeyboardBuilder()
        builder.row(home_button(i18n))
        markup = builder.as_markup()
        _back_to_menus.put(i18n.locale, markup)
    return markup


def languages(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "✅ " if code == i18n.locale else ""
        builder.button(text=mark + name, callback_data=Lang(code=code))
    builder.adjust(2)
    builder.row(home_button(i18n))
    return builder.as_markup()
