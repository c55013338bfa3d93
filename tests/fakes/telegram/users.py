"""Simulated Telegram users: they type, press buttons, pay, and wait for the bot."""

# Waits take a `timeout` on purpose: expiry raises AssertionError with the chat transcript.
# ruff: noqa: ASYNC109

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .formatting import command_entities
from .models import (
    BotEvent,
    CallbackAnswer,
    ChatAction,
    ChatMessage,
    EventKind,
    PreCheckoutAnswer,
    StarPayment,
)

if TYPE_CHECKING:
    from .server import FakeTelegram

MessageRef = ChatMessage | int | None


class FakeUser:
    """A user in a private chat with the bot (chat id == user id).

    Every action (``send``, ``click``, ``pay``...) moves the user's read cursors to "now",
    so ``wait_message``/``wait_edit`` only see what the bot does after the last action;
    consecutive waits return consecutive events.
    """

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_premium = is_premium
        self.blocked = False
        """The user blocked the bot: sending to them answers 403."""
        self.deactivated = False
        """The account is deleted: sending to them answers 403 user is deactivated."""
        self.last_callback_query_id: str | None = None
        self.last_pre_checkout_query_id: str | None = None
        self._cursors: dict[EventKind, int] = {}

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_premium:
            data["is_premium"] = True
        return data

    # ------------------------------------------------------------------ transcript
    @property
    def transcript(self) -> list[ChatMessage]:
        """Every message of the chat (user's and bot's, deleted ones included)."""
        return self.tg.messages(self.id, include_deleted=True)

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages currently visible in the chat, oldest first."""
        return [m for m in self.tg.messages(self.id) if m.from_bot]

    @property
    def last_message(self) -> ChatMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    def describe_chat(self) -> str:
        lines = [f"Transcript of chat {self.id} ({self.first_name}):"]
        lines += [f"  {m.describe()}" for m in self.transcript] or ["  <empty>"]
        failed = [
            r
            for r in self.tg.requests
            if r.error and r.params.get("chat_id") in (self.id, str(self.id))
        ]
        if failed:
            lines.append("Failed bot requests for this chat:")
            lines += [f"  {r.method}: {r.error}" for r in failed[-10:]]
        if self.tg.unimplemented:
            lines.append(f"Unimplemented methods called: {sorted(set(self.tg.unimplemented))}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ actions
    def _mark_action(self) -> None:
        seq = self.tg.event_seq
        for kind in (
            "message",
            "edit",
            "delete",
            "callback_answer",
            "chat_action",
            "pre_checkout_answer",
        ):
            self._cursors[kind] = seq  # type: ignore[index]

    def _push_message(self, content: dict[str, Any], reply_to: MessageRef = None) -> ChatMessage:
        self._mark_action()
        chat = self.tg.chats[self.id]
        if reply_to is not None:
            original = self._message(reply_to)
            content = {**content, "reply_to_message": original.to_api()}
        message = self.tg.add_message(chat, content, sender=self.to_api())
        self.tg.push_update({"message": message.to_api()})
        return message

    async def send(
        self,
        text: str,
        *,
        reply_to: MessageRef = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> ChatMessage:
        """Type a text message; ``/commands`` get a ``bot_command`` entity."""
        content: dict[str, Any] = {"text": text}
        entities = entities if entities is not None else command_entities(text)
        if entities:
            content["entities"] = entities
        return self._push_message(content, reply_to)

    async def press(self, text: str) -> ChatMessage:
        """Press a reply-keyboard button (must exist on the latest reply keyboard)."""
        for message in reversed(self.messages):
            if message.keyboard:
                if any(text in row for row in message.keyboard):
                    return await self.send(text)
                break
        raise AssertionError(f"no reply keyboard button {text!r}\n{self.describe_chat()}")

    async def send_photo(
        self,
        data: bytes = b"\x89PNG\r\n\x1a\nfake-photo",
        *,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
    ) -> ChatMessage:
        stored = self.tg.register_file(data, "photo", mime_type="image/jpeg")
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 1280,
                    "height": 960,
                    "file_size": stored.size,
                }
            ],
        }
        if caption:
            content["caption"] = caption
        if caption_entities:
            content["caption_entities"] = caption_entities
        message = self._push_message(content)
        message.file_bytes = data
        return message

    async def send_document(
        self,
        data: bytes,
        *,
        filename: str = "file.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> ChatMessage:
        stored = self.tg.register_file(data, "document", filename=filename, mime_type=mime_type)
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": filename,
                "mime_type": mime_type,
                "file_size": stored.size,
            }
        }
        if caption:
            content["caption"] = caption
        message = self._push_message(content)
        message.file_bytes = data
        return message

    async def send_content(self, content: dict[str, Any]) -> ChatMessage:
        """Send any message content, e.g. ``{"contact": {...}}`` or ``{"location": {...}}``."""
        return self._push_message(dict(content))

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (counts as an action for the wait cursors)."""
        self._mark_action()
        return self.tg.push_update(update)

    async def click(
        self,
        text: str | None = None,
        *,
        callback_data: str | None = None,
        message: MessageRef = None,
    ) -> str:
        """Press an inline button by text and/or callback_data; returns the callback query id.

        Without ``message``, the latest visible bot message having such a button is used.
        With ``message`` and ``callback_data`` but no matching button, the data is forged.
        """
        if text is None and callback_data is None:
            raise ValueError("click() needs text or callback_data")
        target, button = self._find_button(text, callback_data, message)
        if button is not None:
            if "callback_data" not in button:
                raise AssertionError(f"button {button} is not a callback button")
            data = str(button["callback_data"])
        elif callback_data is not None and target is not None:
            data = callback_data
        else:
            raise AssertionError(
                f"no inline button text={text!r} callback_data={callback_data!r}\n"
                f"{self.describe_chat()}"
            )
        assert target is not None
        self._mark_action()
        query_id = f"{self.id}{self.tg.next_id():08d}"
        self.tg._callback_queries[query_id] = self.id
        self.last_callback_query_id = query_id
        self.tg.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.to_api(),
                    "message": target.to_api(),
                    "chat_instance": f"-{self.id}{self.tg.bot_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def _find_button(
        self, text: str | None, callback_data: str | None, message: MessageRef
    ) -> tuple[ChatMessage | None, dict[str, Any] | None]:
        if message is not None:
            target = self._message(message)
            return target, target.find_button(text, callback_data)
        for candidate in reversed(self.messages):
            button = candidate.find_button(text, callback_data)
            if button is not None:
                return candidate, button
        return None, None

    def _message(self, ref: ChatMessage | int) -> ChatMessage:
        """A message of this chat by id, or the given message (of any chat: a group's)."""
        chat_id = ref.chat_id if isinstance(ref, ChatMessage) else self.id
        message_id = ref.message_id if isinstance(ref, ChatMessage) else ref
        found = self.tg.get_message(chat_id, message_id)
        if found is None:
            raise AssertionError(f"no message #{message_id} in chat {chat_id}")
        return found

    # ------------------------------------------------------------------ groups
    async def post(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        reply_to: ChatMessage | None = None,
        content: dict[str, Any] | None = None,
    ) -> ChatMessage:
        """Write in a group (a staff member in a forum topic): ``text`` (commands get their
        entity) or raw ``content``. In a topic the message carries its ``message_thread_id``
        and, as Telegram sends it, replies to the topic's opening message unless it replies to
        something else."""
        chat = self.tg.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise AssertionError(f"no group chat {chat_id}")
        body: dict[str, Any] = dict(content or {})
        if text is not None:
            body["text"] = text
            entities = command_entities(text)
            if entities:
                body["entities"] = entities
        if thread_id is not None:
            topic = self.tg.forum_topics.get(chat_id, {}).get(thread_id)
            if not chat.is_forum or topic is None or topic.deleted:
                raise AssertionError(f"no topic {thread_id} in chat {chat_id}")
            body["message_thread_id"] = thread_id
            body["is_topic_message"] = True
            original = reply_to or self.tg.get_message(chat_id, thread_id)
        else:
            original = reply_to
        if original is not None:
            body["reply_to_message"] = original.to_api()
        self._mark_action()
        message = self.tg.add_message(chat, body, sender=self.to_api())
        self.tg.push_update({"message": message.to_api()})
        return message

    # ------------------------------------------------------------------ payments
    def _invoice(self, invoice: ChatMessage | str | None) -> dict[str, Any]:
        if isinstance(invoice, str):
            return dict(self.tg.invoice_links[invoice])
        if invoice is None:
            invoice = next((m for m in reversed(self.messages) if m.invoice), None)
            if invoice is None:
                raise AssertionError(f"no invoice in chat\n{self.describe_chat()}")
        assert invoice.invoice is not None, "message is not an invoice"
        return {
            "payload": invoice.invoice_payload or "",
            "currency": invoice.invoice["currency"],
            "total_amount": invoice.invoice["total_amount"],
        }

    async def pre_checkout(self, invoice: ChatMessage | str | None = None) -> str:
        """Push a ``pre_checkout_query`` for an invoice message/link (default: latest)."""
        info = self._invoice(invoice)
        self._mark_action()
        query_id = f"pcq{self.id}{self.tg.next_id():08d}"
        self.tg._pre_checkout_queries[query_id] = self.id
        self.last_pre_checkout_query_id = query_id
        self.tg.push_update(
            {
                "pre_checkout_query": {
                    "id": query_id,
                    "from": self.to_api(),
                    "currency": info["currency"],
                    "total_amount": info["total_amount"],
                    "invoice_payload": info["payload"],
                }
            }
        )
        return query_id

    async def successful_payment(
        self, invoice: ChatMessage | str | None = None, *, charge_id: str | None = None
    ) -> StarPayment:
        """Push a ``successful_payment`` service message and record the Stars payment."""
        info = self._invoice(invoice)
        charge_id = charge_id or f"stxFAKE{self.id}x{self.tg.next_id():08d}"
        payment = StarPayment(
            user_id=self.id,
            telegram_payment_charge_id=charge_id,
            invoice_payload=info["payload"],
            currency=info["currency"],
            total_amount=info["total_amount"],
        )
        self.tg.payments[charge_id] = payment
        self._push_message(
            {
                "successful_payment": {
                    "currency": payment.currency,
                    "total_amount": payment.total_amount,
                    "invoice_payload": payment.invoice_payload,
                    "telegram_payment_charge_id": charge_id,
                    "provider_payment_charge_id": "",
                }
            }
        )
        return payment

    async def pay(
        self, invoice: ChatMessage | str | None = None, *, timeout: float | None = None
    ) -> StarPayment:
        """Full checkout: pre-checkout, wait for ok=True, then successful_payment."""
        query_id = await self.pre_checkout(invoice)
        answer = await self.wait_pre_checkout_answer(query_id, timeout=timeout)
        if not answer.ok:
            raise AssertionError(f"pre-checkout declined: {answer.error_message}")
        return await self.successful_payment(invoice)

    async def refunded_payment(self, payment: StarPayment) -> ChatMessage:
        """Push a ``refunded_payment`` service message for a payment."""
        return self._push_message(
            {
                "refunded_payment": {
                    "currency": payment.currency,
                    "total_amount": payment.total_amount,
                    "invoice_payload": payment.invoice_payload,
                    "telegram_payment_charge_id": payment.telegram_payment_charge_id,
                }
            }
        )

    # ------------------------------------------------------------------ waiting
    async def _wait_event(
        self,
        kind: EventKind,
        predicate: Callable[[BotEvent], bool],
        what: str,
        timeout: float | None,
    ) -> BotEvent:
        cursor = self._cursors.get(kind, 0)

        def find() -> BotEvent | None:
            for event in self.tg.chat_events_after(self.id, cursor):
                if event.kind == kind and predicate(event):
                    return event
            return None

        found = await self.tg.wait_chat(self.id, find, timeout)
        if found is None:
            limit = self.tg.default_timeout if timeout is None else timeout
            raise AssertionError(f"{self!r}: no {what} within {limit}s\n{self.describe_chat()}")
        self._cursors[kind] = found.seq
        return found

    async def wait_message(
        self,
        contains: str | None = None,
        *,
        match: str | re.Pattern[str] | None = None,
        where: Callable[[ChatMessage], bool] | None = None,
        timeout: float | None = None,
    ) -> ChatMessage:
        """Next new bot message in this chat (optionally containing/matching text)."""

        def ok(event: BotEvent) -> bool:
            message = event.message
            assert message is not None
            return _matches(message, contains, match, where)

        event = await self._wait_event("message", ok, _what("message", contains, match), timeout)
        assert event.message is not None
        return event.message

    async def wait_messages(self, count: int, *, timeout: float | None = None) -> list[ChatMessage]:
        return [await self.wait_message(timeout=timeout) for _ in range(count)]

    async def wait_edit(
        self,
        contains: str | None = None,
        *,
        message: MessageRef = None,
        match: str | re.Pattern[str] | None = None,
        timeout: float | None = None,
    ) -> ChatMessage:
        """Next edit of a bot message in this chat; returns the message as edited."""
        wanted = message.message_id if isinstance(message, ChatMessage) else message

        def ok(event: BotEvent) -> bool:
            edited = event.message
            assert edited is not None
            if wanted is not None and edited.message_id != wanted:
                return False
            return _matches(edited, contains, match, None)

        event = await self._wait_event("edit", ok, _what("edit", contains, match), timeout)
        assert event.message is not None
        return event.message

    async def wait_delete(self, *, timeout: float | None = None) -> ChatMessage:
        event = await self._wait_event("delete", lambda e: True, "deleted message", timeout)
        assert event.message is not None
        return event.message

    async def wait_callback_answer(
        self, query_id: str | None = None, *, timeout: float | None = None
    ) -> CallbackAnswer:
        """The answerCallbackQuery for ``query_id`` (default: the last click)."""
        query_id = query_id or self.last_callback_query_id

        def ok(event: BotEvent) -> bool:
            return isinstance(event.payload, CallbackAnswer) and (
                query_id is None or event.payload.query_id == query_id
            )

        event = await self._wait_event("callback_answer", ok, "callback answer", timeout)
        assert isinstance(event.payload, CallbackAnswer)
        return event.payload

    async def wait_pre_checkout_answer(
        self, query_id: str | None = None, *, timeout: float | None = None
    ) -> PreCheckoutAnswer:
        query_id = query_id or self.last_pre_checkout_query_id

        def ok(event: BotEvent) -> bool:
            return isinstance(event.payload, PreCheckoutAnswer) and (
                query_id is None or event.payload.query_id == query_id
            )

        event = await self._wait_event("pre_checkout_answer", ok, "pre-checkout answer", timeout)
        assert isinstance(event.payload, PreCheckoutAnswer)
        return event.payload

    async def wait_chat_action(self, *, timeout: float | None = None) -> str:
        event = await self._wait_event("chat_action", lambda e: True, "chat action", timeout)
        assert isinstance(event.payload, ChatAction)
        return event.payload.action

    async def expect_no_message(self, quiet: float = 0.1) -> None:
        """Assert the bot sends nothing new here until it is idle for ``quiet`` seconds."""
        await self.tg.wait_idle(quiet=quiet)
        cursor = self._cursors.get("message", 0)
        new = [
            e for e in self.tg.events_after(cursor) if e.kind == "message" and e.chat_id == self.id
        ]
        if new:
            raise AssertionError(f"unexpected bot message(s)\n{self.describe_chat()}")


def _matches(
    message: ChatMessage,
    contains: str | None,
    match: str | re.Pattern[str] | None,
    where: Callable[[ChatMessage], bool] | None,
) -> bool:
    content = message.content
    if contains is not None and contains not in content:
        return False
    if match is not None and not re.search(match, content):
        return False
    return where is None or where(message)


def _what(kind: str, contains: str | None, match: str | re.Pattern[str] | None) -> str:
    if contains is not None:
        return f"{kind} containing {contains!r}"
    if match is not None:
        return f"{kind} matching {match!r}"
    return f"new {kind}"
