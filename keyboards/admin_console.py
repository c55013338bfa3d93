"""Keyboards of the admin console's screens (balances, users, orders, review, catalog).

All buttons below the console menu use one CallbackData, prefix "ax", with short action codes.
Its handlers are registered for admins only: for anyone else "ax:…" is a stale button.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.admin import AdminCb, admin_home_button
from keyboards.orders import shorten


class Ax:
    """Action codes; never rename them, or buttons already in chats stop working."""

    BALANCES = "bal"
    USER = "u"  # id: shop user id
    CREDIT = "uc"
    DEBIT = "ud"
    BAN = "ub"
    UNBAN = "uu"
    ORDER = "o"  # id: shop order id
    REVIEW = "rv"  # page
    ATTACH = "ra"  # id: order
    REFUND = "rf"  # id: order (asks)
    REFUND_YES = "ry"
    SYNC = "cs"
    GLOBAL_MARKUP = "cg"
    CATEGORIES = "cl"  # page
    CATEGORY = "cc"  # id
    CAT_TOGGLE = "ct"
    CAT_MARKUP = "cm"
    CAT_NAME_EN = "ce"
    CAT_NAME_AR = "ca"
    SERVICES = "sl"  # id: category, page
    SERVICE = "sv"  # id
    SVC_TOGGLE = "st"
    SVC_MARKUP = "sm"
    SVC_NAME_EN = "se"
    SVC_NAME_AR = "sa"
    CANCEL = "x"  # leaves a prompt


class AdminX(CallbackData, prefix="ax"):
    act: str
    id: int = 0
    page: int = 0


def _button(text: str, act: str, id_: int = 0, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AdminX(act=act, id=id_, page=page).pack())


def _home_row(i18n: I18nContext) -> list[InlineKeyboardButton]:
    return [admin_home_button(i18n)]


def back_home(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def cancel_input(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(_button(i18n.get("btn-admin-cancel"), Ax.CANCEL))
    return builder.as_markup()


def balances(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(_button(i18n.get("btn-admin-refresh"), Ax.BALANCES))
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def user_card(i18n: I18nContext, user_id: int, banned: bool) -> InlineKeyboardMarkup:
    ban = (
        _button(i18n.get("btn-admin-unban"), Ax.UNBAN, user_id)
        if banned
        else _button(i18n.get("btn-admin-ban"), Ax.BAN, user_id)
    )
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(i18n.get("btn-admin-credit"), Ax.CREDIT, user_id),
        _button(i18n.get("btn-admin-debit"), Ax.DEBIT, user_id),
    )
    builder.row(ban, _button(i18n.get("btn-admin-refresh"), Ax.USER, user_id))
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def order_card(
    i18n: I18nContext, order_id: int, user_id: int, in_review: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if in_review:
        builder.row(
            _button(i18n.get("btn-admin-attach"), Ax.ATTACH, order_id),
            _button(i18n.get("btn-admin-refund-full"), Ax.REFUND, order_id),
        )
        builder.row(_button(i18n.get("btn-admin-review-list"), Ax.REVIEW))
    builder.row(
        _button(i18n.get("btn-admin-customer"), Ax.USER, user_id),
        _button(i18n.get("btn-admin-refresh"), Ax.ORDER, order_id),
    )
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def order_list(i18n: I18nContext, items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for order_id, label in items:
        builder.row(_button(shorten(label), Ax.ORDER, order_id))
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def refund_confirm(i18n: I18nContext, order_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(i18n.get("btn-admin-refund-yes"), Ax.REFUND_YES, order_id),
        _button(i18n.get("btn-admin-refund-no"), Ax.ORDER, order_id),
    )
    return builder.as_markup()


def catalog(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(i18n.get("btn-admin-sync"), Ax.SYNC),
        _button(i18n.get("btn-admin-global-markup"), Ax.GLOBAL_MARKUP),
    )
    builder.row(_button(i18n.get("btn-admin-categories"), Ax.CATEGORIES))
    builder.row(*_home_row(i18n))
    return builder.as_markup()


def _pager(
    i18n: I18nContext, act: str, id_: int, page: int, pages: int
) -> list[InlineKeyboardButton]:
    nav = []
    if page > 0:
        nav.append(_button(i18n.get("btn-admin-prev"), act, id_, page - 1))
    if page < pages - 1:
        nav.append(_button(i18n.get("btn-admin-next"), act, id_, page + 1))
    return nav


def listing(
    i18n: I18nContext,
    items: list[tuple[int, str]],
    item_act: str,
    *,
    page_act: str,
    page_id: int,
    page: int,
    pages: int,
    back: InlineKeyboardButton,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item_id, label in items:
        builder.row(_button(shorten(label), item_act, item_id))
    nav = _pager(i18n, page_act, page_id, page, pages)
    if nav:
        builder.row(*nav)
    builder.row(back)
    return builder.as_markup()


def back_to_catalog(i18n: I18nContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=i18n.get("btn-admin-back"), callback_data=AdminCb(action="catalog").pack()
    )


def back_to(i18n: I18nContext, act: str, id_: int = 0) -> InlineKeyboardButton:
    return _button(i18n.get("btn-admin-back"), act, id_)


def category_card(i18n: I18nContext, category_id: int, enabled: bool) -> InlineKeyboardMarkup:
    toggle = "btn-admin-disable" if enabled else "btn-admin-enable"
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(i18n.get(toggle), Ax.CAT_TOGGLE, category_id),
        _button(i18n.get("btn-admin-markup"), Ax.CAT_MARKUP, category_id),
    )
    builder.row(
        _button(i18n.get("btn-admin-name-en"), Ax.CAT_NAME_EN, category_id),
        _button(i18n.get("btn-admin-name-ar"), Ax.CAT_NAME_AR, category_id),
    )
    builder.row(_button(i18n.get("btn-admin-services"), Ax.SERVICES, category_id))
    builder.row(back_to(i18n, Ax.CATEGORIES))
    return builder.as_markup()


def service_card(
    i18n: I18nContext, service_id: int, category_id: int, enabled: bool
) -> InlineKeyboardMarkup:
    toggle = "btn-admin-disable" if enabled else "btn-admin-enable"
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(i18n.get(toggle), Ax.SVC_TOGGLE, service_id),
        _button(i18n.get("btn-admin-markup"), Ax.SVC_MARKUP, service_id),
    )
    builder.row(
        _button(i18n.get("btn-admin-name-en"), Ax.SVC_NAME_EN, service_id),
        _button(i18n.get("btn-admin-name-ar"), Ax.SVC_NAME_AR, service_id),
    )
    builder.row(back_to(i18n, Ax.SERVICES, category_id))
    return builder.as_markup()
