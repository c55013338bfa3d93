"""The next step of aiogram's request-middleware chain, typed as it behaves.

aiogram annotates the chain (`NextRequestMiddlewareType`) as returning `Response[T]`, but its
sessions' `make_request` return the result itself (`BaseSession.__call__` casts it back to `T`).
Our request middlewares pass that result through or look at it, so they call the chain here,
where the one cast lives, and are typed with what they really get.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
    from aiogram.methods import TelegramMethod


async def forward(
    make_request: NextRequestMiddlewareType[TelegramType],
    bot: Bot,
    method: TelegramMethod[TelegramType],
) -> TelegramType:
    """Run the rest of the chain; the method's result (not a Response wrapper)."""
    return cast(TelegramType, await make_request(bot, method))
