"""Issue 18, the rough edges of a first day with the shop, end to end over the fake Bot API and
the fake panel: badges and package wording, quantity and link refusals, admin amounts, the
placing message, cancel once requested, and continuing an order after a top-up or a credit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.telegram.i18n import LRI, PDI
from bot.telegram.middlewares import throttling
from storage.models import Panel, Service
from tests.e2e.harness import running_shop
from tests.e2e.test_admin_console import arabic_admin
from tests.e2e.test_orders import customer, make_order
from tests.e2e.test_wizard import LINK, _svc, label, new_customer, open_service
from tests.fakes.panel_server import FakePanel

CATALOG: list[dict[str, Any]] = [
    _svc(1, "Followers Plain", "Default", refill=True, cancel=True),
    _svc(2, "Profile Package", "Package", rate="5", lo=1, hi=1),
]


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated customers click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


def polish_panel() -> FakePanel:
    panel = FakePanel()
    panel.set_catalog(CATALOG)
    return panel


TEXT = {
    "en": {
        "cancellable": "🚫 Cancellable",
        "package_line": "📦 one package",
        "package_card": "📦 Sold as one package",
        "range": "⚠️ The number must be from",
        "link_chars": '⚠️ A link cannot contain <, > or ".',
    },
    "ar": {
        "cancellable": "🚫 قابل للإلغاء",
        "package_line": "📦 باقة واحدة",
        "package_card": "📦 تُباع كباقة واحدة",
        "range": "⚠️ يجب أن يكون العدد من",
        "link_chars": "⚠️ لا يمكن أن يحتوي الرابط على",
    },
}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_badges_and_package_wording(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer = await new_customer(shop, 8001, language)
        await buyer.send("Followers Plain")
        found = await buyer.wait_message(contains="Followers Plain")
        assert TEXT[language]["cancellable"] in found.content
        await buyer.send("Profile Package")
        found = await buyer.wait_message(contains="Profile Package")
        assert TEXT[language]["package_line"] in found.content
        assert "1–1" not in found.content
        await buyer.click("1. Profile Package")
        card = await buyer.wait_edit(contains="Profile Package")
        assert TEXT[language]["package_card"] in card.content
        assert "🔢" not in card.content


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_links_with_markup_characters_are_refused(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer = await new_customer(shop, 8002, language)
        await open_service(buyer, "Followers Plain", language)
        for bad in (
            'https://instagram.com/p/a"><b>x',
            "https://instagram.com/<script>",
            "https://instagram.com/p/a>b",
        ):
            await buyer.send(bad)
            refused = await buyer.wait_message(contains=TEXT[language]["link_chars"])
            assert "⚠️" in refused.content
        await buyer.send(LINK)
        await buyer.wait_message()
        assert shop.panel.requests_for("add") == []


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_quantity_of_twenty_digits_gets_the_range(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer = await new_customer(shop, 8005, language)
        await open_service(buyer, "Followers Plain", language)
        await buyer.send(LINK)
        await buyer.wait_message()
        digits = "1" * 20 if language == "en" else "١" * 20
        await buyer.send(digits)
        refused = await buyer.wait_message(contains=TEXT[language]["range"])
        assert "⚠️" in refused.content
        assert shop.panel.requests_for("add") == []


ADMIN_COST = {
    "en": ("Cost on the panel: 0.90 EUR", "Charge: 1.00 USD"),
    "ar": (f"التكلفة في اللوحة: {LRI}0.90 EUR{PDI}", f"السعر: {LRI}1.00 USD{PDI}"),
}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_admin_order_cost_names_the_panel_currency_with_fixed_decimals(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        await customer(shop, 8003, language)
        order_id = await make_order(shop, 8003, panel_order_id="66601")  # cost 0.9
        async with shop.sessions() as session, session.begin():
            await session.execute(update(Panel).values(currency="EUR"))
        admin = await arabic_admin(shop) if language == "ar" else shop.admin()
        await admin.send(f"/order {order_id}")
        card = await admin.wait_message(contains="66601")
        for line in ADMIN_COST[language]:
            assert line in card.text, card.text


async def test_admin_balance_threshold_and_rate_have_their_currency(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=polish_panel(), low_balance_alert="200") as shop:
        admin = shop.admin()
        await admin.send("/admin")
        await admin.wait_message(contains="Admin console")
        await admin.click("💳 Panel balances")
        screen = await admin.wait_edit(contains="Panel balances")
        assert "main: 100.84292 USD · 🔻 low (below 200.00 USD)" in screen.text


# -- placing and cancel --------------------------------------------------------------------------

PLACED = {"en": "placed.", "ar": "تم تقديم الطلب"}
CONFIRM = {"en": "✅ Confirm order", "ar": "✅ تأكيد الطلب"}
CANCEL = {
    "en": ("✖️ Cancel order", "✅ Yes, cancel it", "Cancellation requested", "is already requested"),
    "ar": ("✖️ إلغاء الطلب", "✅ نعم، ألغِه", "تم طلب إلغاء الطلب", "سبق أن طلبت إلغاء"),
}


@pytest.mark.parametrize(
    ("language", "panel_seconds"), [("en", 0.0), ("ar", 0.0), ("en", 1.0), ("ar", 1.0)]
)
async def test_placing_message_leaves_the_chat_once_the_outcome_is_there(
    tmp_path: Path, language: str, panel_seconds: float
) -> None:
    panel = polish_panel()
    panel.action_latency["add"] = panel_seconds
    async with running_shop(tmp_path, panel=panel) as shop:
        buyer = await new_customer(shop, 8101, language)
        await open_service(buyer, "Followers Plain", language)
        await buyer.send(LINK)
        await buyer.wait_message()
        await buyer.send("100" if language == "en" else "١٠٠")
        summary = await buyer.wait_message(contains=label(language, "summary"))
        await buyer.click(CONFIRM[language], message=summary)
        outcome = await buyer.wait_message(contains=PLACED[language])
        gone = await buyer.wait_delete()
        assert gone.message_id == summary.message_id  # "Placing order #N…" went
        assert outcome.message_id != summary.message_id and not outcome.deleted
        alive = [m.content for m in buyer.messages if m.from_bot and not m.deleted]
        assert not any("⏳" in text for text in alive), alive
        # "Placing order #N…" shows only while a slow panel is asked: a quick one never makes it
        # flash by. Either way the button is answered once, and the notice comes before the outcome.
        placing = [call for call in shop.tg.calls("editMessageText") if "⏳" in call.params["text"]]
        assert len(placing) == (1 if panel_seconds else 0)
        answers = [
            call.params["callback_query_id"] for call in shop.tg.calls("answerCallbackQuery")
        ]
        assert answers.count(answers[-1]) == 1  # the Confirm tap, answered once
        calls = [call.method for call in shop.tg.requests if call.method != "getUpdates"]
        if placing:
            assert calls.index("editMessageText") < calls.index("deleteMessage")
            outcome_sent = max(i for i, method in enumerate(calls) if method == "sendMessage")
            assert calls.index("editMessageText") < outcome_sent


PENDING = {
    "en": "✖️ Cancellation requested: waiting for the provider",
    "ar": "✖️ تم طلب الإلغاء: بانتظار تأكيد المزوّد",
}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_cancel_is_not_offered_again_once_requested(tmp_path: Path, language: str) -> None:
    cancel, yes, requested, already = CANCEL[language]
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer = await customer(shop, 8102, language)
        order_id = await make_order(shop, 8102, panel_order_id="77701")
        shop.panel.set_order("77701", "In progress")
        await buyer.send("/orders")
        listing = await buyer.wait_message()
        await buyer.click(callback_data=f"o:v:{order_id}:0", message=listing)
        card = await buyer.wait_edit()
        assert cancel in card.button_texts
        await buyer.click(cancel)
        await buyer.wait_edit()
        await buyer.click(yes)
        answer = await buyer.wait_callback_answer()
        assert requested in (answer.text or "")
        card = await buyer.wait_edit()
        assert cancel not in card.button_texts  # the refreshed card
        assert PENDING[language] in card.content
        # The panel now says it is completed; an old card's buttons are pressed again.
        shop.panel.cancel_errors["77701"] = "Order already completed"
        for data in (f"o:c:{order_id}:0", f"o:cy:{order_id}:0"):
            await buyer.click(callback_data=data, message=listing)
            again = await buyer.wait_callback_answer()
            assert already in (again.text or ""), again.text
            assert "already completed" not in (again.text or "")
        assert len(shop.panel.requests_for("cancel")) == 1  # asked once


# -- short of money at the summary -----------------------------------------------------------------

SHORT = {
    "en": {
        "topup": "💰 Top up balance",
        "screen": "Top up your balance",
        "receipt": "Payment received",
        "continue": "🛒 Continue your order",
        "credit": "was added",
        "missing": "Not enough balance",
    },
    "ar": {
        "topup": "💰 شحن الرصيد",
        "screen": "شحن الرصيد",
        "receipt": "تم استلام الدفعة",
        "continue": "🛒 أكمل طلبك",
        "credit": "أضاف المتجر",
        "missing": "الرصيد غير كافٍ",
    },
}


async def short_summary(shop: Any, telegram_id: int, language: str) -> Any:
    """A customer with 0.05 at the summary of a 0.13 order: no Confirm, a Top up button."""
    buyer = await new_customer(shop, telegram_id, language, funds="0.05")
    await open_service(buyer, "Followers Plain", language)
    await buyer.send(LINK)
    await buyer.wait_message()
    await buyer.send("100" if language == "en" else "١٠٠")
    summary = await buyer.wait_message(contains=SHORT[language]["missing"])
    assert CONFIRM[language] not in summary.button_texts
    assert SHORT[language]["topup"] in summary.button_texts
    return buyer, summary


async def continue_and_confirm(buyer: Any, notice: Any, language: str) -> None:
    assert SHORT[language]["continue"] in notice.button_texts
    await buyer.click(SHORT[language]["continue"], message=notice)
    again = await buyer.wait_message(contains=label(language, "summary"))
    assert CONFIRM[language] in again.button_texts  # one tap from the order
    await buyer.click(CONFIRM[language], message=again)
    await buyer.wait_message(contains=PLACED[language])


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_top_up_from_the_summary_then_continue_the_order(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer, summary = await short_summary(shop, 8201, language)
        await buyer.click(SHORT[language]["topup"], message=summary)
        screen = await buyer.wait_message(contains=SHORT[language]["screen"])
        assert screen.message_id != summary.message_id  # below it: the summary is kept
        assert label(language, "summary") in summary.content and summary.edit_count == 0
        await buyer.click(callback_data="tp:5.00", message=screen)
        invoice = await buyer.wait_message(where=lambda m: m.invoice is not None)
        await buyer.pay(invoice)
        receipt = await buyer.wait_message(contains=SHORT[language]["receipt"])
        await continue_and_confirm(buyer, receipt, language)
        [order] = await shop.orders()
        assert order.state == "pending"
        assert await shop.invariant_holds()


async def test_a_typed_top_up_amount_keeps_the_waiting_order(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer, summary = await short_summary(shop, 8205, "ar")
        await buyer.click(SHORT["ar"]["topup"], message=summary)
        screen = await buyer.wait_message(contains=SHORT["ar"]["screen"])
        await buyer.click(callback_data="tp:custom", message=screen)
        await buyer.wait_edit()
        await buyer.send("٥")
        invoice = await buyer.wait_message(where=lambda m: m.invoice is not None)
        await buyer.pay(invoice)
        receipt = await buyer.wait_message(contains=SHORT["ar"]["receipt"])
        await continue_and_confirm(buyer, receipt, "ar")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_an_admin_credit_offers_to_continue_the_order(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer, _ = await short_summary(shop, 8202, language)
        admin = shop.admin()
        await admin.send("/credit 8202 5")
        await admin.wait_message(contains="applied")
        notice = await buyer.wait_message(contains=SHORT[language]["credit"])
        await continue_and_confirm(buyer, notice, language)
        assert len(shop.panel.requests_for("add")) == 1


async def test_a_credit_without_a_waiting_summary_has_no_button(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        buyer = await new_customer(shop, 8203, "en", funds=None)
        admin = shop.admin()
        await admin.send("/credit 8203 5")
        notice = await buyer.wait_message(contains="was added")
        assert notice.button_texts == []


async def test_admin_service_card_rate_names_the_panel_currency(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=polish_panel()) as shop:
        async with shop.sessions() as session, session.begin():
            await session.execute(update(Panel).values(currency="EUR"))
            service_id = await session.scalar(
                select(Service.id).where(Service.panel_service_id == "1")
            )
        admin = shop.admin()
        await admin.send("/admin")
        menu = await admin.wait_message(contains="Admin console")
        await admin.click(callback_data=f"ax:sv:{service_id}:0", message=menu)
        card = await admin.wait_edit(contains="Shop price:")
        assert "Panel rate: 1.00 EUR per 1000" in card.text, card.text


async def test_an_admin_credit_offers_to_continue_with_redis_state(tmp_path: Path) -> None:
    """The customer's FSM read from the admin's update works on Redis storage too."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it)")
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    pattern = "fsm:8204:8204:*"  # this test's customer only; never a flush
    stale = [key async for key in client.scan_iter(match=pattern)]
    if stale:
        await client.delete(*stale)
    try:
        async with running_shop(tmp_path, panel=polish_panel(), redis_url=url) as shop:
            buyer, _ = await short_summary(shop, 8204, "en")
            admin = shop.admin()
            await admin.send("/credit 8204 5")
            await admin.wait_message(contains="applied")
            notice = await buyer.wait_message(contains="was added")
            await continue_and_confirm(buyer, notice, "en")
    finally:
        keys = [key async for key in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)
        await client.aclose()
