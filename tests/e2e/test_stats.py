"""/stats and the console's Stats button end to end: the figures, then the chart as a photo."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.shop.catalog import display_name
from bot.telegram.i18n import LRI, PDI
from storage.models import Order, OrderState, Service
from tests.e2e.harness import running_shop
from tests.e2e.test_orders import make_order
from tests.test_stats import check_png


async def test_stats_command_and_button_in_both_languages(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(3001, "en")
        await bob.send("/start")
        await bob.wait_message(contains="Main menu")
        await shop.fund(3001, "10")
        await make_order(shop, 3001, state=OrderState.COMPLETED)
        await make_order(shop, 3001, panel_order_id="23502", state=OrderState.PENDING)
        failed = await make_order(shop, 3001, panel_order_id="23503", state=OrderState.FAILED)
        async with shop.sessions() as session, session.begin():
            order = await session.get(Order, failed)
            assert order is not None
            order.refunded = order.charge
            service = await session.scalar(select(Service).where(Service.panel_service_id == "1"))
            assert service is not None
            name = display_name(service, "en")

        admin = shop.admin()
        await admin.send("/stats")
        text = await admin.wait_message(contains="Shop statistics")
        lines = text.text.splitlines() if text.text else []
        assert "👤 Users: 2 · active: 2 · new today: 2 · 7 days: 2 · 30 days: 2" in lines
        today = lines.index("Today: 3 orders")
        # Revenue: 1.00 + 1.00 (the failed one was refunded); cost 0.90 × 2 at rate 1.
        assert lines[today + 1].strip() == "revenue 2.00 USD · cost 1.80 USD · profit 0.20 USD"
        assert "✅ Completed: 1" in lines and "❌ Failed: 1" in lines
        assert f"1. {name}: 2.00 USD (3 orders)" in lines
        photo = await admin.wait_message(where=lambda m: m.photo is not None)
        assert photo.caption is not None and "orders per day" in photo.caption
        assert photo.photo_bytes is not None
        check_png(photo.photo_bytes)

        await admin.send("/language")
        await admin.wait_message(contains="Choose your language")
        await admin.click(callback_data="l:ar")
        await admin.wait_callback_answer()
        await admin.click(callback_data="a:stats", message=text)
        arabic = await admin.wait_edit(contains="إحصاءات المتجر")
        assert f"الإيرادات {LRI}2.00 USD{PDI}" in (arabic.text or "")
        photo = await admin.wait_message(where=lambda m: m.photo is not None)
        assert photo.caption is not None and "الطلبات في اليوم" in photo.caption
        assert photo.photo_bytes is not None
        check_png(photo.photo_bytes)
