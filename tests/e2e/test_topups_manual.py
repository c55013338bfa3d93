"""Manual transfers end to end: the owner adds a method in the console, customers (en, ar) send
receipts, two admins review them over the fake Bot API."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from storage.models import AuditLog, LedgerEntry, Payment
from tests.e2e.harness import ADMIN_ID, Shop, running_shop
from tests.fakes.bot_api import FakeUser

SECOND_ADMIN = 900_002
METHOD = "Zain Cash\nزين كاش\nSend to 0770 000 0000\nحوّل إلى 0770 000 0000\n5\n500"


async def started(shop: Shop, telegram_id: int, language: str) -> FakeUser:
    user = shop.customer(telegram_id, language)
    await user.send("/start")
    await user.wait_message(contains="القائمة" if language == "ar" else "Main menu")
    return user


async def add_method(shop: Shop) -> FakeUser:
    owner = shop.admin()
    await owner.send("/admin")
    await owner.wait_message()
    await owner.click("🏦 Transfers")
    await owner.wait_edit(contains="Manual transfers")
    await owner.click("➕ Add a method")
    await owner.wait_message(contains="one field per line")
    await owner.send("Zain Cash\nonly two lines")
    await owner.wait_message(contains="not 6 or 8")  # told; the step stays
    await owner.send(METHOD)
    await owner.wait_message(contains="Method “Zain Cash” added")
    return owner


async def send_receipt(user: FakeUser, language: str, amount: str) -> None:
    ar = language == "ar"
    await user.send("/balance")
    await user.wait_message()
    await user.click("➕ شحن الرصيد" if ar else "➕ Top up")
    await user.wait_edit()
    await user.click("🏦 زين كاش" if ar else "🏦 Zain Cash")
    screen = await user.wait_edit()
    assert "0770 000 0000" in (screen.text or "")
    await user.send("2")  # below the method's minimum: told, the step stays
    await user.wait_message(contains="أقل تحويل" if ar else "The smallest transfer is 5 USD")
    await user.send(amount)
    await user.wait_message(contains="أرسل الآن صورة" if ar else "Now send a photo")
    await user.send("here it is")  # text is no receipt
    await user.wait_message(contains="أرسل الإيصال" if ar else "Please send the receipt")
    await user.send_photo(b"\x89PNG\r\n\x1a\nreceipt")
    await user.wait_message(contains="استلمنا الإيصال" if ar else "Receipt received")


async def test_two_admins_approve_at_once_and_the_customer_is_credited_once(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path, admin_ids=f"{ADMIN_ID},{SECOND_ADMIN}") as shop:
        owner = await add_method(shop)
        other = shop.tg.user(SECOND_ADMIN, first_name="Deputy", language_code="ar")
        await other.send("/start")
        await other.wait_message(contains="القائمة")
        eve = await started(shop, 5201, "en")
        await send_receipt(eve, "en", "20")

        mine = await owner.wait_message(contains="Transfer request #")
        theirs = await other.wait_message(contains="طلب تحويل رقم")
        assert mine.raw.get("photo") and theirs.raw.get("photo")  # a copy of the receipt
        assert "To credit: 20.00 USD" in (mine.caption or "")
        await asyncio.gather(
            owner.click("✅ Approve", message=mine), other.click("✅ موافقة", message=theirs)
        )
        await eve.wait_message(contains="Your transfer was approved")
        await eve.expect_no_message(quiet=0.5)
        assert (await shop.user_row(5201)).balance == Decimal("20.00")
        async with shop.sessions() as session:
            assert list(await session.scalars(select(LedgerEntry.amount))) == [Decimal("20.00")]
            row = await session.scalar(select(Payment))
            assert row is not None and row.status == "paid" and row.method == "manual"
            assert row.approved_by in (ADMIN_ID, SECOND_ADMIN)
            actions = list(await session.scalars(select(AuditLog.action)))
        assert actions.count("transfer_approve") == 1 and "transfer_method_add" in actions
        assert await shop.invariant_holds()

        # The decided receipt's other buttons are stale now: an alert, no step begins.
        for button in ("✏️ Edit amount", "❌ Reject"):
            await owner.click(button, message=mine)
            answer = await owner.wait_callback_answer()
            assert answer.show_alert and "no longer active" in (answer.text or "")
        await owner.expect_no_message(quiet=0.3)

        # The customer's history and the admin's stats name the method.
        await eve.send("/balance")
        history = await eve.wait_message(contains="Your balance: 20.00 USD")
        assert "+20.00 USD · Top-up · transfer" in (history.text or "")
        await owner.send("/stats")
        stats = await owner.wait_message(contains="Top-ups")
        assert "Top-up · transfer: 20.00 USD (1 top-up)" in (stats.text or "")


async def test_edit_amount_reject_with_reason_in_arabic_and_pending_bound(tmp_path: Path) -> None:
    async with running_shop(tmp_path, transfer_max_pending=1) as shop:
        owner = await add_method(shop)
        fay = await started(shop, 5202, "ar")
        await send_receipt(fay, "ar", "30")
        receipt = await owner.wait_message(contains="Transfer request #")

        # One waiting already: the bound refuses a second receipt. (A human pace first: the
        # flood limit allows a burst of 12 updates, then 4 a second.)
        await asyncio.sleep(2)
        await fay.send("/balance")
        await fay.wait_message()
        await fay.click("➕ شحن الرصيد")
        await fay.wait_edit()
        await fay.click("🏦 زين كاش")
        await fay.wait_edit()
        await fay.send("10")
        await fay.wait_message(contains="أرسل الآن صورة")
        await fay.send_document(b"%PDF-1.4 receipt", filename="r.pdf", mime_type="application/pdf")
        await fay.wait_message(contains="بانتظار المراجعة")

        # The console lists it (it survives restarts: it is a row).
        await owner.send("/admin")
        await owner.wait_message()
        await owner.click("🏦 Transfers")
        console = await owner.wait_edit(contains="Waiting for review: 1")
        assert any("5202" in b.text for row in console.buttons for b in row)

        await owner.click("✏️ Edit amount", message=receipt)
        await owner.wait_message(contains="would credit 30.00 USD")
        await owner.send("abc")
        await owner.wait_message(contains="not an amount")
        await owner.send("25")
        edited = await owner.wait_message(contains="will credit 25.00 USD")
        await owner.click("❌ Reject", message=edited)
        await owner.wait_message(contains="reason")
        await owner.send("The transfer did not arrive")
        await owner.wait_message(contains="rejected; the customer was told")
        told = await fay.wait_message(contains="لم تتم الموافقة على تحويلك")
        assert "The transfer did not arrive" in (told.text or "")

        await owner.click("✅ Approve", message=receipt)  # too late: rejected already
        await owner.expect_no_message(quiet=0.3)
        assert (await shop.user_row(5202)).balance == Decimal("0")
        async with shop.sessions() as session:
            row = await session.scalar(select(Payment))
            assert row is not None and row.status == "rejected" and row.amount == Decimal("25")
            assert row.reason == "The transfer did not arrive"
            actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["transfer_method_add", "transfer_amount", "transfer_reject"]
