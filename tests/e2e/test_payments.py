"""Top-ups in Telegram Stars end to end: the whole bot against the fake Bot API over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.shop import ledger, payments
from bot.telegram.bot_api_retry import FAILURE_RETRIES
from bot.telegram.i18n import LRI, PDI
from storage.models import AuditLog, LedgerEntry, LedgerKind, Payment, User
from tests.e2e.harness import ADMIN_ID, Shop, running_shop
from tests.fakes.bot_api import FakeUser
from tests.fakes.telegram.models import ChatMessage, PreCheckoutAnswer


async def started(shop: Shop, telegram_id: int, language: str) -> FakeUser:
    user = shop.customer(telegram_id, language)
    await user.send("/start")
    await user.wait_message(contains="القائمة" if language == "ar" else "Main menu")
    return user


def invoice_params(shop: Shop) -> dict[str, Any]:
    return shop.tg.calls("sendInvoice")[-1].params


async def checkout(
    shop: Shop, user: FakeUser, payload: str, total: int, currency: str = "XTR"
) -> PreCheckoutAnswer:
    """A pre_checkout_query with any payload (what a tampered client could send)."""
    query_id = f"pcq{user.id}{shop.tg.next_id():08d}"
    shop.tg._pre_checkout_queries[query_id] = user.id
    await user.push_update(
        {
            "pre_checkout_query": {
                "id": query_id,
                "from": user.to_api(),
                "currency": currency,
                "total_amount": total,
                "invoice_payload": payload,
            }
        }
    )
    return await user.wait_pre_checkout_answer(query_id)


async def paid_without_ui(shop: Shop, user: FakeUser, amount: str) -> str:
    """A genuine invoice paid in one update (keeps the test under the flood limit)."""
    stars = payments.stars_for(Decimal(amount), shop.runtime.settings.stars_per_unit)
    link = f"https://t.me/$test{shop.tg.next_id()}"
    shop.tg.invoice_links[link] = {
        "payload": payments.sign(
            payments.payload_key(shop.runtime.settings), user.id, Decimal(amount), stars
        ),
        "currency": "XTR",
        "total_amount": stars,
    }
    payment = await user.successful_payment(link)
    await user.wait_message(where=lambda m: payment.telegram_payment_charge_id in m.content)
    return payment.telegram_payment_charge_id


def payment_message(user: FakeUser) -> ChatMessage:
    return [m for m in user.transcript if m.kind == "successful_payment"][-1]


async def count(shop: Shop, model: type) -> int:
    async with shop.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def spend(shop: Shop, telegram_id: int, amount: str) -> None:
    user = await shop.user_row(telegram_id)
    async with shop.sessions() as session, session.begin():
        await ledger.apply(
            session,
            user_id=user.id,
            amount=-Decimal(amount),
            kind=LedgerKind.ORDER,
            key=f"test-spend:{telegram_id}:{amount}",
        )


async def test_preset_invoice_checkout_and_a_payment_delivered_twice(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3001, "en")
        await bob.send("/balance")
        await bob.wait_message(contains="Your balance: 0.00 USD")
        await bob.click("➕ Top up")
        screen = await bob.wait_edit(contains="Top up your balance")
        assert "Rate: 1 USD = 50 ⭐" in screen.text
        assert "from 1.00 USD to 100.00 USD" in screen.text
        assert [b.text for row in screen.buttons for b in row][:6] == [
            "5.00 USD · 250 ⭐",
            "10.00 USD · 500 ⭐",
            "25.00 USD · 1,250 ⭐",
            "50.00 USD · 2,500 ⭐",
            "100.00 USD · 5,000 ⭐",
            "✏️ Other amount",
        ]
        assert screen.buttons[0][1].data == "tp:10.00"

        await bob.click("10.00 USD · 500 ⭐")
        invoice = await bob.wait_message(where=lambda m: m.invoice is not None)
        params = invoice_params(shop)
        assert params["currency"] == "XTR" and params.get("provider_token", "") == ""
        assert params["prices"] == [{"label": "Balance top-up", "amount": 500}]
        assert params["title"] == "Top up 10.00 USD"
        assert "10.00 USD added to your shop balance for 500 Stars" in params["description"]
        signed = payments.verify(payments.payload_key(shop.runtime.settings), params["payload"])
        assert signed is not None
        assert (signed.telegram_id, signed.amount, signed.stars) == (3001, Decimal("10.00"), 500)
        assert invoice.invoice is not None and invoice.invoice["total_amount"] == 500

        await bob.pay(invoice)
        receipt = await bob.wait_message(contains="Payment received")
        charge = payment_message(bob).raw["successful_payment"]["telegram_payment_charge_id"]
        assert receipt.text.splitlines() == [
            "✅ Payment received",
            "Added to your balance: 10.00 USD",
            "Paid: 500 Stars",
            "New balance: 10.00 USD",
            f"Payment ID (quote it to support): {charge}",
        ]

        # Telegram delivers the same successful payment again: no second credit or receipt.
        await bob.push_update({"message": payment_message(bob).to_api()})
        await bob.expect_no_message(quiet=0.3)
        assert (await shop.user_row(3001)).balance == Decimal("10.00")
        assert await count(shop, Payment) == 1 and await count(shop, LedgerEntry) == 1
        async with shop.sessions() as session:
            entry = await session.scalar(select(LedgerEntry))
        assert entry is not None and (entry.kind, entry.idempotency_key) == (
            "topup",
            f"topup:{charge}",
        )
        assert await shop.invariant_holds()

        await bob.send("/balance")
        statement = await bob.wait_message(contains="Your balance: 10.00 USD")
        assert "+10.00 USD · Top-up" in statement.text
        commands = [
            c["command"] for call in shop.tg.calls("setMyCommands") for c in call.params["commands"]
        ]
        assert "paysupport" in commands and "terms" in commands


async def test_custom_amount_in_arabic_with_receipt_and_texts(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = await started(shop, 3002, "ar")
        await sara.send("/balance")
        await sara.wait_message(contains="رصيدك")
        await sara.click("➕ شحن الرصيد")
        screen = await sara.wait_edit(contains="شحن الرصيد")
        assert f"{LRI}1 USD{PDI} = 50 ⭐" in screen.text
        await sara.click("✏️ مبلغ آخر")
        prompt = await sara.wait_edit(contains="اكتب المبلغ")
        assert f"من {LRI}1.00 USD{PDI} إلى {LRI}100.00 USD{PDI}" in prompt.text
        for typed, answer in (
            ("مرحبا", "هذا ليس مبلغًا"),
            ("٠٫٥", "أقل مبلغ للشحن"),
            ("101", "أكبر مبلغ للشحن"),
            ("1.005", "منزلتان عشريتان"),
        ):
            await sara.send(typed)
            await sara.wait_message(contains=answer)  # and the step stays
        await sara.send("٢٥٫٥")
        invoice = await sara.wait_message(where=lambda m: m.invoice is not None)
        params = invoice_params(shop)
        assert params["prices"] == [{"label": "شحن الرصيد", "amount": 1275}]
        assert params["title"] == "شحن \u206625.50 USD\u2069"
        assert params["description"].startswith("إضافة \u206625.50 USD\u2069 إلى رصيدك")
        await sara.pay(invoice)
        receipt = await sara.wait_message(contains="تم استلام الدفعة")
        assert f"{LRI}25.50 USD{PDI}" in receipt.text and "المدفوع: 1,275 نجمة" in receipt.text
        assert (await shop.user_row(3002)).balance == Decimal("25.50")

        layla = shop.customer(3009, "ar")  # a fresh customer: sara is near the flood limit
        await layla.send("/paysupport")
        support = await layla.wait_message(contains="المساعدة في الدفع")
        assert f"{LRI}3009{PDI}" in support.text
        await layla.send("/terms")
        terms = await layla.wait_message(contains="شروط الدفع")
        assert "ما دام غير مُنفق" in terms.text

        bob = await started(shop, 3003, "en")
        await bob.send("/paysupport")
        support = await bob.wait_message(contains="Help with a payment")
        assert "3003" in support.text and "payment ID" in support.text
        await bob.send("/terms")
        terms = await bob.wait_message(contains="Terms of payment")
        assert "1 USD = 50 ⭐" in terms.text and "only while it is unspent" in terms.text


async def test_pre_checkout_accepts_only_a_genuine_invoice(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3004, "en")
        sara = await started(shop, 3005, "ar")
        key = payments.payload_key(shop.runtime.settings)
        genuine = payments.sign(key, bob.id, Decimal("10.00"), 500)

        forged = await checkout(shop, bob, genuine.replace("|10.00|", "|90.00|"), 500)
        assert not forged.ok and forged.error_message == (
            "This invoice is not valid. Please open Top up in the bot and create a new one."
        )
        homemade = await checkout(shop, bob, payments.sign(b"guess", bob.id, Decimal(90), 1), 1)
        assert not homemade.ok and "not valid" in (homemade.error_message or "")
        cheap = await checkout(shop, bob, genuine, 1)
        assert not cheap.ok and "does not match" in (cheap.error_message or "")
        other_currency = await checkout(shop, bob, genuine, 500, currency="USD")
        assert not other_currency.ok
        not_hers = await checkout(shop, sara, genuine, 500)
        assert not not_hers.ok and not_hers.error_message == (
            "هذه الفاتورة أُنشئت لعميل آخر. أنشئ فاتورتك الخاصة في البوت."
        )
        ok = await checkout(shop, bob, genuine, 500)
        assert ok.ok and ok.error_message is None
        assert await count(shop, Payment) == 0

        # A banned customer cannot complete a checkout: no approval, nothing credited.
        async with shop.sessions() as session, session.begin():
            await session.execute(
                update(User).where(User.telegram_id == 3004).values(is_banned=True)
            )
        query_id = f"pcq{bob.id}{shop.tg.next_id():08d}"
        shop.tg._pre_checkout_queries[query_id] = bob.id
        await bob.push_update(
            {
                "pre_checkout_query": {
                    "id": query_id,
                    "from": bob.to_api(),
                    "currency": "XTR",
                    "total_amount": 500,
                    "invoice_payload": genuine,
                }
            }
        )
        await shop.tg.wait_idle(quiet=0.3)
        [answer] = [a for a in shop.tg.pre_checkout_answers if a.query_id == query_id]
        assert not answer.ok  # the ban middleware lets money updates through to be refused
        assert answer.error_message == (
            "Your access to this shop is suspended, so payments are not accepted."
        )
        assert (await shop.user_row(3004)).balance == 0


async def test_admin_refund_allowed_refused_and_not_for_customers(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        sara = await started(shop, 3006, "ar")
        admin = shop.admin()
        key = payments.payload_key(shop.runtime.settings)

        async def paid(amount: str, stars: int) -> str:
            await sara.send("/balance")
            await sara.wait_message()
            await sara.click("➕ شحن الرصيد")
            await sara.wait_edit()
            await sara.click(f"{amount} USD · {stars} ⭐")
            invoice = await sara.wait_message(where=lambda m: m.invoice is not None)
            assert payments.verify(key, invoice.invoice_payload or "") is not None
            payment = await sara.pay(invoice)
            await sara.wait_message(contains="تم استلام الدفعة")
            return payment.telegram_payment_charge_id

        first = await paid("10.00", 500)
        await admin.send(f"/refundstars {first}")
        done = await admin.wait_message(contains="Refunded")
        assert done.text == (
            "✅ Refunded 500 ⭐ to 3006; 10.00 USD deducted. New balance: 0.00 USD"
        )
        notice = await sara.wait_message(contains="استردّ المتجر دفعتك")
        assert "أُعيدت إليك 500 نجمة" in notice.text and f"{LRI}10.00 USD{PDI}" in notice.text
        assert [p.telegram_payment_charge_id for p in shop.tg.refunds] == [first]
        await admin.send(f"/refundstars {first}")  # again: nothing more
        await admin.wait_message(contains="not refundable any more (status: refunded)")
        assert len(shop.tg.refunds) == 1

        second = await paid_without_ui(shop, sara, "5.00")
        await spend(shop, 3006, "1")
        await admin.send(f"/refundstars {second}")
        refused = await admin.wait_message(contains="Refused")
        assert "is 4.00 USD, less than the 5.00 USD this payment credited" in refused.text
        assert len(shop.tg.refunds) == 1 and (await shop.user_row(3006)).balance == 4

        # Telegram refuses (it does not know the charge): the debit is restored.
        third = await paid_without_ui(shop, sara, "5.00")
        del shop.tg.payments[third]
        await admin.send(f"/refundstars {third}")
        failed = await admin.wait_message(contains="Telegram refused the refund")
        assert "CHARGE_NOT_FOUND" in failed.text and "5.00 USD was returned" in failed.text
        assert (await shop.user_row(3006)).balance == Decimal("9.00")

        await admin.send("/refundstars")
        await admin.wait_message(contains="Usage: /refundstars CHARGE_ID")
        await admin.send("/refundstars stxNOPE")
        await admin.wait_message(contains="No Stars payment with ID stxNOPE")
        await sara.send(f"/refundstars {second}")  # customers: an unknown command
        await sara.wait_message(contains="لم أفهم")
        assert len(shop.tg.refunds) == 1

        async with shop.sessions() as session:
            entries = [
                (e.kind, e.amount, e.idempotency_key)
                for e in await session.scalars(
                    select(LedgerEntry)
                    .where(LedgerEntry.kind == "payment_refund")
                    .order_by(LedgerEntry.id)
                )
            ]
            audit = [
                (a.admin_telegram_id, a.target, a.after["status"])  # type: ignore[index]
                for a in await session.scalars(select(AuditLog).order_by(AuditLog.id))
            ]
            statuses = dict(
                (p.telegram_payment_charge_id, p.status)
                for p in await session.scalars(select(Payment))
            )
        assert entries == [
            ("payment_refund", Decimal("-10.00"), f"stars-refund:{first}"),
            ("payment_refund", Decimal("-5.00"), f"stars-refund:{third}"),
            ("payment_refund", Decimal("5.00"), f"stars-refund-restore:{third}"),
        ]
        assert audit == [
            (ADMIN_ID, f"payment:{first}", "refunding"),
            (ADMIN_ID, f"payment:{first}", "refunded"),
            (ADMIN_ID, f"payment:{third}", "refunding"),
            (ADMIN_ID, f"payment:{third}", "refund_failed"),
        ]
        assert statuses == {first: "refunded", second: "paid", third: "refund_failed"}
        assert await shop.invariant_holds()


async def test_refunded_payment_from_telegram_is_reflected_once(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3007, "en")
        sara = await started(shop, 3008, "ar")
        admin = shop.admin()
        key = payments.payload_key(shop.runtime.settings)

        async def pay_direct(user: FakeUser, amount: str, stars: int) -> Any:
            await user.send("/balance")
            await user.wait_message()
            await user.click(user.last_message.buttons[0][0].text)  # type: ignore[union-attr]
            await user.wait_edit()
            await user.click(callback_data=f"tp:{amount}")
            invoice = await user.wait_message(where=lambda m: m.invoice is not None)
            assert payments.verify(key, invoice.invoice_payload or "") is not None
            payment = await user.pay(invoice)
            await user.wait_message(where=lambda m: payment.telegram_payment_charge_id in m.content)
            return payment

        spent = await pay_direct(bob, "10.00", 500)
        await spend(shop, 3007, "4")
        refund = await bob.refunded_payment(spent)
        notice = await bob.wait_message(contains="Telegram refunded your payment")
        assert "6.00 USD was deducted" in notice.text and "New balance: 0.00 USD" in notice.text
        alert = await admin.wait_message(contains="part of it was already spent")
        assert "Debited 6.00 USD; shortfall 4.00 USD" in alert.text and "3007" in alert.text
        await bob.push_update({"message": refund.to_api()})  # delivered again
        await bob.expect_no_message(quiet=0.3)
        assert (await shop.user_row(3007)).balance == 0

        whole = await pay_direct(sara, "25.00", 1250)
        await sara.refunded_payment(whole)
        arabic = await sara.wait_message(contains="استردّ تيليجرام دفعتك")
        assert "(1,250 نجمة)" in arabic.text and f"{LRI}25.00 USD{PDI}" in arabic.text
        assert (await shop.user_row(3008)).balance == 0
        await admin.expect_no_message(quiet=0.2)  # nothing spent, nothing to alert

        # The admin path cannot refund it again.
        await admin.send(f"/refundstars {whole.telegram_payment_charge_id}")
        await admin.wait_message(contains="not refundable any more (status: refunded)")
        assert shop.tg.refunds == []
        async with shop.sessions() as session:
            statuses = sorted(
                (p.status, p.credited) for p in await session.scalars(select(Payment))
            )
            keys = sorted(
                e.idempotency_key
                for e in await session.scalars(
                    select(LedgerEntry).where(LedgerEntry.kind == "payment_refund")
                )
            )
        assert statuses == [("refunded", Decimal("25.00")), ("refunded_short", Decimal("10.00"))]
        assert keys == sorted(
            [
                f"stars-refund:{spent.telegram_payment_charge_id}",
                f"stars-refund:{whole.telegram_payment_charge_id}",
            ]
        )
        assert await shop.invariant_holds()


async def history(user: FakeUser) -> str:
    await user.send("/balance")
    return (await user.wait_message(contains="Your balance")).text


async def test_refundstars_telegram_did_not_answer_but_refunded_held_until_confirmed(
    tmp_path: Path,
) -> None:
    """The answer to refundStarPayment is lost (a proxy's HTML 502 after Telegram refunded):
    the admin hears the outcome is unknown, the money stays held, the customer's history shows
    no refund and the customer is not told — until the retry finds it refunded."""
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3101, "en")
        admin = shop.admin()
        charge = await paid_without_ui(shop, bob, "10.00")
        shop.tg.answer_raw_next("refundStarPayment", then_apply=True)
        await admin.send(f"/refundstars {charge}")
        unknown = await admin.wait_message(contains="outcome is unknown")
        assert "may or may not have happened" in unknown.text
        assert "502 Bad Gateway" in unknown.text and "10.00 USD stays held" in unknown.text
        assert (await shop.user_row(3101)).balance == 0  # held
        text = await history(bob)
        assert "Held for a Stars refund (awaiting Telegram)" in text
        assert "Payment refunded" not in text
        assert not [m for m in bob.transcript if "refunded your payment" in m.content]
        await admin.send("/user 3101")  # the admin's card of the customer says the same
        card = await admin.wait_message(contains="Held for a Stars refund")
        assert "payment refunded" not in card.text

        await admin.send(f"/refundstars {charge}")  # the retry: Telegram says "already"
        await admin.wait_message(contains="✅ Refunded 500 ⭐ to 3101")
        await bob.wait_message(contains="The shop refunded your payment")
        text = await history(bob)
        assert "Payment refunded" in text and "Held for a Stars refund" not in text
        assert len(shop.tg.refunds) == 1  # never twice
        assert await shop.invariant_holds()


async def test_refundstars_unknown_then_confirmed_by_telegrams_service_message(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3104, "en")
        admin = shop.admin()
        charge = await paid_without_ui(shop, bob, "10.00")
        shop.tg.answer_raw_next("refundStarPayment", then_apply=True)
        await admin.send(f"/refundstars {charge}")
        await admin.wait_message(contains="outcome is unknown")
        assert "Held for a Stars refund" in await history(bob)
        await bob.refunded_payment(shop.tg.payments[charge])  # Telegram's word arrives
        told = await bob.wait_message(contains="The shop refunded your payment")
        assert "New balance: 0.00 USD" in told.text
        text = await history(bob)
        assert "Payment refunded" in text and "Held for a Stars refund" not in text
        await admin.send(f"/refundstars {charge}")
        await admin.wait_message(contains="not refundable any more (status: refunded)")
        assert (await shop.user_row(3104)).balance == 0 and await shop.invariant_holds()


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (
            lambda tg: tg.fail_next(
                "refundStarPayment",
                FAILURE_RETRIES + 1,
                error_code=500,
                description="Internal Server Error",
            ),
            "Internal Server Error",
        ),
        (lambda tg: tg.hang_next("refundStarPayment", seconds=3), "Request timeout error"),
    ],
    ids=["500", "timeout"],
)
async def test_refundstars_no_answer_keeps_the_money_held(
    tmp_path: Path, fault: Any, said: str
) -> None:
    async with running_shop(tmp_path) as shop:
        shop.runtime.bot.session.timeout = 1  # aiogram's per-request timeout (60 s default)
        sara = await started(shop, 3102, "ar")
        admin = shop.admin()
        charge = await paid_without_ui(shop, sara, "5.00")
        fault(shop.tg)
        await admin.send(f"/refundstars {charge}")
        unknown = await admin.wait_message(contains="outcome is unknown", timeout=10)
        assert "Telegram did not answer: " in unknown.text and said in unknown.text
        assert (await shop.user_row(3102)).balance == 0
        await sara.send("/balance")
        text = (await sara.wait_message(contains="رصيدك")).text
        assert "محجوز لاسترداد نجوم" in text and "استرداد دفعة" not in text
        async with shop.sessions() as session:
            status = await session.scalar(
                select(Payment.status).where(Payment.telegram_payment_charge_id == charge)
            )
        assert status == "refunding"
        assert shop.tg.refunds == []
        await admin.send(f"/refundstars {charge}")  # Telegram answers now: refunded once
        await admin.wait_message(contains="✅ Refunded")
        assert len(shop.tg.refunds) == 1 and await shop.invariant_holds()


async def test_refundstars_refusal_reason_is_bounded_and_escaped_and_429_is_reported(
    tmp_path: Path,
) -> None:
    async with running_shop(tmp_path) as shop:
        bob = await started(shop, 3103, "en")
        admin = shop.admin()
        charge = await paid_without_ui(shop, bob, "5.00")
        shop.tg.fail_next("refundStarPayment", error_code=429, retry_after=30)
        await admin.send(f"/refundstars {charge}")
        flood = await admin.wait_message(contains="Telegram asks to wait 30 seconds")
        assert "nothing was refunded yet" in flood.text and "5.00 USD stays held" in flood.text
        assert (await shop.user_row(3103)).balance == 0

        shop.tg.fail_next(
            "refundStarPayment",
            error_code=400,
            description="Bad Request: <b>PAYMENT</b> & " + "x" * 400,
        )
        await admin.send(f"/refundstars {charge}")
        refused = await admin.wait_message(contains="Telegram refused the refund")
        assert "Bad Request: <b>PAYMENT</b> & xxx" in refused.text  # shown as text, not markup
        assert "x" * 200 not in refused.text
        assert "5.00 USD was returned to the balance of 3103" in refused.text
        assert (await shop.user_row(3103)).balance == 5
        text = await history(bob)
        assert "Stars refund not made: amount returned" in text
        assert "Payment refunded" not in text
        assert shop.tg.refunds == [] and await shop.invariant_holds()
