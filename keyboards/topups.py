"""Keyboards of the top-up methods beyond Stars: the choice of method, crypto amounts, manual
transfers, and the admins' review of a receipt.

Callback prefixes: `tp` (keyboards.payments.Topup: the method choice rides on it as
`stars` / `crypto`), `cp` (a crypto amount), `tm` (a manual method), `ta` (admin review and
method settings). Every ID in callback data is looked up again when pressed: it can be forged.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.shop.transfers import Method, Request
from keyboards.admin import admin_home_button
from keyboards.balance import Balance
from keyboards.menu import home_button
from keyboards.payments import Topup

STARS = "stars"
CRYPTO = "crypto"
CUSTOM = "custom"


class CryptoAmount(CallbackData, prefix="cp"):
    amount: str  # shop currency, or "custom"


class TransferPick(CallbackData, prefix="tm"):
    method: int


class TransferAdmin(CallbackData, prefix="ta"):
    act: str  # ok, edit, no (a receipt); list, methods, add, on, off (the console)
    id: int = 0


def _back_row(i18n: I18nContext) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=i18n.get("btn-balance-back"), callback_data=Balance(action="show").pack()
        ),
        home_button(i18n),
    ]


def choice(i18n: I18nContext, crypto: bool, methods: list[Method]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=i18n.get("btn-topup-stars"), callback_data=Topup(amount=STARS).pack()
            )
        ]
    ]
    if crypto:
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-topup-crypto"), callback_data=Topup(amount=CRYPTO).pack()
                )
            ]
        )
    language = i18n.locale
    for method in methods:
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-topup-transfer", name=method.name(language)),
                    callback_data=TransferPick(method=method.id).pack(),
                )
            ]
        )
    rows.append(_back_row(i18n))
    return InlineKeyboardBuilder(markup=rows).as_markup()


def back_to_choice(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardBuilder(
        markup=[
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-topup-back"), callback_data=Balance(action="topup").pack()
                ),
                home_button(i18n),
            ]
        ]
    ).as_markup()


def crypto_amounts(
    i18n: I18nContext, presets: list[Decimal], money: Callable[[Decimal], str]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for amount in presets:
        builder.button(text=money(amount), callback_data=CryptoAmount(amount=str(amount)))
    builder.adjust(3)
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("btn-topup-custom"), callback_data=CryptoAmount(amount=CUSTOM).pack()
        )
    )
    builder.row(*back_to_choice(i18n).inline_keyboard[0])
    return builder.as_markup()


def pay_link(i18n: I18nContext, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardBuilder(
        markup=[[InlineKeyboardButton(text=i18n.get("btn-crypto-pay"), url=url)]]
    ).as_markup()


# -- admins -----------------------------------------------------------------------------------


def review(translate: Callable[[str], str], payment_id: int) -> InlineKeyboardMarkup:
    """Under a receipt sent to an admin (in that admin's language)."""
    return InlineKeyboardBuilder(
        markup=[
            [
                InlineKeyboardButton(
                    text=translate("btn-transfer-approve"),
                    callback_data=TransferAdmin(act="ok", id=payment_id).pack(),
                ),
                InlineKeyboardButton(
                    text=translate("btn-transfer-edit"),
                    callback_data=TransferAdmin(act="edit", id=payment_id).pack(),
                ),
            ],
            [
                InlineKeyboardButton(
                    text=translate("btn-transfer-reject"),
                    callback_data=TransferAdmin(act="no", id=payment_id).pack(),
                )
            ],
        ]
    ).as_markup()


def console(
    i18n: I18nContext,
    pending: list[Request],
    methods: list[Method],
    money: Callable[[Decimal], str],
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for request in pending:
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get(
                        "btn-transfer-pending",
                        id=request.id,
                        user_id=request.telegram_id,
                        amount=money(request.amount),
                    ),
                    callback_data=TransferAdmin(act="show", id=request.id).pack(),
                )
            ]
        )
    for method in methods:
        act, key = (
            ("off", "btn-transfer-method-on")
            if method.enabled
            else ("on", "btn-transfer-method-off")
        )
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get(key, name=method.name(i18n.locale)),
                    callback_data=TransferAdmin(act=act, id=method.id).pack(),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                text=i18n.get("btn-transfer-method-add"),
                callback_data=TransferAdmin(act="add").pack(),
            )
        ]
    )
    rows.append([admin_home_button(i18n)])
    return InlineKeyboardBuilder(markup=rows).as_markup()


def console_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("admin-menu-transfers"), callback_data=TransferAdmin(act="list").pack()
    )
