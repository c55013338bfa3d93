"""Order again end to end: an order's card → the summary pre-filled at today's price, in both
languages; a disabled service and bounds changed since the order are explained."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from storage.models import Order, Service
from tests.e2e.harness import Shop, running_shop
from tests.e2e.test_wizard import (
    LINK,
    answer,
    catalog_panel,
    label,
    new_customer,
    no_flood_limit,
    open_service,
)
from tests.fakes.bot_api import FakeUser

__all__ = ["no_flood_limit"]  # the wizard tests' fixture, used here too (autouse)

TEXT = {
    "en": {
        "again": "🔁 Order again",
        "notice": "Same as order #{}, at today's price.",
        "unavailable": "Order #{} cannot be repeated",
        "bounds": "it now takes 2,000 to 10,000",
        "not-found": "Order not found.",
    },
    "ar": {
        "again": "🔁 اطلب مجددًا",
        "notice": "مثل الطلب \u2066#{}\u2069، بسعر اليوم.",
        "unavailable": "لا يمكن تكرار الطلب \u2066#{}\u2069",
        "bounds": "أصبحت تقبل من 2,000 إلى 10,000",
        "not-found": "الطلب غير موجود",
    },
}


async def place(customer: FakeUser, name: str, steps: list[tuple[str, str]], language: str) -> str:
    await open_service(customer, name, language)
    for action, value in steps:
        reply = await answer(customer, action, value, language)
        assert "⚠️" not in reply, reply
    await customer.click(label(language, "confirm"))
    return (await customer.wait_message(contains=label(language, "placed"))).content


async def open_card(customer: FakeUser, order_id: int) -> None:
    await customer.send("/orders")
    listing = await customer.wait_message()
    await customer.click(callback_data=f"o:v:{order_id}:0", message=listing)
    await customer.wait_edit(contains=str(order_id))


async def set_service(shop: Shop, panel_service_id: str, **values: Any) -> None:
    """An admin's edit of the service (the catalog in memory is refreshed, as their edit does)."""
    async with shop.sessions() as session, session.begin():
        await session.execute(
            update(Service).where(Service.panel_service_id == panel_service_id).values(**values)
        )
    shop.runtime.shop.catalog.invalidate()


async def own_orders(shop: Shop, telegram_id: int) -> list[Order]:
    user = await shop.user_row(telegram_id)
    return sorted((o for o in await shop.orders() if o.user_id == user.id), key=lambda o: o.id)


DRIP_STEPS = [("send", LINK), ("num", "100"), ("click", "yes"), ("num", "3"), ("num", "15")]


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_order_again_repriced_summary_then_confirm(tmp_path: Path, language: str) -> None:
    text = TEXT[language]
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        buyer = await new_customer(shop, 7101, language)
        await place(buyer, "Followers Dripfeed", DRIP_STEPS, language)
        [first] = await own_orders(shop, 7101)
        assert first.charge == Decimal("0.39")
        await set_service(shop, "102", rate=Decimal("2.00"))  # the price went up since

        await open_card(buyer, first.id)
        await buyer.click(text["again"])
        summary = await buyer.wait_edit(contains=label(language, "summary"))
        assert text["notice"].format(first.id) in summary.content
        assert label(language, "price").format("0.78 USD") in summary.content  # today's
        if language == "en":
            assert "3 runs, every 15 min — 300 in total" in summary.content
            assert f"Link: {LINK}" in summary.content
        await buyer.click(label(language, "confirm"))
        await buyer.wait_message(contains=label(language, "placed"))

        first, second = await own_orders(shop, 7101)
        assert (
            second.params
            == first.params
            == {
                "link": LINK,
                "quantity": 100,
                "runs": 3,
                "interval": 15,
            }
        )
        assert second.charge == Decimal("0.78")
        assert second.request_key != first.request_key  # a new order, not a replay
        adds = [r.fields for r in shop.panel.requests_for("add")]
        assert adds[0] == adds[1]  # the panel got the same order twice
        user = await shop.user_row(7101)
        assert user.balance == Decimal("100") - Decimal("0.39") - Decimal("0.78")
        assert await shop.invariant_holds()


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_order_again_of_a_disabled_service_says_why(tmp_path: Path, language: str) -> None:
    text = TEXT[language]
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        buyer = await new_customer(shop, 7102, language)
        await place(buyer, "Followers Plain", [("send", LINK), ("num", "1000")], language)
        [order] = await own_orders(shop, 7102)
        await set_service(shop, "101", enabled=False)

        await open_card(buyer, order.id)
        card = buyer.last_message
        await buyer.click(text["again"])
        refused = await buyer.wait_callback_answer()
        assert refused.show_alert
        assert text["unavailable"].format(order.id) in (refused.text or "")
        await buyer.expect_no_message()
        assert card is not None and buyer.last_message is not None
        assert buyer.last_message.content == card.content  # the card stays as it was
        assert len(await own_orders(shop, 7102)) == 1

        # Someone else's order, or a forged id, is "not found", never repeated.
        await buyer.click(callback_data="oa:999999", message=card)
        forged = await buyer.wait_callback_answer()
        assert forged.show_alert and text["not-found"] in (forged.text or "")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_order_again_outside_todays_bounds_asks_the_quantity(
    tmp_path: Path, language: str
) -> None:
    text = TEXT[language]
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        buyer = await new_customer(shop, 7103, language)
        await place(buyer, "Followers Plain", [("send", LINK), ("num", "1000")], language)
        [order] = await own_orders(shop, 7103)
        await set_service(shop, "101", min_quantity=2000)

        await open_card(buyer, order.id)
        await buyer.click(text["again"])
        prompt = await buyer.wait_edit(contains=text["bounds"])
        assert label(language, "back") in prompt.button_texts  # the wizard, at the quantity step
        reply = await answer(buyer, "num", "1000", language)
        assert "⚠️" in reply  # still outside today's bounds
        reply = await answer(buyer, "num", "2000", language)
        assert label(language, "summary") in reply
        assert label(language, "price").format("2.60 USD") in reply
        if language == "en":
            assert f"Link: {LINK}" in reply  # the link was kept
        await buyer.click(label(language, "confirm"))
        await buyer.wait_message(contains=label(language, "placed"))
        _, again = await own_orders(shop, 7103)
        assert again.params == {"link": LINK, "quantity": 2000}
