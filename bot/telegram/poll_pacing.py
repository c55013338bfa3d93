"""Long polling that lets updates gather under load.

aiogram asks for the next updates the moment a getUpdates call returns, so under a steady
stream each call brings one or two updates, and the call itself (a request, a JSON answer
validated into Update models) costs about as much as handling one. After a call that
brought updates, this waits GATHER seconds before the next one: a few milliseconds of
latency for updates arriving in that gap, in exchange for one call per several updates.
An idle bot (the last call brought nothing) asks again at once, as before.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.telegram.request_chain import forward


class PollPacing(BaseRequestMiddleware):
    GATHER = 0.01

    def __init__(self) -> None:
        self._busy = False

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        polling = isinstance(method, GetUpdates)  # a name, so `method` keeps its generic type
        if not polling:
            return await forward(make_request, bot, method)
        if self._busy:
            await asyncio.sleep(self.GATHER)
        updates = await forward(make_request, bot, method)
        self._busy = bool(updates)
        return updates
