"""My orders end to end: list, pagination, details, refresh, refill, cancel, forged buttons."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from bot.shop import ledger
from bot.telegram.i18n import LRI, PDI
from storage.models import LedgerKind, Order, OrderState, Refill, Service
from storage.types import utcnow
from tests.e2e.harness import Shop, running_shop
from tests.fakes.panel_server import Fault
from tests.fakes.telegram import FakeUser


async def make_order(
    shop: Shop,
    telegram_id: int,
    *,
    panel_service_id: str = "1",
    state: OrderState = OrderState.PENDING,
    panel_order_id: str = "23501",
    age: int = 0,
) -> int:
    """An order of 1000 for 1.00 USD, paid through the ledger, as the wizard leaves it."""
    user = await shop.user_row(telegram_id)
    async with shop.sessions() as session, session.begin():
        service = await session.scalar(
            select(Service).where(Service.panel_service_id == panel_service_id)
        )
        assert service is not None, "the catalog is synced from the fake panel at startup"
        order = Order(
            user_id=user.id,
            service_id=service.id,
            panel_id=service.panel_id,
            panel_order_id=panel_order_id,
            state=state.value,
            link="https://instagram.com/p/x",
            quantity=1000,
            charge=Decimal("1.00"),
            cost=Decimal("0.9"),
            request_key=f"test:{telegram_id}:{panel_order_id}:{age}",
            created_at=utcnow() - timedelta(minutes=age),
        )
        session.add(order)
        await session.flush()
        await ledger.apply(
            session,
            user_id=user.id,
            amount=Decimal("-1.00"),
            kind=LedgerKind.ORDER,
            key=f"order:{order.id}",
            reference=f"order:{order.id}",
        )
        return order.id


async def customer(shop: Shop, telegram_id: int, language: str, funds: str = "20") -> FakeUser:
    user = shop.customer(telegram_id, language)
    await user.send("/start")
    await user.wait_message(contains="🏪")
    await shop.fund(telegram_id, funds)
    return user


def view(order_id: int, page: int = 0) -> str:
    return f"o:v:{order_id}:{page}"


async def test_list_pages_and_details_in_english(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = await customer(shop, 1001, "en")
        ids = [
            await make_order(shop, 1001, panel_order_id=str(100 + i), age=10 - i) for i in range(7)
        ]
        await alice.send("/orders")
        first = await alice.wait_message(contains="My orders — 7 orders")
        assert "Page 1 of 2" in first.text
        order_buttons = [b.data for row in first.buttons for b in row if b.data.startswith("o:v")]
        assert order_buttons == [view(i) for i in ids[::-1][:5]]  # newest first
        assert f"#{ids[-1]} · 🕒 Pending · Followers" in first.button_texts
        await alice.click("Next ➡️")
        second = await alice.wait_edit(contains="Page 2 of 2")
        assert [b.data for row in second.buttons for b in row if b.data.startswith("o:v")] == [
            view(ids[1], 1),
            view(ids[0], 1),
        ]
        await alice.click(callback_data=view(ids[0], 1))
        details = await alice.wait_edit(contains=f"Order #{ids[0]}")
        for line in (
            "Service: Followers",
            "Link: https://instagram.com/p/x",
            "Quantity: 1,000",
            "Charge: 1.00 USD",
            "Status: 🕒 Pending",
            "Start count: —",
            "Refunded: 0.00 USD",
            "Created: 20",
        ):
            assert line in details.text
        # Service 1 allows refill and cancel; a pending order can only be canceled.
        assert details.button_texts == [
            "🔄 Refresh",
            "✖️ Cancel order",
            "🔁 Order again",
            "⬅️ My orders",
            "🏠 Main menu",
        ]
        await alice.click("⬅️ My orders")
        await alice.wait_edit(contains="Page 2 of 2")


async def test_empty_list_and_menu_button_in_arabic(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = await customer(shop, 1002, "ar")
        await sara.click("📦 طلباتي")
        empty = await sara.wait_edit(contains="لا توجد لديك طلبات")
        assert "🛒 طلب جديد" in empty.button_texts
        for i in range(2):
            await make_order(shop, 1002, panel_order_id=str(200 + i), age=i)
        await sara.send("/orders")
        listing = await sara.wait_message(contains="طلباتي")
        assert "طلبان" in listing.text  # Arabic dual


async def test_refresh_unreachable_then_partial_refund_in_arabic(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = await customer(shop, 1003, "ar")
        order_id = await make_order(shop, 1003)
        shop.panel.set_order("23501", "In progress", remains="1000")
        await sara.send("/orders")
        listing = await sara.wait_message(contains="طلباتي")
        await sara.click(callback_data=view(order_id), message=listing)
        await sara.wait_edit(contains="🕒 قيد الانتظار")
        shop.panel.inject(Fault.HTML_502, action="status", times=2)  # one retry
        await sara.click("🔄 تحديث")
        unreachable = await sara.wait_callback_answer()
        assert "تعذّر الاتصال بالمزوّد" in (unreachable.text or "")
        assert (await shop.orders())[0].state == "pending"

        shop.panel.set_order("23501", "Partial", remains="500", start_count="40")
        await sara.click("🔄 تحديث")
        refunded = await sara.wait_callback_answer()
        assert f"{LRI}0.50 USD{PDI}" in (refunded.text or "")
        details = await sara.wait_edit(contains="مكتمل جزئيًا")
        assert f"المتبقي: {LRI}500{PDI}" in details.text
        assert f"المبلغ المسترد: {LRI}0.50 USD{PDI}" in details.text
        assert "♻️ إعادة تعبئة" in details.button_texts  # partial + refill service
        assert (await shop.user_row(1003)).balance == Decimal("19.50")
        assert await shop.invariant_holds()


async def test_refill_and_cancel_only_when_allowed(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await customer(shop, 1004, "en")
        done = await make_order(shop, 1004, state=OrderState.COMPLETED, panel_order_id="301", age=3)
        running = await make_order(shop, 1004, panel_order_id="302", age=2)
        no_refill = await make_order(
            shop,
            1004,
            panel_service_id="2",
            state=OrderState.COMPLETED,
            panel_order_id="303",
            age=1,
        )
        refused = await make_order(shop, 1004, state=OrderState.PARTIAL, panel_order_id="304")
        for panel_id in ("301", "302", "303", "304"):
            shop.panel.set_order(panel_id, "In progress")
        shop.panel.refill_errors["304"] = "Refill is not available yet"
        await bob.send("/orders")
        listing = await bob.wait_message(contains="4 orders")

        await bob.click(callback_data=view(no_refill), message=listing)
        details = await bob.wait_edit(contains=f"Order #{no_refill}")
        assert details.button_texts == [
            "🔄 Refresh",
            "🔁 Order again",
            "⬅️ My orders",
            "🏠 Main menu",
        ]

        await bob.click(callback_data=view(done), message=listing)
        details = await bob.wait_edit(contains=f"Order #{done}")
        assert "✖️ Cancel order" not in details.button_texts
        await bob.click("♻️ Refill")
        answer = await bob.wait_callback_answer()
        assert answer.text == (
            f"♻️ Refill requested for order #{done}. The provider will restore what dropped."
        )
        assert [r.fields for r in shop.panel.requests_for("refill")] == [
            {"action": "refill", "order": "301"}
        ]

        await bob.click(callback_data=view(refused), message=listing)
        await bob.wait_edit(contains=f"Order #{refused}")
        await bob.click("♻️ Refill")
        answer = await bob.wait_callback_answer()
        # The customer's words for the error's kind, never the panel's own.
        assert (
            answer.text == "The provider refused the refill: this order cannot be refilled "
            "right now."
        )

        await bob.click(callback_data=view(running), message=listing)
        details = await bob.wait_edit(contains=f"Order #{running}")
        assert "♻️ Refill" not in details.button_texts
        await bob.click("✖️ Cancel order")
        await bob.wait_edit(contains=f"Cancel order #{running}?")
        await bob.click("✅ Yes, cancel it")
        answer = await bob.wait_callback_answer()
        assert (answer.text or "").startswith(f"✖️ Cancellation requested for order #{running}")
        assert [r.fields for r in shop.panel.requests_for("cancel")] == [
            {"action": "cancel", "orders": "302"}
        ]
        async with shop.sessions() as session:
            refills = list(await session.scalars(select(Refill)))
            state = await session.scalar(select(Order.state).where(Order.id == running))
        assert [(r.order_id, r.state) for r in refills] == [
            (done, "pending"),
            (refused, "rejected"),
        ]
        assert state == "pending"  # the refund waits for the panel's Canceled status
        assert (await shop.user_row(1004)).balance == Decimal("16.00")


async def test_foreign_or_unknown_order_is_not_found(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        await customer(shop, 1005, "en")
        alices = await make_order(shop, 1005)
        shop.panel.set_order("23501", "In progress")
        mallory = await customer(shop, 1006, "ar")
        await mallory.send("/orders")
        own = await mallory.wait_message(contains="لا توجد لديك طلبات")
        for data in (
            view(alices),
            f"o:r:{alices}:0",
            f"o:f:{alices}:0",
            f"o:c:{alices}:0",
            f"o:cy:{alices}:0",
            "o:v:999999:0",
        ):
            await mallory.click(callback_data=data, message=own)
            answer = await mallory.wait_callback_answer()
            assert answer.text == "الطلب غير موجود.", data
        await mallory.click(callback_data="o:v:not-a-number:0", message=own)
        stale = await mallory.wait_callback_answer()
        assert "لم يعد فعّالًا" in (stale.text or "")
        assert shop.panel.requests_for("status") == []
        assert shop.panel.requests_for("cancel") == []
        assert shop.panel.requests_for("refill") == []
