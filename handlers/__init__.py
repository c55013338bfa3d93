"""aiogram routers, one module per area. Handlers parse, call the domain, render; nothing else."""

from __future__ import annotations

from aiogram import Router

from bot.context import Shop


def build_router(shop: Shop) -> Router:
    from handlers import fallback, start

    root = Router(name="root")
    root.include_router(start.router())
    # Must stay last: answers whatever no other handler took.
    root.include_router(fallback.router())
    return root
