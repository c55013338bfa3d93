"""The support desk's buttons: the customer's support screen and the staff's ticket header."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from keyboards.menu import home_button


class SupportAction(CallbackData, prefix="su"):
    action: str  # close (staff: close the ticket)
    ticket: int = 0


def support_screen(i18n: I18nContext) -> InlineKeyboardMarkup:
    """Under the "write your message" prompt: the way out of support mode is the menu."""
    return InlineKeyboardBuilder(markup=[[home_button(i18n)]]).as_markup()


def ticket_header(close_text: str, ticket_id: int) -> InlineKeyboardMarkup:
    """The staff's "close" button (rendered in the staff's language by the caller)."""
    return InlineKeyboardBuilder(
        markup=[
            [
                InlineKeyboardButton(
                    text=close_text,
                    callback_data=SupportAction(action="close", ticket=ticket_id).pack(),
                )
            ]
        ]
    ).as_markup()
