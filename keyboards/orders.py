"""Keyboards of "My orders": the paginated list and one order's actions."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.menu import Menu, home_button

BUTTON_TEXT_LIMIT = 60


class OrderAction:
    """Short codes keep callback data far below Telegram's 64 bytes; never rename them, or the
    buttons of messages already in chats stop working."""

    LIST = "l"
    VIEW = "v"
    REFRESH = "r"
    REFILL = "f"
    CANCEL = "c"  # asks for confirmation
    CANCEL_YES = "cy"


class OrderCb(CallbackData, prefix="o"):
    action: str
    id: int = 0  # the shop's order id (always checked against the pressing customer)
    page: int = 0  # the list page to go back to


class OrderAgain(CallbackData, prefix="oa"):
    """ "Order again" on an order's card: the wizard pre-filled with that order's answers."""

    id: int  # the shop's order id (checked against the pressing customer)


def shorten(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def order_list(
    i18n: I18nContext, buttons: list[tuple[int, str]], page: int, pages: int
) -> InlineKeyboardMarkup:
    """`buttons`: (order id, label) on this page."""
    builder = InlineKeyboardBuilder()
    for order_id, label in buttons:
        builder.row(
            InlineKeyboardButton(
                text=shorten(label),
                callback_data=OrderCb(action=OrderAction.VIEW, id=order_id, page=page).pack(),
            )
        )
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                text=i18n.get("btn-orders-prev"),
                callback_data=OrderCb(action=OrderAction.LIST, page=page - 1).pack(),
            )
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(
                text=i18n.get("btn-orders-next"),
                callback_data=OrderCb(action=OrderAction.LIST, page=page + 1).pack(),
            )
        )
    if nav:
        builder.row(*nav)
    builder.row(home_button(i18n))
    return builder.as_markup()


def no_orders(i18n: I18nContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("menu-new-order"), callback_data=Menu(action="new_order").pack()
        )
    )
    builder.row(home_button(i18n))
    return builder.as_markup()


def order_details(
    i18n: I18nContext, order_id: int, page: int, *, refill: bool, cancel: bool
) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=i18n.get(key), callback_data=OrderCb(action=action, id=order_id, page=page).pack()
        )

    actions = [button("btn-order-refresh", OrderAction.REFRESH)]
    if refill:
        actions.append(button("btn-order-refill", OrderAction.REFILL))
    if cancel:
        actions.append(button("btn-order-cancel", OrderAction.CANCEL))
    again = InlineKeyboardButton(
        text=i18n.get("btn-order-again"), callback_data=OrderAgain(id=order_id).pack()
    )
    back = InlineKeyboardButton(
        text=i18n.get("btn-orders-back"),
        callback_data=OrderCb(action=OrderAction.LIST, page=page).pack(),
    )
    builder = InlineKeyboardBuilder()
    builder.row(*actions)
    builder.row(again)
    builder.row(back, home_button(i18n))
    return builder.as_markup()


def cancel_confirm(i18n: I18nContext, order_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=i18n.get("btn-order-cancel-yes"),
            callback_data=OrderCb(action=OrderAction.CANCEL_YES, id=order_id, page=page).pack(),
        ),
        InlineKeyboardButton(
            text=i18n.get("btn-order-cancel-no"),
            callback_data=OrderCb(action=OrderAction.VIEW, id=order_id, page=page).pack(),
        ),
    )
    return builder.as_markup()


def open_order(text: str, order_id: int) -> InlineKeyboardMarkup:
    """The button under a status notification: straight to the order's details."""
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=text, callback_data=OrderCb(action=OrderAction.VIEW, id=order_id).pack()
        )
    )
    return builder.as_markup()
