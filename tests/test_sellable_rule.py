"""What is sellable and how the global markup applies are each defined once: the catalog the
customer browses, the price of an order and `sellable_service` agree on both."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import OrderRequest, ServiceType
from bot.shop import catalog, ordering
from bot.shop.catalog_view import load_view
from tests.test_catalog_view import RULES, seed

Sessions = async_sessionmaker[AsyncSession]


async def test_view_pricing_and_reader_agree_on_sellable_and_markup(sessions: Sessions) -> None:
    ids = await seed(sessions)
    async with sessions() as session:
        view = await load_view(session)
        for key, service_id in ids.items():
            sellable = service_id in view.services
            assert sellable == (key in {"ig dear", "ig cheap", "likes"})
            assert (await catalog.sellable_service(session, service_id) is not None) == sellable
            if not sellable:
                with pytest.raises(ordering.ServiceUnavailable):
                    await ordering.price(
                        session,
                        RULES,
                        service_id,
                        OrderRequest("x", ServiceType.DEFAULT, link="https://x.io/p", quantity=100),
                    )
                continue
            request = OrderRequest(
                view.services[service_id].panel_service_id,
                ServiceType.DEFAULT,
                link="https://x.io/p",
                quantity=100,
            )
            priced = await ordering.price(session, RULES, service_id, request)
            in_view = ordering.price_in_view(view, RULES, service_id, request)
            assert priced.quote == in_view.quote
    assert view.rules(RULES).default_markup_percent == Decimal(50)
