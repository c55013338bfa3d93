"""Browsing the catalog and searching it, in both languages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from bot.telegram.i18n import LRI, PDI
from storage.models import Category
from tests.e2e.harness import running_shop
from tests.e2e.test_wizard import catalog_panel, new_customer, no_flood_limit

__all__ = ["no_flood_limit"]  # the autouse fixture applies here too


def texts(message: object) -> list[str]:
    return [b.text for row in message.buttons for b in row]  # type: ignore[attr-defined]


async def test_categories_services_pages_and_card_in_english(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        ann = await new_customer(shop, 4001, funds=None)
        await ann.click("🛒 New order")
        cats = await ann.wait_edit(contains="Choose a category (4 categories)")
        assert texts(cats) == ["Instagram", "Telegram", "TikTok", "YouTube", "🏠 Main menu"]
        await ann.click("Instagram")
        page1 = await ann.wait_edit(contains="Instagram — 8 services")
        assert (
            "1. Followers Plain\n💵 1.30 USD per 1000 · 🔢 10–10,000\n♻️ Refill · 🚫 Cancel"
        ) in page1.content
        assert "💵 6.50 USD per package" in page1.content  # Starter Package
        assert (
            "2. Followers Dripfeed\n💵 1.30 USD per 1000 · 🔢 10–10,000\n💧 Drip-feed"
            in page1.content
        )
        assert texts(page1)[-5:] == [
            "6. Starter Package",
            "1/2",
            "▶️",
            "⬅️ Back",
            "🏠 Main menu",
        ]  # cheapest first
        await ann.click("▶️")
        page2 = await ann.wait_edit(contains="7. Comments Custom")
        assert "8. Mentions List" in page2.content
        assert texts(page2)[-4:] == ["◀️", "2/2", "⬅️ Back", "🏠 Main menu"]
        await ann.click("◀️")
        await ann.wait_edit(contains="1. Followers Plain")
        await ann.click("1. Followers Plain")
        card = await ann.wait_edit(contains="Price: 1.30 USD per 1000")
        assert "Order from 10 to 10,000" in card.content
        assert "Real-looking followers" in card.content
        assert texts(card) == ["🛒 Order", "⬅️ Back", "🏠 Main menu"]
        await ann.click("⬅️ Back")
        await ann.wait_edit(contains="Instagram — 8 services")
        await ann.click("⬅️ Back")
        await ann.wait_edit(contains="Choose a category")
        await ann.click("TikTok")
        tiktok = await ann.wait_edit(contains="TikTok — 2 services")
        assert "⚠️ Not available to order" in tiktok.content
        await ann.click("2. Mystery Thing")
        odd = await ann.wait_edit(contains="cannot be ordered")
        assert texts(odd) == ["⬅️ Back", "🏠 Main menu"]
        # A forged Order button of the unknown type is refused, nothing starts.
        orders_before = await shop.orders()
        await ann.click(callback_data="by:18", message=odd)
        assert "no longer available" in ((await ann.wait_callback_answer()).text or "")
        await ann.click(callback_data="by:99999", message=odd)
        assert "no longer available" in ((await ann.wait_callback_answer()).text or "")
        assert await shop.orders() == orders_before == []


async def test_search_and_arabic_plurals_and_isolation(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        bea = await new_customer(shop, 4002, funds=None)
        await bea.send("mentions")
        found = await bea.wait_message(contains="Search results (6 services)")
        assert "1. Mentions Basic" in texts(found)
        await bea.send("zzz-nothing")
        assert "No service matches “zzz-nothing”" in (await bea.wait_message()).content

        sami = await new_customer(shop, 4003, "ar", funds=None)
        await sami.click("🛒 طلب جديد")
        cats = await sami.wait_edit(contains="اختر قسمًا")
        assert "4 أقسام" in cats.content
        for name, plural in (
            ("TikTok", "خدمتان"),
            ("Telegram", "3 خدمات"),
            ("YouTube", "5 خدمات"),
            ("Instagram", "8 خدمات"),
        ):
            await sami.click(name)
            page = await sami.wait_edit(contains=plural)
            assert f"{LRI}1.30 USD{PDI} لكل 1000" in page.content
            await sami.click("➡️ رجوع")
            await sami.wait_edit(contains="اختر قسمًا")
        await sami.send("comment")
        results = await sami.wait_message(contains="نتائج البحث")
        assert "4 خدمات" in results.content  # Comments ×2, Comment Likes, Comment Replies


async def test_a_renamed_category_is_seen_on_the_same_page(tmp_path: Path) -> None:
    """The category page keyboard is kept rendered: after an admin's rename (which invalidates
    the catalog), the very same page shows the new name, and the old one again once reverted."""
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        ann = await new_customer(shop, 4003, funds=None)
        await ann.click("🛒 New order")
        cats = await ann.wait_edit(contains="Choose a category (4 categories)")
        assert texts(cats)[0] == "Instagram"

        async def rename(name: str | None) -> None:
            async with shop.sessions() as session, session.begin():
                await session.execute(
                    update(Category).where(Category.name == "Instagram").values(name_en=name)
                )
            shop.runtime.shop.catalog.invalidate()  # as the admin console does

        await rename("Instagram ✨")
        await ann.click("Telegram")  # leave the page, come back to it
        await ann.wait_edit(contains="Telegram —")
        await ann.click("⬅️ Back")
        renamed = await ann.wait_edit(contains="Choose a category (4 categories)")
        assert texts(renamed) == ["Instagram ✨", "Telegram", "TikTok", "YouTube", "🏠 Main menu"]
        await rename(None)
        await ann.click("Telegram")
        await ann.wait_edit(contains="Telegram —")
        await ann.click("⬅️ Back")
        back = await ann.wait_edit(contains="Choose a category (4 categories)")
        assert texts(back) == texts(cats)
