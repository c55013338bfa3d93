"""The support desk: customers write to the staff, the staff answer (bot.telegram.support_desk).

Customers enter support mode from the menu ("💬 Support") or with /support: while in it, what
they send (text, photos, documents, other media) goes to the staff; commands still work, and
the menu button leaves. A reply to a staff answer reaches the staff even outside support mode.
Staff answer in the customer's forum topic (SUPPORT_CHAT_ID) or, without a group, by replying
to a relayed message in their private chat; /close (or the header's button) closes the ticket.

Two routers: `router()` (customers and admins' private replies) sits before the catalog's
search, which would otherwise take a support message for a search; `staff_router()` takes every
message of the support group first, so staff chatter never reaches the customer routers.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType, ContentType
from aiogram.filters import Command, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import support
from bot.telegram.support_desk import Outcome, SupportDesk
from handlers.common import show
from handlers.filters import Magic
from keyboards.menu import Menu
from keyboards.support import SupportAction, support_screen
from storage.models import User

# What copyMessage can carry; service messages (a pin, a topic renamed…) are not relayed.
COPYABLE = frozenset(
    {
        ContentType.TEXT,
        ContentType.PHOTO,
        ContentType.DOCUMENT,
        ContentType.VIDEO,
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.VOICE,
        ContentType.VIDEO_NOTE,
        ContentType.STICKER,
        ContentType.LOCATION,
        ContentType.VENUE,
        ContentType.CONTACT,
        ContentType.POLL,
        ContentType.DICE,
    }
)
NOT_COMMAND = Magic(~F.text.startswith("/"))
PRIVATE = Magic(F.chat.type == ChatType.PRIVATE)


class SupportMode(StatesGroup):
    writing = State()


class Copyable(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.content_type in COPYABLE


class InSupportGroup(Filter):
    """Anything said in the support group: its members are the staff."""

    async def __call__(self, message: Message, shop: Shop) -> bool:
        group = shop.settings.support_chat_id
        return group is not None and message.chat.id == group


class RepliesToRelay(Filter):
    """An admin's reply (in their private chat) to a relayed message or a ticket header:
    injects the `ticket` it belongs to."""

    async def __call__(self, message: Message, shop: Shop) -> bool | dict[str, Any]:
        original = message.reply_to_message
        if (
            original is None
            or message.from_user is None
            or not shop.is_admin(message.from_user.id)
            or original.from_user is None
            or not original.from_user.is_bot
        ):
            return False
        ticket = await support.ticket_of_staff_message(
            shop.sessions, message.chat.id, original.message_id
        )
        return {"ticket": ticket} if ticket is not None else False


class RepliesToAnswer(Filter):
    """A customer's reply to a staff answer: support, whatever state they are in."""

    async def __call__(self, message: Message, shop: Shop, user: User) -> bool:
        original = message.reply_to_message
        if original is None or original.from_user is None or not original.from_user.is_bot:
            return False
        return await support.replied_staff_answer(shop.sessions, user.id, original.message_id)


def _chat_id(query: CallbackQuery) -> int | None:
    message = query.message
    return message.chat.id if message is not None else None


