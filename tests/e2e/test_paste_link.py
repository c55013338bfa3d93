"""Paste a link to order, end to end: a link sent outside the wizard lists the services for its
platform and kind (names in English or Arabic), choosing one continues the wizard after the link
step; no match points to the catalog; the wizard's own link step and search are untouched."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.harness import running_shop
from tests.e2e.test_wizard import _svc, label, new_customer, no_flood_limit, open_service
from tests.fakes.panel_server import FakePanel

__all__ = ["no_flood_limit"]  # the wizard tests' fixture, used here too (autouse)

REEL = "https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=MWQ1ZGUxMzBkMA=="
CATALOG = [
    _svc(201, "Followers HQ", "Default", category="Instagram Followers"),
    _svc(202, "Likes Fast", "Default", category="Instagram Likes"),
    _svc(203, "Reel Views", "Default", category="Instagram Views"),
    _svc(204, "Auto Likes IG", "Subscriptions", category="Instagram Likes"),  # no link step
    _svc(205, "مشاهدات فيديو", "Default", category="خدمات تيك توك"),
    _svc(206, "متابعين حساب", "Default", category="خدمات تيك توك"),
    _svc(207, "Telegram Members", "Default", category="Telegram"),
]


def link_panel() -> FakePanel:
    panel = FakePanel()
    panel.set_catalog(CATALOG)
    return panel


async def test_a_pasted_reel_lists_its_services_and_the_wizard_continues(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=link_panel()) as shop:
        buyer = await new_customer(shop, 7201, "en")
        await buyer.send(REEL)
        listing = await buyer.wait_message(contains="🔗")
        assert "Instagram" in listing.content and "video" in listing.content
        assert "2 services for this link" in listing.content
        assert listing.button_texts == [
            "1. Likes Fast",
            "2. Reel Views",
            "🛒 New order",
            "🏠 Main menu",
        ]
        await buyer.click("1. Likes Fast")
        prompt = await buyer.wait_edit(contains="How many?")  # the step after the link
        assert "Likes Fast" in prompt.content
        await buyer.send("500")
        summary = await buyer.wait_message(contains=label("en", "summary"))
        assert f"Link: {REEL}" in summary.content
        await buyer.click(label("en", "confirm"))
        await buyer.wait_message(contains=label("en", "placed"))
        [add] = shop.panel.requests_for("add")
        assert add.fields == {"action": "add", "service": "202", "link": REEL, "quantity": "500"}
        [order] = await shop.orders()
        assert order.charge == Decimal("0.65")

        # A profile address (no scheme, as customers paste it) offers the followers.
        await buyer.send("instagram.com/some.user/")
        profile = await buyer.wait_message(contains="🔗")
        assert "profile" in profile.content
        assert profile.button_texts[0] == "1. Followers HQ"
        assert "1 service for this link" in profile.content


async def test_a_pasted_tiktok_short_link_in_arabic(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=link_panel()) as shop:
        buyer = await new_customer(shop, 7202, "ar")
        await buyer.send("شوف هذا https://vm.tiktok.com/ZMabcdEF/")
        listing = await buyer.wait_message(contains="🔗")
        assert "تيك توك" in listing.content and "فيديو" in listing.content
        assert "خدمة واحدة لهذا الرابط" in listing.content  # the Arabic singular
        assert listing.button_texts[0] == "1. مشاهدات فيديو"
        assert "1. متابعين حساب" not in listing.button_texts
        await buyer.click("1. مشاهدات فيديو")
        await buyer.wait_edit(contains="كم العدد؟")
        await buyer.send("٢٠٠")
        summary = await buyer.wait_message(contains=label("ar", "summary"))
        assert "https://vm.tiktok.com/ZMabcdEF/" in summary.content


@pytest.mark.parametrize(
    ("language", "none", "catalog"),
    [
        ("en", "No service for this link yet", "🛒 New order"),
        ("ar", "لا توجد خدمة لهذا الرابط", "🛒 طلب جديد"),
    ],
)
async def test_no_service_for_a_link_points_to_the_catalog(
    tmp_path: Path, language: str, none: str, catalog: str
) -> None:
    async with running_shop(tmp_path, panel=link_panel()) as shop:
        buyer = await new_customer(shop, 7203, language)
        for link in (
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "https://example.com/x",
        ):
            await buyer.send(link)
            reply = await buyer.wait_message(contains=none)
            assert catalog in reply.button_texts
        await buyer.click(catalog)
        categories = await buyer.wait_edit()
        assert "Instagram Followers" in categories.button_texts


async def test_the_wizards_link_step_and_search_still_win(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=link_panel()) as shop:
        buyer = await new_customer(shop, 7204, "en")
        await buyer.send("Likes")  # plain text is still a search
        await buyer.wait_message(contains="Search results")
        await open_service(buyer, "Telegram Members")
        await buyer.send("https://t.me/durov")  # in the wizard: the link step's answer
        reply = await buyer.wait_message()
        assert "How many?" in reply.content and "services for this link" not in reply.content


async def test_a_button_under_an_older_links_list_is_refused(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=link_panel()) as shop:
        buyer = await new_customer(shop, 7205, "en")
        await buyer.send(REEL)
        first = await buyer.wait_message(contains="🔗")
        await buyer.send("https://www.instagram.com/some.user")
        await buyer.wait_message(contains="🔗")
        await buyer.click("1. Likes Fast", message=first)
        stale = await buyer.wait_callback_answer()
        assert stale.show_alert and "older link" in (stale.text or "")
        assert shop.panel.requests_for("add") == []
