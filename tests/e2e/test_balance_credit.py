"""Balance screen and the admin's /credit end to end, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from bot.telegram.i18n import LRI, PDI
from storage.models import AuditLog, LedgerEntry
from tests.e2e.harness import running_shop
from tests.e2e.test_orders import make_order


async def test_credit_notifies_in_arabic_once_even_when_replayed(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = shop.customer(2001, "ar")
        await sara.send("/start")
        await sara.wait_message(contains="القائمة الرئيسية")
        admin = shop.admin()
        command = await admin.send("/credit 2001 ١٠٫٥ هدية ترحيب")  # Arabic digits
        done = await admin.wait_message(contains="applied")
        assert done.text == "✅ +10.50 USD applied to 2001. New balance: 10.50 USD"
        note = await sara.wait_message(contains="أضاف المتجر")
        assert f"{LRI}10.50 USD{PDI}" in note.text and "ملاحظة: هدية ترحيب" in note.text

        await admin.push_update({"message": command.to_api()})  # the same update, again
        again = await admin.wait_message(contains="already applied")
        assert "10.50 USD" in again.text
        await sara.expect_no_message(quiet=0.3)
        async with shop.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
            audit = list(await session.scalars(select(AuditLog)))
        assert [(a.admin_telegram_id, a.action, a.target) for a in audit] == [
            (admin.id, "credit", "user:2001")
        ]
        assert (await shop.user_row(2001)).balance == 10.5
        assert await shop.invariant_holds()


async def test_debit_usage_and_non_admin(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(2002, "en")
        await bob.send("/start")
        await bob.wait_message(contains="Main menu")
        await bob.send("/credit 2002 100")
        await bob.wait_message(contains="I did not understand that")
        admin = shop.admin()
        await admin.send("/credit 2002 5")
        await admin.wait_message(contains="New balance: 5.00 USD")
        await bob.wait_message(contains="5.00 USD was added")
        await admin.send("/credit 2002 -7 typo")
        refused = await admin.wait_message(contains="Refused")
        assert "is 5.00 USD, less than 7.00 USD" in refused.text
        await admin.send("/credit 2002 -2 typo")
        await admin.wait_message(contains="✅ -2.00 USD applied to 2002. New balance: 3.00 USD")
        debit = await bob.wait_message(contains="deducted")
        assert "2.00 USD" in debit.text and "Note: typo" in debit.text
        for bad in ("/credit", "/credit 2002 1.005", "/credit 2002 0", "/credit x 1"):
            await admin.send(bad)
            await admin.wait_message(contains="Usage: /credit USER_ID AMOUNT [reason]")
        await admin.send("/credit 777 5")
        await admin.wait_message(contains="No customer with Telegram ID 777")
        assert (await shop.user_row(2002)).balance == 3
        assert await shop.invariant_holds()


async def test_balance_screen_lists_ledger_and_explains_topup(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(2003, "en")
        await bob.send("/start")
        await bob.wait_message(contains="Main menu")
        admin = shop.admin()
        await admin.send("/credit 2003 12")
        await bob.wait_message(contains="was added")
        order_id = await make_order(shop, 2003)
        await bob.click("💰 Balance")
        screen = await bob.wait_edit(contains="Your balance: 11.00 USD")
        lines = screen.text.splitlines()
        assert lines[2] == "Latest activity"
        assert lines[3].endswith(f" · -1.00 USD · Order #{order_id}")
        assert lines[4].endswith(" · +12.00 USD · Credit from the shop")
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d · ", lines[3])  # dated
        await bob.click("➕ Top up")
        topup = await bob.wait_edit(contains="Top up your balance")  # Stars flow
        assert topup.buttons[-1][0].data == "b:show"
        await bob.click("⬅️ Balance")
        await bob.wait_edit(contains="Your balance: 11.00 USD")

        sara = shop.customer(2004, "ar")
        await sara.send("/balance")
        empty = await sara.wait_message(contains="رصيدك")
        assert f"{LRI}0.00 USD{PDI}" in empty.text and "لا توجد عمليات بعد" in empty.text
        assert empty.buttons[0][0].data == "b:topup"
