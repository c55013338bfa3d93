"""aiogram routers, one module per area. Handlers parse, call the domain, render; nothing else."""

from __future__ import annotations

from aiogram import Router


def build_router() -> Router:
    from handlers import (
        admin,
        admin_credit,
        admin_growth,
        admin_transfers,
        balance,
        broadcast,
        catalog,
        fallback,
        growth,
        order_again,
        orders,
        paste_link,
        payments,
        start,
        stats,
        support,
        topups,
        wizard,
    )

    root = Router(name="root")
    # The support group's messages are the staff's: nothing else answers them.
    root.include_router(support.staff_router())
    root.include_router(start.router())
    # Payments early: successful_payment/refunded_payment must beat any step's catch-all.
    root.include_router(payments.router())
    # Support mode takes what the customer types before the catalog's search can.
    root.include_router(support.router())
    root.include_router(topups.router())  # crypto and transfers: states of their own
    root.include_router(admin_transfers.router())
    root.include_router(catalog.router())
    root.include_router(wizard.router())
    # A link with no step in progress lists the services for it: before search takes it.
    root.include_router(paste_link.router())
    # Plain text with no step in progress = search. Every other text handler needs a command
    # or a state of its own, so search can come before them (fewer routers per search).
    root.include_router(catalog.search_router())
    root.include_router(orders.router())
    root.include_router(order_again.router())
    root.include_router(balance.router())
    root.include_router(growth.router())  # /invite, /promo
    root.include_router(admin_credit.router())
    root.include_router(admin.router())  # the console: /admin, /refund, /user, /order
    root.include_router(admin_growth.router())  # admin: /newpromo, /promos
    root.include_router(broadcast.router())  # admin: /broadcast
    root.include_router(stats.router())  # admin: /stats
    # Must stay last: answers whatever no other handler took.
    root.include_router(fallback.router())
    return root
