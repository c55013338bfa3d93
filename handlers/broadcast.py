"""Admin broadcast: compose (any message, then optional URL buttons) → preview → confirm →
progress with pause / resume / cancel. The job itself runs in bot.telegram.broadcast_sender."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import broadcast
from bot.shop.broadcast import Counts, JobState
from bot.telegram.broadcast_sender import BroadcastManager
from bot.telegram.notify import Notifier
from bot.telegram.telegram_session import describe
from handlers.common import show
from handlers.filters import IsAdmin
from handlers.telegram_errors import reason
from keyboards import broadcast as kb
from keyboards.admin import AdminCb, admin_home_button
from keyboards.admin_console import back_home

SOURCE = "bc_source"
log = logging.getLogger("bot.shop.broadcast")


class Compose(StatesGroup):
    message = State()
    buttons = State()


async def start_command(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(Compose.message)
    await message.answer(
        i18n.get("bc-ask-message"), reply_markup=kb.compose(i18n.get, admin_home_button(i18n))
    )


async def start_button(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(Compose.message)
    await show(query, i18n.get("bc-ask-message"), kb.compose(i18n.get, admin_home_button(i18n)))


async def got_message(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    if message.text and message.text.startswith("/"):  # a command is not a broadcast
        await message.answer(
            i18n.get("bc-ask-message"), reply_markup=kb.compose(i18n.get, admin_home_button(i18n))
        )
        return
    await state.set_state(Compose.buttons)
    await state.update_data({SOURCE: [message.chat.id, message.message_id]})
    await message.answer(
        i18n.get("bc-ask-buttons"),
        reply_markup=kb.compose(i18n.get, admin_home_button(i18n), skip=True),
    )


async def got_buttons(
    message: Message, state: FSMContext, shop: Shop, notifier: Notifier, i18n: I18nContext
) -> None:
    rows = broadcast.parse_buttons(message.text or "")
    if rows is None:
        await message.answer(
            i18n.get("bc-buttons-invalid"),
            reply_markup=kb.compose(i18n.get, admin_home_button(i18n), skip=True),
        )
        return
    await _preview(message.chat.id, message, state, shop, notifier, i18n, rows)


async def skip_buttons(
    query: CallbackQuery, state: FSMContext, shop: Shop, notifier: Notifier, i18n: I18nContext
) -> None:
    if await state.get_state() != Compose.buttons.state or query.message is None:
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    await query.answer()
    await _preview(query.from_user.id, query.message, state, shop, notifier, i18n, None)


async def _preview(
    chat_id: int,
    reply_to: Any,
    state: FSMContext,
    shop: Shop,
    notifier: Notifier,
    i18n: I18nContext,
    rows: list[list[dict[str, str]]] | None,
) -> None:
    """Copy the message back to the admin exactly as customers will get it, then the controls.
    The draft is stored only once Telegram accepted the copy (buttons included)."""
    source = (await state.get_data()).get(SOURCE)
    bot = reply_to.bot
    if not source or bot is None:
        await state.clear()
        return
    try:
        await bot.copy_message(
            chat_id=chat_id,
            from_chat_id=source[0],
            message_id=source[1],
            reply_markup=kb.url_buttons(rows),
        )
    except TelegramBadRequest as exc:
        # Bad buttons: send others. A message Telegram cannot copy: send another message.
        if rows is None:
            await state.set_state(Compose.message)
        await bot.send_message(
            chat_id,
            i18n.get(
                "bc-preview-failed-buttons" if rows else "bc-preview-failed",
                reason=reason(exc, i18n),
            ),
            reply_markup=kb.compose(i18n.get, admin_home_button(i18n), skip=rows is not None),
        )
        return
    except TelegramAPIError as exc:
        # No verdict on the message (5xx, 429, network, unreadable answer) or the admin's chat
        # refused: the step stays where it was, so Skip (or the same buttons) tries again.
        log.warning("broadcast preview for %s failed: %s", chat_id, describe(exc))
        await notifier.send(
            chat_id,
            i18n.get("bc-preview-unavailable", reason=reason(exc, i18n)),
            reply_markup=kb.compose(i18n.get, admin_home_button(i18n), skip=True),
        )
        return
    await state.clear()
    job_id = await broadcast.create_draft(
        shop.sessions,
        admin_telegram_id=chat_id,
        from_chat_id=source[0],
        message_id=source[1],
        reply_markup=broadcast.keyboard_json(rows),
    )
    text, markup = await _controls(shop, i18n, job_id, paid=False)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def _controls(shop: Shop, i18n: I18nContext, job_id: int, *, paid: bool) -> tuple[str, Any]:
    audience = await broadcast.count_audience(shop.sessions, shop.settings.admin_ids)
    rate = int(broadcast.PAID_RATE if paid else broadcast.FREE_RATE)
    key = "bc-preview-paid" if paid else "bc-preview"
    return (
        i18n.get(key, count=audience, rate=rate),
        kb.preview(i18n.get, admin_home_button(i18n), job_id, paid=paid),
    )


async def toggle_paid(
    query: CallbackQuery, callback_data: kb.BcCb, shop: Shop, i18n: I18nContext
) -> None:
    job = await broadcast.get(shop.sessions, callback_data.id)
    if job is None or not await broadcast.set_paid(shop.sessions, job.id, not job.paid):
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    text, markup = await _controls(shop, i18n, job.id, paid=not job.paid)
    await show(query, text, markup)


async def confirm(
    query: CallbackQuery,
    callback_data: kb.BcCb,
    shop: Shop,
    broadcasts: BroadcastManager,
    i18n: I18nContext,
) -> None:
    message = query.message
    if message is None:
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    total = await broadcast.start(
        shop.sessions,
        callback_data.id,
        admin_telegram_id=query.from_user.id,
        progress_chat_id=message.chat.id,
        progress_message_id=message.message_id,
        exclude_telegram_ids=shop.settings.admin_ids,
    )
    if total is None:  # a double tap, or an old preview
        await query.answer(i18n.get("bc-not-draft"), show_alert=True)
        return
    job = await broadcast.get(shop.sessions, callback_data.id)
    assert job is not None
    text, markup = await broadcasts.render(job, JobState.RUNNING, Counts(pending=total))
    await show(query, text, markup)
    broadcasts.launch(job.id)


async def discard(
    query: CallbackQuery,
    callback_data: kb.BcCb,
    state: FSMContext,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    await state.clear()
    if callback_data.id and not await broadcast.transition(
        shop.sessions, callback_data.id, "discard", admin_telegram_id=query.from_user.id
    ):
        await query.answer(i18n.get("bc-not-draft"), show_alert=True)
        return
    await show(
        query,
        i18n.get("bc-discarded"),
        back_home(i18n),
    )


async def control(
    query: CallbackQuery,
    callback_data: kb.BcCb,
    broadcasts: BroadcastManager,
    i18n: I18nContext,
) -> None:
    action = {"pause": broadcasts.pause, "resume": broadcasts.resume, "cancel": broadcasts.cancel}[
        callback_data.action
    ]
    if await action(callback_data.id, query.from_user.id):
        await query.answer(i18n.get(f"bc-{callback_data.action}-ok"))
    else:
        await query.answer(i18n.get("bc-not-now"), show_alert=True)


def router() -> Router:
    r = Router(name="broadcast")
    # Checked once per update, before any handler's filters: customers skip the router.
    r.message.filter(IsAdmin())
    r.callback_query.filter(IsAdmin())
    r.message.register(start_command, Command("broadcast"))
    r.callback_query.register(start_button, AdminCb.filter(F.action == "broadcast"))
    r.message.register(got_message, StateFilter(Compose.message))
    r.message.register(got_buttons, StateFilter(Compose.buttons))
    r.callback_query.register(skip_buttons, kb.BcCb.filter(F.action == "skip"))
    r.callback_query.register(discard, kb.BcCb.filter(F.action == "abort"))
    r.callback_query.register(toggle_paid, kb.BcCb.filter(F.action == "paid"))
    r.callback_query.register(confirm, kb.BcCb.filter(F.action == "send"))
    r.callback_query.register(control, kb.BcCb.filter(F.action.in_({"pause", "resume", "cancel"})))
    return r
