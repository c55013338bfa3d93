"""Fake Telegram Bot API server + simulated users for end-to-end tests of the aiogram bot."""

from .models import (
    BotEvent,
    Button,
    CallbackAnswer,
    ChatAction,
    ChatInfo,
    ChatMessage,
    FaultRule,
    ForumTopic,
    PreCheckoutAnswer,
    RecordedRequest,
    StarPayment,
    Stats,
    StoredFile,
)
from .params import ApiError
from .server import FakeTelegram, iter_users
from .users import FakeUser

__all__ = [
    "ApiError",
    "BotEvent",
    "Button",
    "CallbackAnswer",
    "ChatAction",
    "ChatInfo",
    "ChatMessage",
    "FakeTelegram",
    "FakeUser",
    "FaultRule",
    "ForumTopic",
    "PreCheckoutAnswer",
    "RecordedRequest",
    "StarPayment",
    "Stats",
    "StoredFile",
    "iter_users",
]
