"""Public entry point of the fake Telegram Bot API (implementation in ``tests.fakes.telegram``).

async with FakeTelegram(token="123:ABC") as tg:
    bot = tg.make_bot()
    alice = tg.user(1001, first_name="Alice")
    await alice.send("/start")
    msg = await alice.wait_message(contains="Welcome")
"""

from tests.fakes.telegram import (
    ApiError,
    BotEvent,
    Button,
    CallbackAnswer,
    ChatAction,
    ChatInfo,
    ChatMessage,
    FakeTelegram,
    FakeUser,
    FaultRule,
    PreCheckoutAnswer,
    RecordedRequest,
    StarPayment,
    Stats,
    StoredFile,
    iter_users,
)

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
    "PreCheckoutAnswer",
    "RecordedRequest",
    "StarPayment",
    "Stats",
    "StoredFile",
    "iter_users",
]
