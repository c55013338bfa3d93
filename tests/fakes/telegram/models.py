"""Records kept by the fake Bot API: messages, events, requests, stats, faults."""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from multidict import CIMultiDictProxy

EventKind = Literal[
    "message", "edit", "delete", "callback_answer", "chat_action", "pre_checkout_answer"
]


class Button(NamedTuple):
    """One keyboard button: ``text`` and its payload (callback_data, url, ... or None).

    Compares equal to a plain ``(text, data)`` tuple.
    """

    text: str
    data: str | None


def _button_payload(button: dict[str, Any]) -> str | None:
    for key in ("callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat"):
        if key in button:
            return str(button[key])
    for key in ("web_app", "login_url"):
        if key in button:
            return str(button[key].get("url"))
    if "copy_text" in button:
        return str(button["copy_text"].get("text"))
    if button.get("pay"):
        return "pay"
    return None


@dataclass
class ChatMessage:
    """A message in a chat, sent by the bot (``from_bot``) or by a simulated user.

    ``raw`` is the Bot API ``Message`` object exactly as the server returns it.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    raw: dict[str, Any]
    reply_markup: dict[str, Any] | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    file_bytes: bytes | None = None
    invoice_payload: str | None = None
    invoice_prices: list[dict[str, Any]] | None = None
    deleted: bool = False
    edit_count: int = 0

    # -- content ---------------------------------------------------------------------
    @property
    def date(self) -> int:
        return int(self.raw["date"])

    @property
    def text(self) -> str | None:
        return self.raw.get("text")

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def content(self) -> str:
        """Text or caption (empty string for media without caption)."""
        return self.raw.get("text") or self.raw.get("caption") or ""

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.raw.get("photo")

    @property
    def photo_bytes(self) -> bytes | None:
        return self.file_bytes if "photo" in self.raw else None

    @property
    def document(self) -> dict[str, Any] | None:
        return self.raw.get("document")

    @property
    def invoice(self) -> dict[str, Any] | None:
        return self.raw.get("invoice")

    @property
    def kind(self) -> str:
        for key in (
            "text",
            "photo",
            "document",
            "invoice",
            "video",
            "audio",
            "voice",
            "animation",
            "sticker",
            "successful_payment",
            "refunded_payment",
        ):
            if key in self.raw:
                return key
        return "other"

    # -- keyboards -------------------------------------------------------------------
    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as ``Button(text, data)``; ``[]`` without inline keyboard."""
        markup = self.reply_markup or {}
        return [
            [Button(b["text"], _button_payload(b)) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @property
    def keyboard(self) -> list[list[str]]:
        """Reply keyboard rows (button texts); ``[]`` when none."""
        markup = self.reply_markup or {}
        return [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in markup.get("keyboard", [])
        ]

    def find_button(
        self, text: str | None = None, callback_data: str | None = None
    ) -> dict[str, Any] | None:
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if text is not None and button.get("text") != text:
                    continue
                if callback_data is not None and button.get("callback_data") != callback_data:
                    continue
                return dict(button)
        return None

    # -- misc ------------------------------------------------------------------------
    def snapshot(self) -> ChatMessage:
        return copy.deepcopy(self)

    def to_api(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)

    def describe(self) -> str:
        who = "bot" if self.from_bot else "user"
        flags = " (deleted)" if self.deleted else ""
        flags += f" (edited x{self.edit_count})" if self.edit_count else ""
        line = f"[{who} #{self.message_id}{flags}] <{self.kind}> {self.content!r}"
        if self.buttons:
            line += f" buttons={[[tuple(b) for b in row] for row in self.buttons]}"
        if self.keyboard:
            line += f" keyboard={self.keyboard}"
        return line


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class PreCheckoutAnswer:
    query_id: str
    user_id: int
    ok: bool
    error_message: str | None


@dataclass(frozen=True)
class ChatAction:
    chat_id: int
    action: str


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did that a simulated user can wait for."""

    seq: int
    kind: EventKind
    chat_id: int | None
    message: ChatMessage | None = None
    """Snapshot of the message (after the change) for message/edit/delete events."""
    payload: CallbackAnswer | PreCheckoutAnswer | ChatAction | None = None


@dataclass
class RecordedRequest:
    method: str
    """Method name as Telegram spells it (``sendMessage``), whatever case the bot used."""
    params: dict[str, Any]
    """Parameters with JSON values decoded (``reply_markup`` is a dict, ``chat_id`` an int)."""
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 0
    result: Any = None
    error: str | None = None


@dataclass
class WireRequest:
    """A Bot API request as it arrived over HTTP, before any parsing."""

    path: str
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        assert self.content_type == "application/json", self.content_type
        return json.loads(self.body)


@dataclass
class Stats:
    method_counts: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    """Number of 429 answers served (flood limit + injected)."""
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)
    deliveries: Counter[int] = field(default_factory=Counter)
    """Successfully delivered new bot messages per chat id."""

    @property
    def duplicates(self) -> dict[int, int]:
        """Chats that received more than one message, with their counts."""
        return {chat: n for chat, n in self.deliveries.items() if n > 1}

    @property
    def delivered_total(self) -> int:
        return sum(self.deliveries.values())


@dataclass
class FaultRule:
    method: str
    remaining: int
    error_code: int
    description: str
    retry_after: int | None = None
    # Not a Bot API answer: this body as it is (a proxy's HTML error page), with error_code.
    raw_body: str | None = None
    raw_content_type: str = "text/html"
    # Sit on the request this many seconds first (a hanging Bot API or proxy).
    hang: float = 0.0
    # Whether the method still runs (the fault hits only the answer): a refund that happened
    # but whose answer was lost, for instance.
    then_apply: bool = False
    # Calls of the method that pass untouched before the fault hits (the N-th call: N - 1).
    skip: int = 0


@dataclass
class StarPayment:
    user_id: int
    telegram_payment_charge_id: str
    invoice_payload: str
    currency: str
    total_amount: int
    refunded: bool = False


@dataclass
class ChatInfo:
    """A chat the fake server knows (private chats are created for every simulated user)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    """A supergroup with topics enabled: the forum methods work only here."""

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class ForumTopic:
    """A topic of a forum supergroup; its id is the id of the service message that opened it
    (as in Telegram), and every message in it carries that ``message_thread_id``."""

    chat_id: int
    thread_id: int
    name: str
    icon_color: int
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        return {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    filename: str | None = None
    mime_type: str | None = None

    @property
    def file_path(self) -> str:
        return f"{self.kind}s/{self.file_unique_id}"

    @property
    def size(self) -> int:
        return len(self.data or b"")
