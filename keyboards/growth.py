"""Keyboards of the invite screen (prefix "rf") and of promo codes (prefix "pr"). The main
menu's invite row and the balance screen's promo row come from here."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.admin import admin_home_button


class Invite(CallbackData, prefix="rf"):
    action: str  # "show"


class PromoCb(CallbackData, prefix="pr"):
    """Customer: "ask" (type a code). Admin: "list", "new", "off" (id), "ref", "x" (cancel)."""

    action: str
    id: int = 0


def invite_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("menu-invite"), callback_data=Invite(action="show").pack()
    )


def promo_button(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("btn-promo"), callback_data=PromoCb(action="ask").pack()
    )


def admin_promos(
    i18n: I18nContext, codes: list[tuple[int, str]], referral_percent: str
) -> InlineKeyboardMarkup:
    """The console's promo screen: disable buttons for the active codes, new, referral %."""
    rows = [
        [
            InlineKeyboardButton(
                text=i18n.get("btn-promo-disable", code=code),
                callback_data=PromoCb(action="off", id=promo_id).pack(),
            )
        ]
        for promo_id, code in codes
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=i18n.get("btn-promo-new"), callback_data=PromoCb(action="new").pack()
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                text=i18n.get("btn-referral-percent", percent=referral_percent),
                callback_data=PromoCb(action="ref").pack(),
            )
        ]
    )
    rows.append([admin_home_button(i18n)])
    return InlineKeyboardBuilder(markup=rows).as_markup()


def admin_cancel(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardBuilder(
        markup=[
            [
                InlineKeyboardButton(
                    text=i18n.get("btn-admin-cancel"), callback_data=PromoCb(action="x").pack()
                )
            ]
        ]
    ).as_markup()
