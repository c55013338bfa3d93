"""The wizard's edges: bad input at every kind of prompt, Back/Cancel, double taps and replays,
panel rejections and hangs, a short balance, and a restart in the middle of a wizard."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from bot.shop import ledger
from storage.models import LedgerEntry, LedgerKind, Service
from tests.e2e.harness import ADMIN_ID, Shop, running_shop
from tests.e2e.test_wizard import LINK, catalog_panel, new_customer, no_flood_limit, open_service
from tests.fakes.bot_api import FakeUser
from tests.fakes.panel_server import Fault

__all__ = ["no_flood_limit"]  # the autouse fixture applies here too


async def say(customer: FakeUser, text: str) -> str:
    await customer.send(text)
    return (await customer.wait_message()).content


async def press(customer: FakeUser, text: str) -> str:
    await customer.click(text)
    return (await customer.wait_edit()).content


async def test_bad_input_at_each_prompt_back_and_cancel(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        bob = await new_customer(shop, 3001)
        await open_service(bob, "Followers Dripfeed")
        reply = await say(bob, "not a link")
        assert "not a valid link" in reply and "Send the link" in reply
        assert "How many" in await say(bob, LINK)
        assert "from 10 to 10,000" in await say(bob, "5")
        assert "The number must be from 10 to 10,000" in await say(bob, "20000")
        assert "whole number" in await say(bob, "a lot")
        assert "Send the link" in await press(bob, "⬅️ Back")
        # Back returned to the link step; answer it again, then Arabic digits are accepted.
        assert "How many" in await say(bob, LINK)
        assert "Deliver gradually" in await say(bob, "١٬٠٠٠")
        assert "use the buttons" in await say(bob, "yes")
        assert "How many runs" in await press(bob, "✅ Yes")
        assert "from 2 to 10,000" in await say(bob, "1")
        assert "Minutes between" in await say(bob, "2")
        reply = await say(bob, "10")
        assert "2 runs, every 10 min — 2,000 in total" in reply
        assert "use the buttons" in await say(bob, "confirm please")
        await bob.send("/cancel")
        await bob.wait_message(contains="Cancelled")
        assert await shop.orders() == []

        carol = await new_customer(shop, 3002)
        await open_service(carol, "Comments Custom")
        await say(carol, LINK)
        reply = await say(carol, "\n".join(f"c{i}" for i in range(6)))
        assert "You sent 6 lines; send from 1 to 5 lines" in reply
        await carol.send_photo(caption="a comment")
        assert "send text" in (await carol.wait_message()).content
        assert "Cancelled" in await press(carol, "✖️ Cancel")

        dave = await new_customer(shop, 3003)
        await open_service(dave, "Auto Likes")
        assert "username" in await say(dave, "two words")
        await say(dave, "creator")
        await say(dave, "500")
        assert "from 500 to 1,000" in await say(dave, "100")  # max below min names the bounds
        await say(dave, "600")
        assert "Delay after" in await say(dave, "3")
        assert "allowed minutes: 0, 5, 10, 15, 30, 60, 90" in await say(dave, "7")
        assert "Expiry date" in await say(dave, "٩٠")  # typed delay, Arabic digits
        assert "DD/MM/YYYY" in await say(dave, "someday")
        assert "in the future" in await say(dave, "01/01/2001")
        summary = await press(dave, "⏭ Skip")
        assert "Delay: 90 min" in summary and "Expires" not in summary
        # Back from the summary → expiry; Back from the first step → the service card.
        assert "Expiry date" in await press(dave, "⬅️ Back")
        await dave.click("⏭ Skip")
        await dave.wait_edit(contains="Order summary")
        for _ in range(7):  # expiry, delay, posts, max, min, username, then the card
            await press(dave, "⬅️ Back")
        card = dave.last_message
        assert card is not None and "Order from 10 to 1,000" in card.content
        await dave.click(callback_data="wz:back:000000000000:0", message=card)
        assert "closed" in ((await dave.wait_callback_answer()).text or "")
        assert await shop.orders() == []
        assert await shop.invariant_holds()


async def _to_summary(
    shop: Shop, telegram_id: int, funds: str = "100", language: str = "en"
) -> FakeUser:
    customer = await new_customer(shop, telegram_id, language, funds)
    await open_service(customer, "Followers Plain", language)
    await say(customer, LINK)
    await say(customer, "1000")
    return customer


async def test_double_tap_and_replayed_or_forged_confirm_place_one_order(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        erin = await _to_summary(shop, 3101)
        summary = erin.last_message
        assert summary is not None
        confirm = next(b.data for row in summary.buttons for b in row if "Confirm" in b.text)
        assert confirm is not None and len(confirm.encode()) <= 64
        first = await erin.click("✅ Confirm order", message=summary)
        second = await erin.click(callback_data=confirm, message=summary)  # a double tap
        await erin.wait_message(contains="placed.")
        await shop.tg.wait_idle(quiet=0.2)
        answers = [
            e.payload.text or ""
            for e in shop.tg.events_after(0)
            if e.kind == "callback_answer" and e.payload.query_id in (first, second)
        ]
        assert len(answers) == 2
        assert sum("already been placed" in text for text in answers) == 1, answers
        await erin.click(callback_data=confirm, message=summary)  # a replay, later
        assert "already been placed" in ((await erin.wait_callback_answer()).text or "")
        await erin.click(
            callback_data=confirm.replace(confirm.split(":")[2], "f" * 12), message=summary
        )  # a forged token
        assert "closed" in ((await erin.wait_callback_answer()).text or "")
        assert len(shop.panel.requests_for("add")) == 1
        [order] = await shop.orders()
        assert order.state == "pending"
        assert (await shop.user_row(3101)).balance == Decimal("98.70")
        async with shop.sessions() as session:
            debits = list(
                await session.scalars(
                    select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.ORDER.value)
                )
            )
        assert len(debits) == 1
        assert await shop.invariant_holds()


async def test_panel_rejection_refunds_with_a_localized_reason(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        for telegram_id, language, expected in (
            (3201, "en", "rejected the link"),
            (3202, "ar", "رفض المزوّد الرابط"),
        ):
            customer = await _to_summary(shop, telegram_id, language=language)
            shop.panel.reject("add", "Incorrect link")
            await customer.click("✅ Confirm order" if language == "en" else "✅ تأكيد الطلب")
            failed = await customer.wait_message(contains=expected)
            assert "1.30 USD" in failed.content
            assert (await shop.user_row(telegram_id)).balance == Decimal("100")
        orders = await shop.orders()
        assert [o.state for o in orders] == ["failed", "failed"]
        assert all(o.refunded == o.charge == Decimal("1.30") for o in orders)
        assert await shop.invariant_holds()


async def test_panel_hang_holds_the_order_for_review(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel(), panel_timeout=0.5) as shop:
        admin = shop.admin()
        await admin.send("/start")
        await admin.wait_message(contains="🏪")
        fay = await _to_summary(shop, 3301)
        shop.panel.inject(Fault.HANG, action="add")
        await fay.click("✅ Confirm order")
        await fay.wait_message(contains="is being checked", timeout=10)
        alert = await admin.wait_message(contains="needs review")
        [order] = await shop.orders()
        assert f"#{order.id}" in alert.content and "3301" in alert.content
        assert order.state == "review"
        assert len(shop.panel.requests_for("add")) == 1
        assert (await shop.user_row(3301)).balance == Decimal("98.70")  # not refunded
        assert order.refunded == 0
        assert await shop.invariant_holds()
        assert ADMIN_ID == admin.id


async def test_short_balance_offers_top_up_also_at_confirm(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        gus = await _to_summary(shop, 3401, funds="1")
        summary = gus.last_message
        assert summary is not None
        assert "0.30 USD missing" in summary.content
        buttons = [b for row in summary.buttons for b in row]
        assert any(
            b.text == "💰 Top up balance" and b.data.startswith("wz:topup:") for b in buttons
        )
        assert not any("Confirm" in b.text for b in buttons)

        hal = await _to_summary(shop, 3402, funds="2")
        assert "Balance after the order: 0.70 USD" in (hal.last_message or summary).content
        user = await shop.user_row(3402)
        async with shop.sessions() as session, session.begin():  # spent elsewhere meanwhile
            await ledger.apply(
                session,
                user_id=user.id,
                amount=Decimal("-1.50"),
                kind=LedgerKind.DEBIT,
                key="test-spend",
            )
        await hal.click("✅ Confirm order")
        updated = await hal.wait_edit(contains="no longer covers")
        assert "0.80 USD missing" in updated.content
        assert await shop.orders() == []
        assert shop.panel.requests_for("add") == []
        assert await shop.invariant_holds()


async def test_wizard_survives_a_restart(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        ivy = await new_customer(shop, 3501, "ar")
        await open_service(ivy, "Followers Plain", "ar")
        assert "كم العدد" in await say(ivy, LINK)
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        ivy = shop.customer(3501, "ar")
        summary = await say(ivy, "٥٠٠")
        assert "ملخّص الطلب" in summary and "\u20660.65 USD\u2069" in summary
        await ivy.click("✅ تأكيد الطلب")
        await ivy.wait_message(contains="تم تقديم الطلب")
        [add] = shop.panel.requests_for("add")
        assert add.fields == {"action": "add", "service": "101", "link": LINK, "quantity": "500"}
        assert await shop.invariant_holds()


async def test_price_change_after_summary_is_shown_before_charging(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        ida = await _to_summary(shop, 3601, funds="10")
        assert "Price: 1.30 USD" in (ida.last_message or ida.messages[-1]).content
        async with shop.sessions() as session, session.begin():  # the panel raised its rate
            service = await session.scalar(select(Service).where(Service.panel_service_id == "101"))
            assert service is not None
            service.rate = Decimal("2.00")
        await ida.click("✅ Confirm order")
        updated = await ida.wait_edit(contains="price of this service changed")
        assert "Price: 2.60 USD" in updated.content
        assert await shop.orders() == [] and shop.panel.requests_for("add") == []
        await ida.click("✅ Confirm order")
        await ida.wait_message(contains="placed")
        [order] = await shop.orders()
        assert order.charge == Decimal("2.60")
        assert await shop.invariant_holds()
