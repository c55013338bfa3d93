"""Bot API method handlers of the fake server: ``handler(tg, params) -> result``."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from .formatting import render_text
from .models import CallbackAnswer, ChatAction, ChatMessage, PreCheckoutAnswer, StoredFile
from .params import ApiError, Params, bad_request

if TYPE_CHECKING:
    from .server import FakeTelegram

Handler = Callable[["FakeTelegram", Params], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}

SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendAudio",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendInvoice",
        "sendPaidMedia",
    }
)
MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "document",
    "caption",
    "caption_entities",
    "video",
    "audio",
    "voice",
    "animation",
    "sticker",
    "contact",
    "location",
    "venue",
    "dice",
    "poll",
    "video_note",
    "has_media_spoiler",
)


@cache
def known_methods() -> dict[str, str]:
    """lower-case name -> Bot API spelling, for every method aiogram knows."""
    import aiogram.methods as aiogram_methods

    names: dict[str, str] = {}
    for attr in aiogram_methods.__all__:
        api_name = getattr(getattr(aiogram_methods, attr), "__api_method__", None)
        if isinstance(api_name, str):
            names[api_name.lower()] = api_name
    return names


def method(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[name] = func
        return func

    return register


# ---------------------------------------------------------------------- helpers
def _now() -> int:
    return int(time.time())


def _reply_markup(p: Params) -> dict[str, Any] | None:
    markup = p.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _text(p: Params, key: str, entities_key: str) -> tuple[str, list[dict[str, Any]]]:
    return render_text(p.get_str(key) or "", p.get_str("parse_mode"), p.get_json(entities_key))


def _message_text(p: Params) -> tuple[str, list[dict[str, Any]]]:
    if not (p.get_str("text") or "").strip():
        raise bad_request("message text is empty")
    text, entities = _text(p, "text", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def _caption(p: Params) -> dict[str, Any]:
    if not p.has("caption"):
        return {}
    caption, entities = _text(p, "caption", "caption_entities")
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {"caption": caption} if caption else {}
    if entities:
        content["caption_entities"] = entities
    return content


def _target_chat(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.resolve_chat(p.chat_id())
    tg.check_reachable(chat)
    return chat


def _reply_to(tg: FakeTelegram, chat_id: int, p: Params) -> dict[str, Any]:
    parameters = p.get_json("reply_parameters") or {}
    reply_id = parameters.get("message_id") or p.get_int("reply_to_message_id")
    if not reply_id:
        return {}
    original = tg.get_message(chat_id, int(reply_id))
    if original is None or original.deleted:
        if parameters.get("allow_sending_without_reply") or p.get_bool(
            "allow_sending_without_reply"
        ):
            return {}
        raise bad_request("message to be replied not found")
    raw = original.to_api()
    raw.pop("reply_to_message", None)
    return {"reply_to_message": raw}


def _thread(tg: FakeTelegram, chat: Any, p: Params) -> dict[str, Any]:
    """``message_thread_id``: in a forum, the topic the message goes to (it must exist and not
    be deleted; the bot, an admin, may post in a closed one); elsewhere, no such thread."""
    thread_id = p.get_int("message_thread_id")
    if not thread_id:
        return {}
    topic = tg.forum_topics.get(chat.id, {}).get(thread_id)
    if not chat.is_forum or topic is None or topic.deleted:
        raise bad_request("message thread not found")
    return {"message_thread_id": thread_id, "is_topic_message": True}


def _forum(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.resolve_chat(p.chat_id())
    if chat.type != "supergroup" or not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _topic(tg: FakeTelegram, p: Params) -> Any:
    chat = _forum(tg, p)
    topic = tg.forum_topics.get(chat.id, {}).get(p.require_int("message_thread_id"))
    if topic is None or topic.deleted:
        raise bad_request("TOPIC_ID_INVALID")
    return chat, topic


def _find_message(tg: FakeTelegram, p: Params, action: str) -> ChatMessage:
    chat = tg.resolve_chat(p.chat_id())
    message = tg.get_message(chat.id, p.require_int("message_id"))
    if message is None or message.deleted:
        raise bad_request(f"message to {action} not found")
    return message


def _input_file(tg: FakeTelegram, p: Params, key: str, kind: str) -> StoredFile:
    upload = p.files.get(key)
    value = p.get_str(key) or ""
    if upload is None and value.startswith("attach://"):
        upload = p.files.get(value.removeprefix("attach://"))
    if upload is not None:
        return tg.register_file(
            upload.data, kind, filename=upload.filename, mime_type=upload.content_type
        )
    if value in tg.files:
        return tg.files[value]
    if value.startswith(("http://", "https://")):
        return tg.register_file(None, kind, filename=value.rsplit("/", 1)[-1])
    raise bad_request("wrong file identifier/HTTP URL specified")


def _photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    size = stored.size
    return [
        {
            "file_id": f"{stored.file_id}-s",
            "file_unique_id": f"{stored.file_unique_id}s",
            "width": 90,
            "height": 90,
            "file_size": max(size // 10, 1),
        },
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1280,
            "height": 960,
            "file_size": size,
        },
    ]


def _document(stored: StoredFile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.filename:
        doc["file_name"] = stored.filename
    if stored.mime_type:
        doc["mime_type"] = stored.mime_type
    return doc


def _invoice_fields(p: Params) -> dict[str, Any]:
    title, description = p.require_str("title"), p.require_str("description")
    payload, currency = p.require_str("payload"), p.require_str("currency")
    if not 1 <= len(title) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID" if title else "title is empty")
    if not 1 <= len(description) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode()) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    prices = p.get_json("prices") or []
    if not prices:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    if currency == "XTR" and (len(prices) != 1 or p.get_str("provider_token")):
        raise bad_request("STARS_INVOICE_INVALID")
    total = sum(int(price["amount"]) for price in prices)
    if total <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    return {
        "title": title,
        "description": description,
        "payload": payload,
        "currency": currency,
        "prices": prices,
        "total_amount": total,
        "start_parameter": p.get_str("start_parameter") or "",
    }


# ---------------------------------------------------------------------- bot & webhook
@method("getMe")
async def get_me(tg: FakeTelegram, p: Params) -> Any:
    return {
        **tg.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
@method("close")
async def log_out(tg: FakeTelegram, p: Params) -> Any:
    return True


@method("getUpdates")
async def get_updates(tg: FakeTelegram, p: Params) -> Any:
    if tg.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
    timeout = max(p.get_int("timeout", 0) or 0, 0)
    allowed = p.get_json("allowed_updates")
    if allowed is not None:
        tg._allowed_updates = list(allowed) or None
    tg.confirm_updates(p.get_int("offset"))
    tg._poll_generation += 1
    generation = tg._poll_generation

    def ready() -> bool:
        return bool(tg._updates) or tg._closing or tg._poll_generation != generation

    if timeout:
        await tg.wait_until(ready, timeout)
    if tg._poll_generation != generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return tg.take_updates(limit)


@method("setWebhook")
async def set_webhook(tg: FakeTelegram, p: Params) -> Any:
    tg.webhook_url = p.require_str("url")
    if p.get_bool("drop_pending_updates"):
        tg.take_updates(len(tg._updates))
        tg._updates.clear()
    return True


@method("deleteWebhook")
async def delete_webhook(tg: FakeTelegram, p: Params) -> Any:
    tg.webhook_url = None
    if p.get_bool("drop_pending_updates"):
        tg.take_updates(len(tg._updates))
        tg._updates.clear()
    return True


@method("getWebhookInfo")
async def get_webhook_info(tg: FakeTelegram, p: Params) -> Any:
    return {
        "url": tg.webhook_url or "",
        "has_custom_certificate": False,
        "pending_update_count": len(tg._updates),
    }


# ---------------------------------------------------------------------- commands & menu
@method("setMyCommands")
async def set_my_commands(tg: FakeTelegram, p: Params) -> Any:
    from .server import commands_key

    commands = p.get_json("commands") or []
    for command in commands:
        if not _COMMAND_RE.match(str(command.get("command", "")).lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = commands_key(p.get_json("scope"), p.get_str("language_code"))
    tg.my_commands[key] = [
        {"command": str(c["command"]).lstrip("/"), "description": c["description"]}
        for c in commands
    ]
    return True


@method("deleteMyCommands")
async def delete_my_commands(tg: FakeTelegram, p: Params) -> Any:
    from .server import commands_key

    tg.my_commands.pop(commands_key(p.get_json("scope"), p.get_str("language_code")), None)
    return True


@method("getMyCommands")
async def get_my_commands(tg: FakeTelegram, p: Params) -> Any:
    return tg.commands(p.get_json("scope"), p.get_str("language_code") or "")


@method("setChatMenuButton")
async def set_chat_menu_button(tg: FakeTelegram, p: Params) -> Any:
    chat_id = p.get_int("chat_id")
    if chat_id is not None:
        tg.resolve_chat(chat_id)
    tg.menu_buttons[chat_id] = p.get_json("menu_button") or {"type": "default"}
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(tg: FakeTelegram, p: Params) -> Any:
    chat_id = p.get_int("chat_id")
    return tg.menu_buttons.get(chat_id) or tg.menu_buttons.get(None) or {"type": "default"}


# ---------------------------------------------------------------------- chats
@method("getChat")
async def get_chat(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.resolve_chat(p.chat_id())
    return {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


@method("getChatMember")
async def get_chat_member(tg: FakeTelegram, p: Params) -> Any:
    chat = tg.resolve_chat(p.chat_id())
    user_id = p.require_int("user_id")
    if user_id == tg.bot_id:
        user_data: dict[str, Any] = dict(tg.bot_user)
    elif user_id in tg.users:
        user_data = tg.users[user_id].to_api()
    else:
        raise bad_request("user not found")
    status = tg.chat_member_status.get((chat.id, user_id), "member")
    member: dict[str, Any] = {"status": status, "user": user_data}
    if status == "creator":
        member["is_anonymous"] = False
    if status == "kicked":
        member["until_date"] = 0
    return member


@method("sendChatAction")
async def send_chat_action(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    action = p.require_str("action")
    tg.emit("chat_action", chat.id, payload=ChatAction(chat.id, action))
    return True


# ---------------------------------------------------------------------- sending
@method("sendMessage")
async def send_message(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    text, entities = _message_text(p)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    content.update(_thread(tg, chat, p))
    content.update(_reply_to(tg, chat.id, p))
    message = tg.add_message(
        chat,
        content,
        reply_markup=_reply_markup(p),
        source_text=p.get_str("text"),
        parse_mode=p.get_str("parse_mode"),
    )
    return message.to_api()


@method("sendPhoto")
async def send_photo(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    caption = _caption(p)
    stored = _input_file(tg, p, "photo", "photo")
    content = {
        "photo": _photo_sizes(stored),
        **caption,
        **_thread(tg, chat, p),
        **_reply_to(tg, chat.id, p),
    }
    message = tg.add_message(
        chat,
        content,
        reply_markup=_reply_markup(p),
        file_bytes=stored.data,
        source_text=p.get_str("caption"),
        parse_mode=p.get_str("parse_mode"),
    )
    return message.to_api()


@method("sendDocument")
async def send_document(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    caption = _caption(p)
    stored = _input_file(tg, p, "document", "document")
    content = {
        "document": _document(stored),
        **caption,
        **_thread(tg, chat, p),
        **_reply_to(tg, chat.id, p),
    }
    message = tg.add_message(
        chat,
        content,
        reply_markup=_reply_markup(p),
        file_bytes=stored.data,
        source_text=p.get_str("caption"),
        parse_mode=p.get_str("parse_mode"),
    )
    return message.to_api()


def _copied_content(source: ChatMessage, action: str) -> dict[str, Any]:
    if source.deleted:
        raise bad_request(f"message to {action} not found")
    content = {k: v for k, v in source.to_api().items() if k in _CONTENT_KEYS}
    if not content:
        raise bad_request("message can't be copied")
    return content


@method("copyMessage")
async def copy_message(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    source_chat = tg.resolve_chat(p.chat_id("from_chat_id"))
    source = tg.get_message(source_chat.id, p.require_int("message_id"))
    if source is None:
        raise bad_request("message to copy not found")
    content = _copied_content(source, "copy")
    if p.has("caption") and "text" not in content:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption(p))
    content.update(_thread(tg, chat, p))
    content.update(_reply_to(tg, chat.id, p))
    message = tg.add_message(
        chat,
        content,
        reply_markup=_reply_markup(p),
        file_bytes=source.file_bytes,
        source_text=source.source_text if not p.has("caption") else p.get_str("caption"),
    )
    return {"message_id": message.message_id}


@method("forwardMessage")
async def forward_message(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    source_chat = tg.resolve_chat(p.chat_id("from_chat_id"))
    source = tg.get_message(source_chat.id, p.require_int("message_id"))
    if source is None:
        raise bad_request("message to forward not found")
    content = _copied_content(source, "forward")
    content["forward_origin"] = {
        "type": "user",
        "sender_user": source.raw["from"],
        "date": source.date,
    }
    content["forward_date"] = source.date
    message = tg.add_message(chat, content, file_bytes=source.file_bytes)
    return message.to_api()


# ---------------------------------------------------------------------- forum topics
FORUM_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


@method("createForumTopic")
async def create_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat = _forum(tg, p)
    name = p.get_str("name") or ""
    if not name.strip():
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_INVALID")
    color = p.get_int("icon_color") or FORUM_COLORS[0]
    if color not in FORUM_COLORS:
        raise bad_request("TOPIC_COLOR_INVALID")
    return tg.open_topic(chat, name, color).to_api()


@method("editForumTopic")
async def edit_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat, topic = _topic(tg, p)
    name = p.get_str("name")
    if name is not None:
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        if name == topic.name:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.name = name
        tg.topic_service_message(chat, topic, {"forum_topic_edited": {"name": name}})
    return True


@method("closeForumTopic")
async def close_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat, topic = _topic(tg, p)
    if topic.closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = True
    tg.topic_service_message(chat, topic, {"forum_topic_closed": {}})
    return True


@method("reopenForumTopic")
async def reopen_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat, topic = _topic(tg, p)
    if not topic.closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = False
    tg.topic_service_message(chat, topic, {"forum_topic_reopened": {}})
    return True


@method("deleteForumTopic")
async def delete_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat, topic = _topic(tg, p)
    topic.deleted = True
    for message in tg.messages(chat.id):
        if message.raw.get("message_thread_id") == topic.thread_id:
            message.deleted = True
    return True


# ---------------------------------------------------------------------- editing
def _apply_edit(
    tg: FakeTelegram,
    message: ChatMessage,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
    **extra: Any,
) -> Any:
    if not message.from_bot:
        raise bad_request("message can't be edited")
    current = {key: message.raw.get(key) for key in content}
    if current == content and _inline_markup(message.reply_markup) == _inline_markup(markup):
        raise bad_request(NOT_MODIFIED)
    for key, value in content.items():
        if value:
            message.raw[key] = value
        else:
            message.raw.pop(key, None)
    message.reply_markup = markup
    if _inline_markup(markup):
        message.raw["reply_markup"] = markup
    else:
        message.raw.pop("reply_markup", None)
    message.raw["edit_date"] = _now()
    message.edit_count += 1
    for key, value in extra.items():
        setattr(message, key, value)
    tg.emit("edit", message.chat_id, message=message.snapshot())
    return message.to_api()


@method("editMessageText")
async def edit_message_text(tg: FakeTelegram, p: Params) -> Any:
    if p.get_str("inline_message_id"):
        return True
    message = _find_message(tg, p, "edit")
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    text, entities = _message_text(p)
    return _apply_edit(
        tg,
        message,
        {"text": text, "entities": entities or None},
        _reply_markup(p),
        source_text=p.get_str("text"),
        parse_mode=p.get_str("parse_mode"),
    )


@method("editMessageCaption")
async def edit_message_caption(tg: FakeTelegram, p: Params) -> Any:
    if p.get_str("inline_message_id"):
        return True
    message = _find_message(tg, p, "edit")
    if "text" in message.raw or "invoice" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    caption = _caption(p)
    content = {
        "caption": caption.get("caption"),
        "caption_entities": caption.get("caption_entities"),
    }
    return _apply_edit(
        tg,
        message,
        content,
        _reply_markup(p),
        source_text=p.get_str("caption"),
        parse_mode=p.get_str("parse_mode"),
    )


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(tg: FakeTelegram, p: Params) -> Any:
    if p.get_str("inline_message_id"):
        return True
    message = _find_message(tg, p, "edit")
    return _apply_edit(tg, message, {}, _reply_markup(p))


@method("deleteMessage")
async def delete_message(tg: FakeTelegram, p: Params) -> Any:
    message = _find_message(tg, p, "delete")
    message.deleted = True
    tg.emit("delete", message.chat_id, message=message.snapshot())
    return True


# ---------------------------------------------------------------------- callbacks
@method("answerCallbackQuery")
async def answer_callback_query(tg: FakeTelegram, p: Params) -> Any:
    query_id = p.require_str("callback_query_id")
    user_id = tg._callback_queries.pop(query_id, None)
    if user_id is None:
        raise bad_request(QUERY_TOO_OLD)
    answer = CallbackAnswer(
        query_id=query_id,
        user_id=user_id,
        text=p.get_str("text"),
        show_alert=p.get_bool("show_alert"),
        url=p.get_str("url"),
        cache_time=p.get_int("cache_time"),
    )
    tg.callback_answers.append(answer)
    tg.emit("callback_answer", user_id, payload=answer)
    return True


# ---------------------------------------------------------------------- payments
@method("sendInvoice")
async def send_invoice(tg: FakeTelegram, p: Params) -> Any:
    chat = _target_chat(tg, p)
    fields = _invoice_fields(p)
    invoice = {
        key: fields[key]
        for key in ("title", "description", "start_parameter", "currency", "total_amount")
    }
    message = tg.add_message(
        chat,
        {"invoice": invoice, **_reply_to(tg, chat.id, p)},
        reply_markup=_reply_markup(p),
        invoice_payload=fields["payload"],
        invoice_prices=fields["prices"],
    )
    return message.to_api()


@method("createInvoiceLink")
async def create_invoice_link(tg: FakeTelegram, p: Params) -> Any:
    fields = _invoice_fields(p)
    link = f"https://t.me/$FakeInvoice{tg.next_id():06d}"
    tg.invoice_links[link] = fields
    return link


@method("answerPreCheckoutQuery")
async def answer_pre_checkout_query(tg: FakeTelegram, p: Params) -> Any:
    query_id = p.require_str("pre_checkout_query_id")
    ok = p.get_bool("ok")
    error_message = p.get_str("error_message")
    if not ok and not error_message:
        raise bad_request("ERROR_MESSAGE_EMPTY")
    user_id = tg._pre_checkout_queries.pop(query_id, None)
    if user_id is None:
        raise bad_request("QUERY_ID_INVALID")
    answer = PreCheckoutAnswer(query_id, user_id, ok, error_message)
    tg.pre_checkout_answers.append(answer)
    tg.emit("pre_checkout_answer", user_id, payload=answer)
    return True


@method("refundStarPayment")
async def refund_star_payment(tg: FakeTelegram, p: Params) -> Any:
    charge_id = p.require_str("telegram_payment_charge_id")
    payment = tg.payments.get(charge_id)
    if payment is None or payment.user_id != p.require_int("user_id"):
        raise bad_request("CHARGE_NOT_FOUND")
    if payment.refunded:
        raise bad_request("CHARGE_ALREADY_REFUNDED")
    payment.refunded = True
    tg.refunds.append(payment)
    return True


# ---------------------------------------------------------------------- files
@method("getFile")
async def get_file(tg: FakeTelegram, p: Params) -> Any:
    file_id = p.require_str("file_id")
    stored = tg.files.get(file_id) or tg.files.get(file_id.removesuffix("-s"))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
