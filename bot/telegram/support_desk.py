"""The support desk's Telegram side: relays between a customer's chat and the staff.

With SUPPORT_CHAT_ID (a forum supergroup) each customer's ticket lives in a forum topic named
"Name · ID", opened with a header (balance, latest orders, a Close button) and reused while the
ticket is open; a new ticket after a close reopens the customer's topic (or opens a new one
when it is gone). Without it, or when the group refuses topics (not a forum, no "Manage
topics" right), every admin gets the header and the copies in their private chat, and answers
by replying to one of them. Messages go as copies (copyMessage): text, photos, documents and
other media alike, with no "forwarded from" revealing anyone. What maps which copy to which
ticket is stored (bot.shop.support), so replies work across a restart.

Telegram's refusals never escape: a customer who blocked the bot is marked on the ticket and
the staff are told; a staff chat that cannot be reached is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, Message, ReplyParameters

from bot.context import Shop
from bot.shop import support, users
from bot.shop.support import FloodGate, Gate, Opened, RelayKind, Ticket
from bot.telegram.i18n import order_number
from bot.telegram.notify import Notifier
from bot.telegram.telegram_session import describe
from keyboards.support import ticket_header

log = logging.getLogger("bot.telegram.support")


class Outcome(StrEnum):
    OPENED = "opened"  # relayed, and it opened a new ticket
    SENT = "sent"  # relayed into the open ticket
    SLOW = "slow"  # over the per-minute cap: tell the customer
    DROPPED = "dropped"  # over the cap, already told
    FAILED = "failed"  # no staff chat took it


class SupportDesk:
    def __init__(self, bot: Bot, shop: Shop, notifier: Notifier) -> None:
        self.bot = bot
        self.shop = shop
        self.notifier = notifier
        self.gate = FloodGate(shop.settings.support_messages_per_minute)
        # One topic per ticket even when a customer's messages arrive together (and, in this
        # process, one relay at a time per customer). Forgotten once nobody holds them.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._customer_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @staticmethod
    def _lock(locks: weakref.WeakValueDictionary[int, asyncio.Lock], key: int) -> asyncio.Lock:
        lock = locks.get(key)
        if lock is None:
            lock = locks[key] = asyncio.Lock()
        return lock

    @property
    def group(self) -> int | None:
        return self.shop.settings.support_chat_id

    # ------------------------------------------------------------------ customer → staff
    async def from_customer(self, message: Message, user_id: int) -> Outcome:
        verdict = self.gate.check(message.chat.id)
        if verdict is Gate.SLOW:
            return Outcome.SLOW
        if verdict is Gate.DROP:
            return Outcome.DROPPED
        # One customer's messages are relayed one at a time, in the order they got here.
        async with self._lock(self._customer_locks, message.chat.id):
            opened = await support.open_ticket(self.shop.sessions, user_id, chat_id=self.group)
            ticket = opened.ticket
            if ticket.chat_id is not None:
                delivered = await self._to_topic(opened, message)
            else:
                delivered = await self._to_admins(ticket, message)
        if not delivered:
            return Outcome.FAILED
        return Outcome.OPENED if opened.new else Outcome.SENT

    async def _to_topic(self, opened: Opened, message: Message) -> bool:
        ticket = opened.ticket
        for attempt in range(2):
            placed = await self._ensure_topic(opened if attempt == 0 else _fresh(ticket))
            if placed is None:  # the group refuses topics: the admins' chats instead
                ticket = await self._reload(ticket.id)
                return await self._to_admins(ticket, message)
            chat_id, thread_id = placed
            try:
                copied = await self.bot.copy_message(
                    chat_id, message.chat.id, message.message_id, message_thread_id=thread_id
                )
            except TelegramBadRequest as exc:
                if "thread" in exc.message.lower() and attempt == 0:  # the topic was deleted
                    log.info("ticket %d: topic %d is gone, opening another", ticket.id, thread_id)
                    await support.set_topic(
                        self.shop.sessions, ticket.id, chat_id=chat_id, thread_id=None
                    )
                    continue
                log.warning("ticket %d: copy to the group refused: %s", ticket.id, exc.message)
                return False
            except TelegramAPIError as exc:
                log.warning("ticket %d: copy to the group failed: %s", ticket.id, describe(exc))
                return False
            if await support.record_relay(
                self.shop.sessions,
                ticket.id,
                RelayKind.IN,
                staff_chat_id=chat_id,
                staff_message_id=copied.message_id,
                customer_message_id=message.message_id,
            ):
                await self.refresh_headers(ticket.id)  # no longer blocked
            return True
        return False

    async def _ensure_topic(self, opened: Opened) -> tuple[int, int] | None:
        """The ticket's (group, topic), opening (or reopening) it with a header when it has
        none; None when the group cannot hold topics (the ticket moves to private mode)."""
        async with self._lock(self._locks, opened.ticket.id):
            ticket = await self._reload(opened.ticket.id)
            if ticket.chat_id is None:
                return None
            if ticket.thread_id is not None:
                return ticket.chat_id, ticket.thread_id
            chat_id = ticket.chat_id
            thread_id = await self._reopen(chat_id, opened.reuse_thread_id, ticket.id)
            if thread_id is None:
                try:
                    topic = await self.bot.create_forum_topic(
                        chat_id, support.topic_name(ticket.first_name, ticket.telegram_id)
                    )
                except TelegramAPIError as exc:
                    log.warning(
                        "support group %d refused a topic (%s): relaying to the admins instead",
                        chat_id,
                        describe(exc),
                    )
                    await support.set_topic(
                        self.shop.sessions, ticket.id, chat_id=None, thread_id=None
                    )
                    return None
                thread_id = topic.message_thread_id
            await support.set_topic(
                self.shop.sessions, ticket.id, chat_id=chat_id, thread_id=thread_id
            )
            ticket = await self._reload(ticket.id)
            language = self.shop.settings.default_language
            try:
                header = await self.bot.send_message(
                    chat_id,
                    await self.header_text(ticket, language),
                    message_thread_id=thread_id,
                    reply_markup=self._close_button(ticket, language),
                )
            except TelegramAPIError as exc:
                log.warning("ticket %d: header not sent: %s", ticket.id, describe(exc))
            else:
                await support.record_relay(
                    self.shop.sessions,
                    ticket.id,
                    RelayKind.HEADER,
                    staff_chat_id=chat_id,
                    staff_message_id=header.message_id,
                    customer_message_id=None,
                )
            return chat_id, thread_id

    async def _reopen(self, chat_id: int, thread_id: int | None, ticket_id: int) -> int | None:
        if thread_id is None:
            return None
        try:
            await self.bot.reopen_forum_topic(chat_id, thread_id)
        except TelegramBadRequest as exc:
            if "not_modified" not in exc.message.lower():  # already open is fine
                log.info("ticket %d: topic %d not reopened: %s", ticket_id, thread_id, exc.message)
                return None
        except TelegramAPIError as exc:
            log.info("ticket %d: topic %d not reopened: %s", ticket_id, thread_id, describe(exc))
            return None
        return thread_id

    async def _to_admins(self, ticket: Ticket, message: Message) -> bool:
        delivered = unblocked = False
        for admin_id in sorted(self.shop.settings.admin_ids):
            language = await self._language_of(admin_id)
            try:
                header_id = await support.header_in(self.shop.sessions, ticket.id, admin_id)
                if header_id is None:
                    header = await self.bot.send_message(
                        admin_id,
                        await self.header_text(ticket, language),
                        reply_markup=self._close_button(ticket, language),
                    )
                    header_id = header.message_id
                    await support.record_relay(
                        self.shop.sessions,
                        ticket.id,
                        RelayKind.HEADER,
                        staff_chat_id=admin_id,
                        staff_message_id=header_id,
                        customer_message_id=None,
                    )
                copied = await self.bot.copy_message(
                    admin_id,
                    message.chat.id,
                    message.message_id,
                    reply_parameters=ReplyParameters(
                        message_id=header_id, allow_sending_without_reply=True
                    ),
                )
            except TelegramAPIError as exc:  # never opened the bot, blocked it, a 5xx…
                log.info("ticket %d: admin %d not reached: %s", ticket.id, admin_id, describe(exc))
                continue
            unblocked |= await support.record_relay(
                self.shop.sessions,
                ticket.id,
                RelayKind.IN,
                staff_chat_id=admin_id,
                staff_message_id=copied.message_id,
                customer_message_id=message.message_id,
            )
            delivered = True
        if unblocked:
            await self.refresh_headers(ticket.id)
        return delivered

    # ------------------------------------------------------------------ staff → customer
    async def from_staff(self, message: Message, ticket: Ticket) -> str | None:
        """Copy a staff answer to the customer. None when delivered, else the key of what to
        tell the staff (the ticket is closed, the customer blocked the bot, Telegram failed)."""
        if not ticket.is_open:
            return "support-staff-ticket-closed"
        try:
            copied = await self.bot.copy_message(
                ticket.telegram_id, message.chat.id, message.message_id
            )
        except TelegramForbiddenError:
            await self._blocked(ticket)
            return "support-staff-blocked"
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                await self._blocked(ticket)
                return "support-staff-blocked"
            log.warning("ticket %d: answer refused: %s", ticket.id, exc.message)
            return "support-staff-not-delivered"
        except TelegramAPIError as exc:
            log.warning("ticket %d: answer not delivered: %s", ticket.id, describe(exc))
            return "support-staff-not-delivered"
        await support.record_relay(
            self.shop.sessions,
            ticket.id,
            RelayKind.OUT,
            staff_chat_id=message.chat.id,
            staff_message_id=message.message_id,
            customer_message_id=copied.message_id,
        )
        return None

    async def _blocked(self, ticket: Ticket) -> None:
        await users.mark_inactive(self.shop.sessions, ticket.telegram_id)
        self.shop.recent_users.forget(ticket.telegram_id)
        if await support.mark_blocked(self.shop.sessions, ticket.id):
            await self.refresh_headers(ticket.id)

    # ------------------------------------------------------------------ closing
    async def close(self, ticket_id: int, staff_telegram_id: int) -> bool:
        """Close the ticket (False: it was closed already): the topic is closed, the customer
        told they can write again any time, the headers lose their button."""
        if not await support.close(self.shop.sessions, ticket_id, staff_telegram_id):
            return False
        ticket = await self._reload(ticket_id)
        if ticket.chat_id is not None and ticket.thread_id is not None:
            try:
                await self.bot.close_forum_topic(ticket.chat_id, ticket.thread_id)
            except TelegramAPIError as exc:  # closed by hand already, deleted, no right
                log.info("ticket %d: topic not closed: %s", ticket_id, describe(exc))
        await self.notifier.to_customer(ticket.user_id, "support-closed-customer")
        await self.refresh_headers(ticket_id)
        return True

    # ------------------------------------------------------------------ headers
    async def header_text(self, ticket: Ticket, language: str) -> str:
        t = self.shop.translate
        summary = await support.summary(self.shop.sessions, ticket.user_id)
        lines = [
            t(
                language,
                "support-header-order",
                number=order_number(line.order_id),
                status=t(language, f"order-status-{line.state}"),
                service=line.service,
                charge=self.shop.money(line.charge),
            )
            for line in summary.orders
        ] or [t(language, "support-header-no-orders")]
        parts = [
            t(
                language,
                "support-header",
                ticket_id=ticket.id,
                name=ticket.first_name or "—",
                username=f"@{ticket.username}" if ticket.username else "—",
                telegram_id=ticket.telegram_id,
                language=ticket.language or "—",
                balance=self.shop.money(summary.balance),
            ),
            *lines,
        ]
        if ticket.customer_blocked:
            parts.append(t(language, "support-header-blocked"))
        if not ticket.is_open:
            parts.append(t(language, "support-header-closed"))
        return "\n".join(parts)

    def _close_button(self, ticket: Ticket, language: str) -> InlineKeyboardMarkup | None:
        if not ticket.is_open:
            return None
        return ticket_header(self.shop.translate(language, "support-btn-close"), ticket.id)

    async def refresh_headers(self, ticket_id: int) -> None:
        """Re-render every header of the ticket (blocked mark, closed): best effort."""
        ticket = await self._reload(ticket_id)
        for chat_id, message_id in await support.headers(self.shop.sessions, ticket_id):
            language = (
                self.shop.settings.default_language
                if chat_id == ticket.chat_id
                else await self._language_of(chat_id)
            )
            try:
                await self.bot.edit_message_text(
                    await self.header_text(ticket, language),
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=self._close_button(ticket, language),
                )
            except TelegramAPIError as exc:
                log.info("ticket %d: header not updated: %s", ticket_id, describe(exc))

    # ------------------------------------------------------------------ helpers
    async def _reload(self, ticket_id: int) -> Ticket:
        ticket = await support.get(self.shop.sessions, ticket_id)
        assert ticket is not None, ticket_id
        return ticket

    async def _language_of(self, telegram_id: int) -> str:
        user = await users.by_telegram_id(self.shop.sessions, telegram_id)
        return (user.language if user else None) or self.shop.settings.default_language


def _fresh(ticket: Ticket) -> Opened:
    return Opened(ticket, new=False, reuse_thread_id=None)
