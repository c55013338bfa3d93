"""Builders for jobs tests: a Shop without Telegram, and orders already placed on a panel."""

from __future__ import annotations

import itertools
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.context import Shop
from bot.panel import PanelRegistry, PanelSpec
from bot.shop import catalog, ledger, orders
from bot.telegram.i18n import Translator, make_core
from storage.models import Category, LedgerKind, Order, OrderState, Service, User

_ids = itertools.count(1)


async def make_shop(
    sessions: async_sessionmaker[AsyncSession],
    panels: dict[str, str],
    *,
    panel_timeout: float = 2.0,
    **settings: object,
) -> Shop:
    """panels: name → URL (all with the fake panel's default key); panel_timeout: the clients'."""
    config = load_settings(bot_token="1:x" + "y" * 30, panel_url="sandbox", **settings)
    core = make_core()
    await core.startup()
    registry = PanelRegistry(
        [PanelSpec(name, url, "test-key-0123456789") for name, url in panels.items()],
        timeout=panel_timeout,
        connect_timeout=1.0,
        retries=1,
        backoff=0.01,
    )
    shop = Shop(config, sessions, registry, Translator(core))
    async with sessions() as session, session.begin():
        for client in registry:
            await catalog.ensure_panel(
                session, name=client.name, url=client.url, dialect=client.dialect, is_sandbox=False
            )
    return shop


async def make_customer(
    sessions: async_sessionmaker[AsyncSession],
    balance: str = "1000",
    language: str = "en",
    telegram_id: int | None = None,
) -> User:
    async with sessions() as session, session.begin():
        user = User(telegram_id=telegram_id or 10_000 + next(_ids), language=language)
        session.add(user)
        await session.flush()
        await ledger.apply(
            session,
            user_id=user.id,
            amount=Decimal(balance),
            kind=LedgerKind.CREDIT,
            key=f"seed:{user.id}",
        )
    return user


async def make_service(
    sessions: async_sessionmaker[AsyncSession],
    panel_name: str,
    *,
    refill: bool = True,
    cancel: bool = True,
    panel_service_id: str = "1",
) -> Service:
    from sqlalchemy import select

    from storage.models import Panel

    async with sessions() as session, session.begin():
        panel = await session.scalar(select(Panel).where(Panel.name == panel_name))
        assert panel is not None
        category = await session.scalar(select(Category).where(Category.name == "Followers"))
        if category is None:
            category = Category(name="Followers")
            session.add(category)
            await session.flush()
        service = Service(
            panel_id=panel.id,
            panel_service_id=f"{panel_service_id}-{next(_ids)}",
            category_id=category.id,
            name="Instagram Followers",
            type="default",
            raw_type="Default",
            rate=Decimal("0.9"),
            min_quantity=10,
            max_quantity=10_000,
            refill=refill,
            cancel=cancel,
        )
        session.add(service)
        await session.flush()
    return service


async def place_order(
    sessions: async_sessionmaker[AsyncSession],
    user: User,
    service: Service,
    panel_order_id: str,
    *,
    charge: str = "10.00",
    quantity: int = 1000,
    state: OrderState = OrderState.PENDING,
) -> Order:
    """An order as ordering.submit leaves it: debited, placed, open."""
    async with sessions() as session, session.begin():
        order = Order(
            user_id=user.id,
            service_id=service.id,
            panel_id=service.panel_id,
            panel_order_id=panel_order_id,
            state=state.value,
            link="https://instagram.com/x",
            quantity=quantity,
            params={"link": "https://instagram.com/x", "quantity": quantity},
            charge=Decimal(charge),
            cost=Decimal("0.9"),
            request_key=f"test:{next(_ids)}",
        )
        session.add(order)
        await session.flush()
        if Decimal(charge) > 0:
            await ledger.apply(
                session,
                user_id=user.id,
                amount=-Decimal(charge),
                kind=LedgerKind.ORDER,
                key=f"order:{order.id}",
            )
        await orders.record_created(session, order)
    return order
