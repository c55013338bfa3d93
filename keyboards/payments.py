"""Keyboards of the Stars top-up: preset amounts, a custom amount, the way back."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.balance import Balance
from keyboards.menu import home_button


class Topup(CallbackData, prefix="tp"):
    # An amount in shop currency ("10.00"), or "custom". The amount is re-checked against the
    # bounds when pressed: callback data can be forged.
    amount: str


CUSTOM = "custom"


def topup_screen(
    i18n: I18nContext, presets: list[tuple[Decimal, int]], money: Callable[[Decimal], str]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for amount, stars in presets:
        builder.button(
            text=i18n.get("btn-topup-preset", amount=money(amount), stars=stars),
            callback_data=Topup(amount=str(amount)),
        )
    builder.adjust(2)
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("btn-topup-custom"), callback_data=Topup(amount=CUSTOM).pack()
        )
    )
    builder.row(_back_to_balance(i18n), home_button(i18n))
    return builder.as_markup()


def custom_amount_screen(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("btn-topup-back"), callback_data=Balance(action="topup").pack()
        ),
        home_button(i18n),
    )
    return builder.as_markup()


def _back_to_balance(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("btn-balance-back"), callback_data=Balance(action="show").pack()
    )
