"""Orders against a panel that answers badly (issue 14, points 5 and 8), end to end: the real
bot polling the fake Bot API, the fake panel over HTTP on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update

from bot.jobs.reconcile import hold_interrupted_orders
from bot.telegram.i18n import LRI, PDI
from storage.models import Order, OrderEvent, OrderState
from tests.e2e.harness import Shop, running_shop
from tests.e2e.test_orders import customer, make_order, view
from tests.e2e.test_wizard import CATALOG, catalog_panel, no_flood_limit
from tests.e2e.test_wizard_edges import _to_summary
from tests.test_submit_race import HookedPanel

__all__ = ["no_flood_limit"]  # the autouse fixture applies here too

CONFIRM = {"en": "✅ Confirm order", "ar": "✅ تأكيد الطلب"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_an_error_text_in_the_order_field_is_refunded_with_a_localized_reason(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        for telegram_id, language, expected in (
            (3401, "en", "the provider is temporarily unavailable"),
            (3402, "ar", "المزوّد غير متاح مؤقتًا"),
        ):
            buyer = await _to_summary(shop, telegram_id, language=language)
            shop.panel.respond("add", {"order": "Not enough funds on balance"})
            await buyer.click(CONFIRM[language])
            failed = await buyer.wait_message(contains=expected)
            assert "Not enough funds" not in failed.content  # never the panel's words
            assert "1.30 USD" in failed.content
            assert (await shop.user_row(telegram_id)).balance == Decimal("100")
        orders = await shop.orders()
        assert [(o.state, o.panel_order_id) for o in orders] == [("failed", None)] * 2
        assert all(o.refunded == o.charge == Decimal("1.30") for o in orders)
        assert len(shop.panel.requests_for("add")) == 2
        assert await shop.invariant_holds()


async def test_an_order_id_with_an_error_is_placed_and_polled(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        gus = await _to_summary(shop, 3403)
        shop.panel.respond("add", {"order": 777, "error": "Order created, check the link"})
        await gus.click(CONFIRM["en"])
        await gus.wait_message(contains="placed.")
        [order] = await shop.orders()
        assert (order.state, order.panel_order_id) == ("pending", "777")
        assert (await shop.user_row(3403)).balance == Decimal("98.70")
        # Polled like any other: the customer's Refresh asks the panel for order 777.
        shop.panel.set_order("777", "In progress", remains="500")
        await gus.send("/orders")
        listing = await gus.wait_message(contains="My orders")
        await gus.click(callback_data=view(order.id), message=listing)
        await gus.wait_edit(contains=f"Order #{order.id}")
        await gus.click("🔄 Refresh")
        await gus.wait_edit(contains="In progress")
        assert [r.fields["order"] for r in shop.panel.requests_for("status")] == ["777"]
        assert await shop.invariant_holds()


async def test_a_redirect_to_add_holds_the_order_for_review(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        admin = shop.admin()
        await admin.send("/start")
        await admin.wait_message(contains="🏪")
        hal = await _to_summary(shop, 3404)
        shop.panel.respond("add", "<html>Moved</html>", status=302, content_type="text/html")
        await hal.click(CONFIRM["en"])
        await hal.wait_message(contains="is being checked")
        await admin.wait_message(contains="needs review")
        [order] = await shop.orders()
        assert order.state == "review" and order.refunded == 0
        assert (await shop.user_row(3404)).balance == Decimal("98.70")  # held, not refunded
        assert len(shop.panel.requests_for("add")) == 1  # never sent twice
        assert await shop.invariant_holds()


async def test_an_arabic_customer_sees_a_panel_refusal_in_arabic_short_and_keyless(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        key = shop.panel.key
        raw = (
            f"Cancel failed for api key {key}: the order is being processed by our "
            "upstream provider and cannot be stopped at this stage, please contact "
            "support with your order number and the exact time of the request "
        ) * 2
        assert len(raw) > 300
        ida = await customer(shop, 3405, "ar")
        running = await make_order(shop, 3405, panel_order_id="23501", age=1)
        done = await make_order(shop, 3405, state=OrderState.COMPLETED, panel_order_id="23502")
        shop.panel.set_order("23501", "In progress")
        shop.panel.set_order("23502", "Completed", remains="0")
        shop.panel.cancel_errors["23501"] = raw
        shop.panel.refill_errors["23502"] = raw.replace("Cancel", "Refill")
        await ida.send("/orders")
        listing = await ida.wait_message(contains="طلباتي")

        await ida.click(callback_data=view(running), message=listing)
        await ida.wait_edit(contains=f"{LRI}#{running}{PDI}")
        await ida.click("✖️ إلغاء الطلب")
        await ida.wait_edit(contains="هل تريد إلغاء الطلب")
        await ida.click("✅ نعم، ألغِه")
        cancel = (await ida.wait_callback_answer()).text or ""

        await ida.click(callback_data=view(done), message=listing)
        await ida.wait_edit(contains=f"{LRI}#{done}{PDI}")
        await ida.click("♻️ إعادة تعبئة")
        refill = (await ida.wait_callback_answer()).text or ""

        for text, expected in (
            (cancel, "رفض المزوّد الإلغاء"),
            (refill, "رفض المزوّد إعادة التعبئة"),
        ):
            assert expected in text, text
            assert utf16_len(text) <= 200
            assert key not in text and "api key" not in text.lower()
            assert not any("a" <= char.lower() <= "z" for char in text), text  # all Arabic
        assert len(shop.panel.requests_for("cancel")) == 1
        assert len(shop.panel.requests_for("refill")) == 1


async def test_an_order_held_while_in_flight_is_placed_and_the_admins_told(
    tmp_path: Path,
) -> None:
    panel = HookedPanel()
    panel.set_catalog(CATALOG)
    async with running_shop(tmp_path, panel=panel) as shop:
        admin = shop.admin()
        await admin.send("/start")
        await admin.wait_message(contains="🏪")
        ivy = await _to_summary(shop, 3406)
        held: list[int] = []

        async def reconcile_wins() -> None:  # while the add request is in flight
            held.extend(await hold_interrupted_orders(shop.runtime.shop, timedelta(0)))

        panel.hook = reconcile_wins
        await ivy.click(CONFIRM["en"])
        await ivy.wait_message(contains="placed.")
        told = await admin.wait_message(contains="accepted by the panel after all")
        [order] = await shop.orders()
        assert held == [order.id]
        assert f"#{order.id}" in told.content and "23501" in told.content
        assert "do NOT refund" in told.content
        assert (order.state, order.panel_order_id) == ("pending", "23501")
        async with shop.sessions() as session:
            history = list(
                await session.scalars(
                    select(OrderEvent.to_state)
                    .where(OrderEvent.order_id == order.id)
                    .order_by(OrderEvent.id)
                )
            )
        assert history == ["submitting", "review", "pending"]
        assert len(panel.requests_for("add")) == 1
        assert (await shop.user_row(3406)).balance == Decimal("98.70")
        assert await shop.invariant_holds()


async def hold_with_panel_id(shop: Shop, order_id: int) -> None:
    async with shop.sessions() as session, session.begin():
        await session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(state="review", panel_status="Processing", error="bad status rows")
        )


async def test_review_shows_an_order_the_panel_accepted_and_warns_before_a_refund(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        await customer(shop, 3407, "en")
        accepted = await make_order(shop, 3407, panel_order_id="55502", age=1)
        unsent = await make_order(shop, 3407, panel_order_id="x")
        await hold_with_panel_id(shop, accepted)
        async with shop.sessions() as session, session.begin():
            await session.execute(
                update(Order).where(Order.id == unsent).values(state="review", panel_order_id=None)
            )
        admin = shop.admin()
        await admin.send("/admin")
        await admin.wait_message(contains="Admin console")
        await admin.click("⏸ Held for review")
        listing = await admin.wait_edit(contains="Held for review")
        assert f"#{accepted} · 1.00 USD · ✅ panel 55502" in listing.button_texts
        assert not any(
            "panel" in label for label in listing.button_texts if label.startswith(f"#{unsent} ")
        )
        await admin.click(callback_data=f"ax:o:{accepted}:0", message=listing)
        await admin.wait_edit(contains=f"Order #{accepted}")
        await admin.click("💸 Refund in full")
        confirm = await admin.wait_edit(contains="Refund")
        assert "The panel accepted this order" in confirm.text
        assert "55502" in confirm.text and "Processing" in confirm.text
        await admin.click(callback_data=f"ax:o:{unsent}:0", message=listing)
        await admin.wait_edit(contains=f"Order #{unsent}")
        await admin.click("💸 Refund in full")
        plain = await admin.wait_edit(contains="Refund")
        assert "The panel accepted" not in plain.text
