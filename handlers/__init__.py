"""aiogram routers, one module per area. Handlers parse, call the domain, render; nothing else."""

from __future__ import annotations

from aiogram import Router

from bot.context import Shop


def build_router(shop: Shop) -> Router:
    from handlers import admin_credit, balance, catalog, fallback, orders, start, wizard

    root = Router(name="root")
    root.include_router(start.router())
    root.include_router(catalog.router())
    root.include_router(wizard.router())
    root.include_router(orders.router())
    root.include_router(balance.router())
    root.include_router(admin_credit.router())
    root.include_router(catalog.search_router())  # plain text = search; after all other areas
    # Must stay last: answers whatever no other handler took.
    root.include_router(fallback.router())
    return root
