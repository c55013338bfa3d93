"""Keyboards of the balance screen."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.growth import promo_button
from keyboards.menu import home_button


class Balance(CallbackData, prefix="b"):
    # "show" and "topup" are stable: "topup" opens the Telegram Stars flow (handlers.payments).
    action: str


def balance_screen(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("btn-topup"), callback_data=Balance(action="topup").pack()
        )
    )
    builder.row(promo_button(i18n))
    builder.row(home_button(i18n))
    return builder.as_markup()
