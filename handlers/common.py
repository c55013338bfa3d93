"""Small helpers shared by handlers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.telegram.telegram_session import describe

log = logging.getLogger("bot.handlers")


async def show(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None, *, answer: bool = True
) -> None:
    """Replace the pressed message's content; fall back to a new message when it cannot be
    edited (too old, deleted, or not a text message).

    The button's answer (which stops its spinner) goes out alongside the edit rather than
    before it: the customer waits for one round trip to Telegram instead of two. Its failure
    (a query too old, Telegram busy) is only logged: the spinner stops by itself and the new
    content is what the person needs. A failing edit or send propagates: the error handler
    (handlers.telegram_errors) tells the person."""
    answering = asyncio.ensure_future(query.answer()) if answer else None
    try:
        await _replace(query, text, markup)
    finally:
        await spinner_stopped(answering)


async def spinner_stopped(answering: Awaitable[object] | None) -> None:
    """Waits for a button's answer sent alongside other calls. It only stops the spinner, so
    its failure (a query too old, Telegram busy) is logged, never raised."""
    if answering is None:
        return
    try:
        await answering
    except TelegramAPIError as exc:
        log.info("callback answer failed: %s", describe(exc))


async def _replace(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
    if query.bot is not None:
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
