"""The scheduler tells customers about their orders, in their language, over the fake Bot API;
blocked customers are skipped and marked inactive; admins hear about held orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.jobs.scheduler import ShopScheduler
from bot.telegram.i18n import LRI, PDI
from storage.models import Order, OrderState, Refill
from storage.types import utcnow
from tests.e2e.harness import ADMIN_ID, running_shop
from tests.jobs.factory import make_service, place_order


async def test_status_messages_in_both_languages(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        english, arabic = shop.customer(3001, "en"), shop.customer(3002, "ar")
        for customer in (english, arabic):
            await customer.send("/start")
            await customer.wait_messages(2)
            await shop.fund(customer.id, "50")
        service = await make_service(shop.sessions, "main")
        en_user, ar_user = await shop.user_row(3001), await shop.user_row(3002)
        placed = {
            "en-start": await place_order(shop.sessions, en_user, service, "1"),
            "en-partial": await place_order(
                shop.sessions, en_user, service, "2", charge="10.00", quantity=1000
            ),
            "ar-cancel": await place_order(shop.sessions, ar_user, service, "3", charge="7.50"),
            "ar-done": await place_order(shop.sessions, ar_user, service, "4"),
        }
        shop.panel.set_order("1", "In progress", remains="1000")
        shop.panel.set_order("2", "Partial", remains="250")
        shop.panel.set_order("3", "Canceled", remains="1000")
        shop.panel.set_order("4", "Completed", remains="0")
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)

        await scheduler.run_statuses()

        started = await english.wait_message(contains="has started")
        assert f"#{placed['en-start'].id}" in started.text
        assert started.buttons[0][0].text == "📦 Order details"
        partial = await english.wait_message(contains="partially")
        assert "750 delivered" in partial.text and "2.50 USD has been returned" in partial.text
        await english.click("📦 Order details", message=started)
        details = await english.wait_edit(contains=f"Order #{placed['en-start'].id}")
        assert "In progress" in details.text
        canceled = await arabic.wait_message(contains="ألغى المزوّد")
        assert f"{LRI}7.50 USD{PDI}" in canceled.text
        assert f"{LRI}#{placed['ar-cancel'].id}{PDI}" in canceled.text
        await arabic.wait_message(contains="اكتمل الطلب")

        await scheduler.run_statuses()  # nothing new: nobody hears twice
        await english.expect_no_message(quiet=0.3)
        assert (await shop.user_row(3001)).balance == Decimal("32.50")
        assert (await shop.user_row(3002)).balance == Decimal("40.00")  # 50 − 7.50 − 10 + 7.50
        assert await shop.invariant_holds()


async def test_blocked_customer_is_marked_inactive_and_job_goes_on(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        gone, present = shop.customer(3101), shop.customer(3102)
        for customer in (gone, present):
            await customer.send("/start")
            await customer.wait_messages(2)
        service = await make_service(shop.sessions, "main")
        await place_order(shop.sessions, await shop.user_row(3101), service, "11", charge="0")
        await place_order(shop.sessions, await shop.user_row(3102), service, "12", charge="0")
        shop.panel.set_order("11", "Completed", remains="0")
        shop.panel.set_order("12", "Completed", remains="0")
        gone.blocked = True

        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()

        await present.wait_message(contains="is completed")
        assert (await shop.user_row(3101)).is_active is False
        assert (await shop.user_row(3102)).is_active is True


async def test_scheduler_runs_by_itself_and_reconciles_at_startup(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'shop.sqlite3'}"
    async with running_shop(tmp_path, database_url=database) as shop:
        customer = shop.customer(3201)
        await customer.send("/start")
        await customer.wait_messages(2)
        service = await make_service(shop.sessions, "main")
        user = await shop.user_row(3201)
        crashed = await place_order(
            shop.sessions, user, service, "x", charge="0", state=OrderState.SUBMITTING
        )
        async with shop.sessions() as session, session.begin():  # interrupted long ago
            await session.execute(
                update(Order)
                .where(Order.id == crashed.id)
                .values(updated_at=utcnow() - timedelta(minutes=10))
            )
        await place_order(shop.sessions, user, service, "21", charge="0")
    admin_id = ADMIN_ID
    async with running_shop(
        tmp_path, database_url=database, background=True, status_poll_seconds=5
    ) as shop:
        admin = shop.tg.user(admin_id, first_name="Owner")
        held = await admin.wait_message(contains="held for review", timeout=10)
        assert f"#{crashed.id}" in held.text
        shop.panel.set_order("21", "Completed", remains="0")
        customer = shop.tg.user(3201, first_name="User3201")
        await customer.wait_message(contains="is completed", timeout=15)


EXPECTED = {
    "en": {
        "In progress": "has started",
        "Completed": "is completed",
        "Partial": "completed partially",
        "Canceled": "canceled by the provider",
        "refill-Completed": "refill of order",
        "refill-Rejected": "was not accepted",
    },
    "ar": {
        "In progress": "بدأ تنفيذ الطلب",
        "Completed": "اكتمل الطلب",
        "Partial": "جزئيًا",
        "Canceled": "ألغى المزوّد",
        "refill-Completed": "اكتملت إعادة تعبئة",
        "refill-Rejected": "رفض المزوّد إعادة",
    },
}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_every_status_and_refill_message_in_both_languages(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path) as shop:
        customer = shop.customer(3300, language)
        await customer.send("/start")
        await customer.wait_messages(2)
        await shop.fund(3300, "100")
        service = await make_service(shop.sessions, "main")
        user = await shop.user_row(3300)
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)
        for index, status in enumerate(("In progress", "Completed", "Partial", "Canceled")):
            order = await place_order(shop.sessions, user, service, f"5{index}", charge="4")
            shop.panel.set_order(f"5{index}", status, remains="500")
            await scheduler.run_statuses()
            message = await customer.wait_message(contains=EXPECTED[language][status])
            assert str(order.id) in message.text
            assert message.buttons  # the order-details button
        completed = (await shop.orders())[1]
        async with shop.sessions() as session, session.begin():
            session.add_all(
                [
                    Refill(order_id=completed.id, panel_refill_id="71", state="pending"),
                    Refill(order_id=completed.id, panel_refill_id="72", state="pending"),
                ]
            )
        shop.panel.set_refill("71", "Completed")
        await scheduler.run_refills()
        await customer.wait_message(contains=EXPECTED[language]["refill-Completed"])
        shop.panel.set_refill("72", "Rejected")
        await scheduler.run_refills()
        await customer.wait_message(contains=EXPECTED[language]["refill-Rejected"])
        assert await shop.invariant_holds()


async def test_notification_waits_out_a_429(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        customer = shop.customer(3400)
        await customer.send("/start")
        await customer.wait_messages(2)
        service = await make_service(shop.sessions, "main")
        await place_order(shop.sessions, await shop.user_row(3400), service, "61", charge="0")
        shop.panel.set_order("61", "Completed", remains="0")
        shop.tg.fail_next("sendMessage", error_code=429, retry_after=1)
        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()
        await customer.wait_message(contains="is completed")
        assert shop.tg.stats.too_many_requests >= 1
