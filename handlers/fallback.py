"""Whatever no other handler took: stale buttons and unknown input get a clear answer."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from handlers import telegram_errors
from keyboards.menu import main_menu


async def stale_button(query: CallbackQuery, i18n: I18nContext) -> None:
    await query.answer(i18n.get("stale-button"), show_alert=True)


async def unknown_input(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("unknown-input"), reply_markup=main_menu(i18n))


def router() -> Router:
    r = Router(name="fallback")
    r.callback_query.register(stale_button)
    r.message.register(unknown_input)
    # Error events reach this router after every other router's error handlers: what Telegram
    # failed under any handler ends here, and the person is told (handlers.telegram_errors).
    telegram_errors.register(r)
    return r
