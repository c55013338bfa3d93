"""The admin console end to end, in both languages, over the fake Bot API and a fake panel:
rights, balances, users (credit/debit, bans), /refund, /order, review resolution, catalog."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.jobs.statuses import poll_statuses
from bot.shop import shop_settings
from bot.telegram.i18n import LRI, PDI
from bot.telegram.middlewares import throttling
from storage.models import AuditLog, Category, LedgerEntry, Order, Service
from tests.e2e.harness import Shop, running_shop
from tests.e2e.test_orders import customer, make_order
from tests.fakes.panel_server import Fault
from tests.fakes.telegram import FakeUser

ADMIN_COMMANDS = (
    "/admin",
    "/refund 1",
    "/refund 1 0.5",
    "/user 1",
    "/user @x",
    "/order 1",
    "/order",
)
FORGED = (
    "a:home",
    "a:balances",
    "a:users",
    "a:orders",
    "a:review",
    "a:catalog",
    "ax:bal:0:0",
    "ax:u:1:0",
    "ax:uc:1:0",
    "ax:ub:1:0",
    "ax:o:1:0",
    "ax:rv:0:0",
    "ax:ra:1:0",
    "ax:rf:1:0",
    "ax:ry:1:0",
    "ax:cs:0:0",
    "ax:cg:0:0",
    "ax:cl:0:0",
    "ax:cc:1:0",
    "ax:ct:1:0",
    "ax:st:1:0",
    "ax:sm:1:0",
    "ax:sa:1:0",
    "ax:x:0:0",
)


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated admins click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


async def audit_actions(shop: Shop) -> list[tuple[str, str | None]]:
    async with shop.sessions() as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(row.action, row.target) for row in rows]


async def order_row(shop: Shop, order_id: int) -> Order:
    async with shop.sessions() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def hold_for_review(shop: Shop, order_id: int) -> None:
    async with shop.sessions() as session, session.begin():
        await session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(state="review", panel_order_id=None, error="timeout while sending")
        )


async def test_non_admins_find_no_admin_surface(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        for telegram_id, language, unknown, stale in (
            (3001, "en", "I did not understand that", "This button is no longer active"),
            (3002, "ar", "لم أفهم", "هذا الزر لم يعد"),
        ):
            user = await customer(shop, telegram_id, language)
            order_id = await make_order(shop, telegram_id, panel_order_id=str(telegram_id))
            for command in (*ADMIN_COMMANDS, f"/refund {order_id}"):
                await user.send(command)
                answer = await user.wait_message()
                assert unknown in answer.text, (command, answer.text)
            anchor = user.last_message
            for data in FORGED:
                await user.click(callback_data=data, message=anchor)
                reply = await user.wait_callback_answer()
                assert reply.text is not None and stale in reply.text and reply.show_alert
            await user.expect_no_message(quiet=0.2)
        assert await audit_actions(shop) == []
        assert all(order.refunded == 0 for order in await shop.orders())


async def arabic_admin(shop: Shop) -> FakeUser:
    """The owner switches the bot to Arabic, as a person would."""
    admin = shop.admin("ar")
    await admin.send("/language")
    await admin.wait_message()
    await admin.click("العربية 🇸🇦")
    await admin.wait_edit()
    return admin


async def open_console(admin: FakeUser, title: str) -> None:
    await admin.send("/admin")
    await admin.wait_message(contains=title)


async def test_balances_users_credit_and_ban_in_english(tmp_path: Path) -> None:
    async with running_shop(tmp_path, low_balance_alert="200") as shop:
        bob = await customer(shop, 3101, "en", funds="5")
        await make_order(shop, 3101, panel_order_id="4444")
        admin = shop.admin()
        await open_console(admin, "Admin console")
        await admin.click("💳 Panel balances")
        screen = await admin.wait_edit(contains="Panel balances")
        assert "main: 100.84292 USD · 🔻 low (below 200.00 USD)" in screen.text
        shop.panel.inject(Fault.HTTP_500, "balance", times=5)
        await admin.click("🔄 Refresh")
        stale = await admin.wait_edit(contains="last known")
        assert "100.84292 USD" in stale.text

        await admin.click("🛠 Admin console")
        await admin.wait_edit(contains="Admin console")
        await admin.click("👤 Users")
        await admin.wait_edit(contains="Telegram ID or @username")
        await admin.send("@nobody_here")
        await admin.wait_message(contains="No customer matches")
        await admin.send("3101")  # the prompt stayed
        card = await admin.wait_message(contains="Balance: 4.00 USD")
        assert "Status: ✅ active" in card.text and "#" in card.text and "order" in card.text
        await admin.click("➕ Credit")
        await admin.wait_edit(contains="How much to credit")
        await admin.send("-3")
        await admin.wait_message(contains="Send a positive amount")
        await admin.send("2.5")
        await admin.wait_message(contains="Now send the reason")
        reason = await admin.send("goodwill")
        await admin.wait_message(contains="✅ +2.50 USD applied to 3101. New balance: 6.50 USD")
        note = await bob.wait_message(contains="was added")
        assert "Note: goodwill" in note.text
        # Replayed: the prompt is over, so it is plain text now, and the key moves nothing.
        await admin.push_update({"message": reason.to_api()})
        await bob.expect_no_message(quiet=0.3)
        await admin.click("➖ Debit")
        await admin.wait_edit(contains="How much to debit")
        await admin.send("10")
        await admin.wait_message(contains="reason")
        await admin.send("typo")
        await admin.wait_message(contains="Refused")
        await admin.click("⛔ Ban")
        assert (await admin.wait_callback_answer()).text == "⛔ Banned."
        await admin.wait_edit(contains="Status: ⛔ banned")
        await bob.send("/menu")
        await bob.wait_message(contains="suspended")
        await admin.click("✅ Unban")
        await admin.wait_edit(contains="Status: ✅ active")
        await admin.send("/user")
        await admin.wait_message(contains="Usage: /user TELEGRAM_ID")
        assert (await shop.user_row(3101)).balance == Decimal("6.50")
        assert [a for a, _ in await audit_actions(shop)] == ["credit", "user.ban", "user.unban"]
        assert await shop.invariant_holds()


async def test_refund_command_once_capped_and_notified_in_arabic(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = await customer(shop, 3201, "ar", funds="5")
        order_id = await make_order(shop, 3201)  # 1.00 USD, pending
        admin = shop.admin()
        command = await admin.send(f"/refund {order_id} 0.40")
        done = await admin.wait_message(contains="Refunded 0.40 USD")
        assert "Status: 🕒 Pending. Still refundable: 0.60 USD" in done.text
        note = await sara.wait_message(contains="أعاد المتجر")
        assert f"{LRI}0.40 USD{PDI}" in note.text and f"{LRI}#{order_id}{PDI}" in note.text
        await admin.push_update({"message": command.to_api()})  # the same update, again
        await admin.wait_message(contains="already applied (0.40 USD")
        await admin.send(f"/refund {order_id} 0.70")
        await admin.wait_message(contains="at most 0.60 USD")
        for bad in ("/refund", "/refund x", f"/refund {order_id} 0", f"/refund {order_id} 1.001"):
            await admin.send(bad)
            await admin.wait_message(contains="Usage: /refund ORDER [AMOUNT]")
        await admin.send("/refund 999999")
        await admin.wait_message(contains="No order #999999")
        await admin.send(f"/refund #{order_id}")
        full = await admin.wait_message(contains="Refunded 0.60 USD")
        assert "Status: 💸 Refunded" in full.text
        await sara.wait_message(contains="أعاد المتجر")
        await admin.send(f"/refund {order_id}")
        await admin.wait_message(contains="already refunded in full")
        await sara.expect_no_message(quiet=0.2)
        order = await order_row(shop, order_id)
        assert (order.state, order.refunded) == ("refunded", Decimal("1.00"))
        assert (await shop.user_row(3201)).balance == Decimal("5")
        assert await audit_actions(shop) == [("order.refund", f"order:{order_id}")] * 2
        async with shop.sessions() as session:
            keys = list(
                await session.scalars(
                    select(LedgerEntry.idempotency_key).where(LedgerEntry.kind == "refund")
                )
            )
        assert len(keys) == 2 and all(k.startswith(f"admin-refund:{admin.id}:") for k in keys)
        assert await shop.invariant_holds()


async def test_review_attach_then_polled_and_review_refund_in_arabic(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        await customer(shop, 3301, "en", funds="5")
        attached = await make_order(shop, 3301, panel_order_id="a", age=2)
        refunded = await make_order(shop, 3301, panel_order_id="b", age=1)
        for order_id in (attached, refunded):
            await hold_for_review(shop, order_id)
        customer_chat = shop.customer(3301, "en")
        admin = await arabic_admin(shop)
        await open_console(admin, "لوحة الإدارة")
        await admin.click("⏸ معلّقة للمراجعة")
        listing = await admin.wait_edit(contains="معلّقة للمراجعة")
        assert "طلبان" in listing.text  # Arabic dual
        await admin.click(callback_data=f"ax:o:{attached}:0")
        card = await admin.wait_edit(contains="🔎")
        assert f"{LRI}#{attached}{PDI}" in card.text
        await admin.click("🔗 ربط رقم الطلب في اللوحة")
        await admin.wait_edit(contains="أرسل رقم الطلب")
        await admin.send("12 34")
        await admin.wait_message(contains="حروف وأرقام")
        await admin.send("98765")
        done = await admin.wait_message(contains="قيد الانتظار من جديد")
        assert f"{LRI}98765{PDI}" in done.text
        order = await order_row(shop, attached)
        assert (order.state, order.panel_order_id) == ("pending", "98765")
        shop.panel.set_order("98765", "Completed", remains="0")
        report = await poll_statuses(shop.runtime.shop)  # polled like any other order
        assert [(c.order_id, c.to_state.value) for c in report.changes] == [(attached, "completed")]

        await admin.send(f"/order {refunded}")
        await admin.wait_message(contains="🔎")
        await admin.click("💸 استرداد كامل المبلغ")
        await admin.wait_edit(contains="ووسم الطلب بأنه فشل")
        await admin.click("✅ نعم، استرد")
        result = await admin.wait_edit(contains="تم استرداد")
        assert f"{LRI}1.00 USD{PDI}" in result.text
        await customer_chat.wait_message(contains="The shop returned 1.00 USD")
        await admin.click(callback_data=f"ax:ry:{refunded}:0", message=result)  # pressed again
        await admin.wait_edit(contains="طُبّق من قبل")
        await customer_chat.expect_no_message(quiet=0.2)
        assert (await order_row(shop, refunded)).state == "failed"
        async with shop.sessions() as session:
            keys = list(
                await session.scalars(
                    select(LedgerEntry.idempotency_key).where(LedgerEntry.kind == "refund")
                )
            )
        assert keys == [f"refund:{refunded}"]
        assert await audit_actions(shop) == [
            ("order.attach", f"order:{attached}"),
            ("order.refund", f"order:{refunded}"),
        ]
        await admin.click("🛠 لوحة الإدارة")
        await admin.wait_edit(contains="لوحة الإدارة")
        await admin.click("⏸ معلّقة للمراجعة")
        await admin.wait_edit(contains="لا توجد طلبات معلّقة")
        assert await shop.invariant_holds()


async def test_order_lookup_by_panel_id_in_english(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        await customer(shop, 3401, "en")
        order_id = await make_order(shop, 3401, panel_order_id="55501")
        admin = shop.admin()
        await admin.send("/order 55501")
        card = await admin.wait_message(contains=f"Order #{order_id}")
        assert "panel order: 55501" in card.text and "Customer: 3401" in card.text
        await admin.click("👤 Customer")
        await admin.wait_edit(contains="3401")
        await open_console(admin, "Admin console")
        await admin.click("📦 Orders")
        await admin.wait_edit(contains="Send a shop order number")
        await admin.send("nope")
        await admin.wait_message(contains="No order matches")
        await admin.send(f"#{order_id}")
        await admin.wait_message(contains=f"Order #{order_id}")
        await admin.send("/order")
        await admin.wait_message(contains="Usage: /order ORDER_ID")


async def test_catalog_console_in_both_languages(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        admin = shop.admin()
        await open_console(admin, "Admin console")
        await admin.click("🗂 Catalog")
        screen = await admin.wait_edit(contains="Global markup: 30% (MARKUP_PERCENT)")
        assert "Categories:" in screen.text
        await admin.click("🔄 Sync now")
        synced = await admin.wait_edit(contains="Catalog synced")
        assert "main:" in synced.text
        await admin.click("％ Global markup")
        await admin.wait_edit(contains="The global markup is 30%")
        await admin.send("lots")
        await admin.wait_message(contains="Send a percent from 0 to 10000")
        await admin.send("50")
        saved = await admin.wait_message(contains="✅ Saved.")
        assert "Global markup: 50% (set in the console)" in saved.text
        async with shop.sessions() as session:
            assert await shop_settings.global_markup(session) == Decimal("50.00")
            service = await session.scalar(select(Service).where(Service.panel_service_id == "1"))
            assert service is not None
            category = await session.get(Category, service.category_id)
        assert category is not None
        await admin.click("🗂 Categories")
        await admin.wait_edit(contains="page 1 of")
        await admin.click(callback_data=f"ax:cc:{category.id}:0")
        await admin.wait_edit(contains="Markup: 50% (inherited)")
        await admin.click("🚫 Disable")
        assert (await admin.wait_callback_answer()).text == "Disabled."
        await admin.wait_edit(contains="Status: 🚫 disabled")
        await admin.click("✅ Enable")
        await admin.wait_edit(contains="Status: ✅ on sale")
        await admin.click("％ Markup")
        await admin.wait_edit(contains="this category's markup")
        await admin.send("20")
        await admin.wait_message(contains="Markup: 20% (its own)")
        await admin.click("📋 Services")
        await admin.wait_edit(contains=category.name)
        await admin.click(callback_data=f"ax:sv:{service.id}:0")
        card = await admin.wait_edit(contains="Shop price:")
        assert "Markup: 20% (inherited)" in card.text

        ar = await arabic_admin(shop)
        await ar.click(callback_data=f"ax:sa:{service.id}:0", message=card)
        await ar.wait_edit(contains="أرسل اسم العرض بالعربية")
        await ar.send("متابعين إنستغرام")
        named = await ar.wait_message(contains="تم الحفظ")
        assert "الاسم بالعربية: متابعين إنستغرام" in named.text
        await ar.click("％ هامش الربح")
        await ar.wait_edit(contains="هامش ربح هذه الخدمة")
        await ar.send("-")
        await ar.wait_message(contains="(موروث)")
        await ar.click("🚫 تعطيل")
        await ar.wait_edit(contains="🚫 معطّلة")
        async with shop.sessions() as session:
            service = await session.get(Service, service.id)
        assert service is not None and not service.enabled and service.name_ar
        assert service.markup_percent is None
        actions = [a for a, _ in await audit_actions(shop)]
        assert actions == [
            "catalog.sync",
            "markup.global",
            "category.enabled",
            "category.enabled",
            "category.markup_percent",
            "service.name_ar",
            "service.markup_percent",
            "service.enabled",
        ]