# ---------------------------------------------------------------------- customers
async def support_command(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(SupportMode.writing)
    await message.answer(i18n.get("support-intro"), reply_markup=support_screen(i18n))


async def support_button(query: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(SupportMode.writing)
    await show(query, i18n.get("support-intro"), support_screen(i18n))


async def customer_message(
    message: Message, user: User, support_desk: SupportDesk, i18n: I18nContext
) -> None:
    outcome = await support_desk.from_customer(message, user.id)
    if outcome is Outcome.OPENED:
        await message.answer(i18n.get("support-opened"), reply_markup=support_screen(i18n))
    elif outcome is Outcome.SLOW:
        await message.answer(
            i18n.get("support-slow-down", count=support_desk.gate.per_minute),
            reply_markup=support_screen(i18n),
        )
    elif outcome is Outcome.FAILED:
        await message.answer(i18n.get("support-failed"), reply_markup=support_screen(i18n))


async def not_copyable(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("support-not-copyable"), reply_markup=support_screen(i18n))


# ---------------------------------------------------------------------- staff
async def topic_message(
    message: Message, shop: Shop, support_desk: SupportDesk, i18n: I18nContext
) -> None:
    ticket = await _topic_ticket(message, shop)
    if ticket is None:
        return  # the General topic or a topic of the staff's own
    problem = await support_desk.from_staff(message, ticket)
    if problem is not None:
        await message.reply(i18n.get(problem))


async def topic_close(
    message: Message, shop: Shop, support_desk: SupportDesk, i18n: I18nContext
) -> None:
    ticket = await _topic_ticket(message, shop)
    if ticket is None:
        await message.reply(i18n.get("support-close-where"))
        return
    await _close(message, ticket.id, support_desk, i18n)


async def relay_reply(
    message: Message, ticket: support.Ticket, support_desk: SupportDesk, i18n: I18nContext
) -> None:
    """An admin answering in private mode: /close as the reply closes, anything else goes to
    the customer."""
    if message.text is not None and message.text.split(maxsplit=1)[0].split("@")[0] == "/close":
        await _close(message, ticket.id, support_desk, i18n)
        return
    problem = await support_desk.from_staff(message, ticket)
    if problem is not None:
        await message.reply(i18n.get(problem))


async def _close(message: Message, ticket_id: int, desk: SupportDesk, i18n: I18nContext) -> None:
    staff = message.from_user
    if staff is None:
        return
    if await desk.close(ticket_id, staff.id):
        await message.reply(i18n.get("support-closed-staff", name=staff.first_name))
    else:
        await message.reply(i18n.get("support-already-closed"))


async def close_button(
    query: CallbackQuery,
    callback_data: SupportAction,
    shop: Shop,
    support_desk: SupportDesk,
    i18n: I18nContext,
) -> None:
    """The header's button: the group's members, or an admin in private mode."""
    in_group = shop.settings.support_chat_id is not None and _chat_id(query) == (
        shop.settings.support_chat_id
    )
    if not in_group and not shop.is_admin(query.from_user.id):
        await query.answer(i18n.get("stale-button"), show_alert=True)
        return
    if await support_desk.close(callback_data.ticket, query.from_user.id):
        await query.answer(i18n.get("support-closed-button"))
    else:
        await query.answer(i18n.get("support-already-closed"), show_alert=True)


async def ignore(message: Message) -> None:
    """Staff chatter outside a ticket, service messages: nothing to do."""


async def _topic_ticket(message: Message, shop: Shop) -> support.Ticket | None:
    if not message.is_topic_message or message.message_thread_id is None:
        return None
    return await support.ticket_in_topic(shop.sessions, message.chat.id, message.message_thread_id)


def staff_router() -> Router:
    """Every message of the support group, before any other router sees it."""
    r = Router(name="support_staff")
    r.message.filter(InSupportGroup())
    r.message.register(topic_close, Command("close"))
    r.message.register(topic_message, NOT_COMMAND, Copyable())
    r.message.register(ignore)
    return r


def router() -> Router:
    r = Router(name="support")
    r.message.register(support_command, Command("support"), PRIVATE)
    r.callback_query.register(support_button, Menu.filter(F.action == "support"))
    r.callback_query.register(close_button, SupportAction.filter(F.action == "close"))
    r.message.register(relay_reply, PRIVATE, RepliesToRelay())
    writing = StateFilter(SupportMode.writing)
    r.message.register(customer_message, PRIVATE, writing, NOT_COMMAND, Copyable())
    r.message.register(customer_message, PRIVATE, NOT_COMMAND, Copyable(), RepliesToAnswer())
    r.message.register(not_copyable, PRIVATE, writing, NOT_COMMAND)
    return r
