"""Main menu, language picker and the shared 'back to menu' row."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext


class Menu(CallbackData, prefix="m"):
    action: str  # home, new_order, orders, balance, language, help


class Lang(CallbackData, prefix="l"):
    code: str


LANGUAGE_NAMES = {"en": "English 🇬🇧", "ar": "العربية 🇸🇦"}


def main_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("menu-new-order"), callback_data=Menu(action="new_order"))
    builder.button(text=i18n.get("menu-orders"), callback_data=Menu(action="orders"))
    builder.button(text=i18n.get("menu-balance"), callback_data=Menu(action="balance"))
    builder.button(text=i18n.get("menu-language"), callback_data=Menu(action="language"))
    builder.button(text=i18n.get("menu-help"), callback_data=Menu(action="help"))
    builder.adjust(1, 2, 2)
    return builder.as_markup()


def home_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("btn-menu"), callback_data=Menu(action="home").pack()
    )


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
