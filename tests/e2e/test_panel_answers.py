"""Issue 15, points 3-5 end to end: the real bot over the fake Bot API and a fake panel that
answers in the shapes and words real panels use. Customers get localized texts, never the
panel's answer; admins get the panel's word."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.jobs.scheduler import ShopScheduler
from tests.e2e.harness import running_shop
from tests.e2e.test_orders import customer, make_order, view
from tests.e2e.test_wizard import catalog_panel, no_flood_limit
from tests.e2e.test_wizard_edges import _to_summary

__all__ = ["no_flood_limit"]  # the autouse fixture applies here too

CANCELED = {"en": "was canceled by the provider", "ar": "ألغى المزوّد الطلب"}
REQUESTED = {"en": "Cancellation requested for order", "ar": "تم طلب إلغاء الطلب"}
UNCONFIRMED = {
    "en": "The provider did not confirm the cancellation",
    "ar": "لم يؤكّد المزوّد الإلغاء",
}
YES = {"en": "✅ Yes, cancel it", "ar": "✅ نعم، ألغِه"}
CANCEL = {"en": "✖️ Cancel order", "ar": "✖️ إلغاء الطلب"}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_failed_order_is_refunded_once_and_admins_told(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path) as shop:
        buyer = await customer(shop, 5001, language, funds="5")
        admin = shop.admin()
        order_id = await make_order(shop, 5001, panel_order_id="601")
        shop.panel.set_order("601", "Fail", remains="1000")
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)

        await scheduler.run_statuses()
        await scheduler.run_statuses()  # a second cycle changes nothing and tells nobody

        told = await buyer.wait_message(contains=CANCELED[language])
        assert str(order_id) in told.text and "1.00" in told.text
        alert = await admin.wait_message(contains="gave up")
        assert f"#{order_id}" in alert.text and "“Fail”" in alert.text
        assert "1.00 USD returned" in alert.text
        await buyer.expect_no_message(quiet=0.3)
        [stored] = await shop.orders()
        assert stored.state == "canceled" and stored.refunded == Decimal("1.00")
        assert (await shop.user_row(5001)).balance == Decimal("5.00")  # 5 − 1 + 1
        assert await shop.invariant_holds()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    ("answer", "texts"),
    [
        ([{"order": "602", "cancel": {"status": "Canceled"}}], REQUESTED),
        ({"status": "success"}, REQUESTED),
        ([{"order": "602", "cancel": {"state": "queued?"}}], UNCONFIRMED),
    ],
)
async def test_cancel_answer_shapes_reach_the_customer_localized(
    tmp_path: Path,
    language: str,
    answer: object,
    texts: dict[str, str],
) -> None:
    async with running_shop(tmp_path) as shop:
        buyer = await customer(shop, 5002, language)
        order_id = await make_order(shop, 5002, panel_order_id="602")
        shop.panel.set_order("602", "In progress")
        shop.panel.respond("cancel", answer)
        await buyer.send("/orders")
        listing = await buyer.wait_message(contains=str(order_id))

        await buyer.click(callback_data=view(order_id), message=listing)
        await buyer.wait_edit(contains=str(order_id))
        await buyer.click(CANCEL[language])
        await buyer.wait_edit(contains=str(order_id))
        await buyer.click(YES[language])
        answer_shown = await buyer.wait_callback_answer()

        text = answer_shown.text or ""
        assert texts[language] in text
        for raw in ("{", "}", "Canceled", "success", "queued"):
            assert raw not in text  # never the panel's answer
        assert len(shop.panel.requests_for("cancel")) == 1
        [stored] = await shop.orders()
        assert stored.state == "pending" and stored.refunded == 0  # refund follows the status


@pytest.mark.parametrize(
    ("error", "alert", "customer_text"),
    [
        (
            "The selected key is invalid.",
            "refused the shop's API key",
            "the provider is temporarily unavailable",
        ),
        (
            "You don't have sufficient balance.",
            "is out of funds",
            "the provider is temporarily unavailable",
        ),
    ],
)
async def test_a_bad_key_or_empty_panel_on_add_alerts_admins_once(
    tmp_path: Path,
    error: str,
    alert: str,
    customer_text: str,
) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        admin = shop.admin()
        for telegram_id in (5101, 5102):
            buyer = await _to_summary(shop, telegram_id)
            shop.panel.respond("add", {"error": error}, 422)
            await buyer.click("✅ Confirm order")
            failed = await buyer.wait_message(contains=customer_text)
            assert error not in failed.content  # the customer never sees the panel's words
        told = await admin.wait_message(contains=alert)
        assert error in told.text and "Panel main" in told.text and "(add)" in told.text
        assert shop.panel.key not in told.text
        await admin.expect_no_message(quiet=0.3)  # the second refusal: no second alert
        assert len(shop.panel.requests_for("add")) == 2
        assert await shop.invariant_holds()


async def test_a_cancel_refused_for_panel_funds_alerts_admins(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        buyer = await customer(shop, 5201, "ar")
        admin = shop.admin()
        order_id = await make_order(shop, 5201, panel_order_id="603")
        shop.panel.set_order("603", "In progress")
        shop.panel.respond(
            "cancel", [{"order": 603, "cancel": {"error": "You don't have sufficient balance."}}]
        )
        await buyer.send("/orders")
        listing = await buyer.wait_message(contains=str(order_id))
        await buyer.click(callback_data=view(order_id), message=listing)
        await buyer.wait_edit(contains=str(order_id))
        await buyer.click(CANCEL["ar"])
        await buyer.wait_edit(contains=str(order_id))
        await buyer.click(YES["ar"])
        shown = await buyer.wait_callback_answer()
        assert "رفض المزوّد الإلغاء" in (shown.text or "")
        assert "balance" not in (shown.text or "")
        told = await admin.wait_message(contains="is out of funds")
        assert "(cancel)" in told.text and "sufficient balance" in told.text
