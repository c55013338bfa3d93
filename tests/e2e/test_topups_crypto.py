"""Crypto top-ups end to end: the whole bot against the fake Bot API and the fake Crypto Pay
server over HTTP; payment learned by polling and by the webhook on the bot's own web server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.jobs.crypto_invoices import poll_crypto_invoices
from bot.runtime import Runtime
from bot.shop import crypto_topups
from storage.models import LedgerEntry, Payment, User
from tests.e2e.harness import Shop, make_settings, running_shop, shop_database
from tests.fakes.bot_api import FakeTelegram, FakeUser
from tests.fakes.crypto_pay import FakeCryptoPay
from tests.fakes.panel_server import FakePanel
from tests.test_webhook import SECRET, TOKEN, free_port

TEXTS = {
    "en": {
        "menu": "Main menu",
        "top_up": "➕ Top up",
        "crypto": "💎 Crypto (@CryptoBot)",
        "invoice": "Invoice #",
        "pay": "💎 Pay in @CryptoBot",
        "paid": "Crypto payment received",
        "expired": "expired unpaid",
        "too_small": "The smallest top-up is",
    },
    "ar": {
        "menu": "القائمة",
        "top_up": "➕ شحن الرصيد",
        "crypto": "💎 عملات رقمية (@CryptoBot)",
        "invoice": "الفاتورة رقم",
        "pay": "💎 ادفع في @CryptoBot",
        "paid": "وصلت دفعتك بالعملات الرقمية",
        "expired": "انتهت صلاحية فاتورتك",
        "too_small": "أقل مبلغ للشحن هو",
    },
}


async def started(shop: Shop, telegram_id: int, language: str) -> FakeUser:
    user = shop.customer(telegram_id, language)
    await user.send("/start")
    await user.wait_message(contains=TEXTS[language]["menu"])
    return user


async def credited(shop: Shop) -> list[Decimal]:
    async with shop.sessions() as session:
        return list(await session.scalars(select(LedgerEntry.amount).order_by(LedgerEntry.id)))


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_invoice_paid_is_credited_once_by_the_poll(tmp_path: Path, language: str) -> None:
    texts = TEXTS[language]
    async with (
        FakeCryptoPay() as cp,
        running_shop(tmp_path, crypto_pay_token=cp.token, crypto_pay_api_url=cp.url) as shop,
    ):
        ann = await started(shop, 4101, language)
        await ann.send("/balance")
        await ann.wait_message()
        await ann.click(texts["top_up"])
        await ann.wait_edit()
        await ann.click(texts["crypto"])
        screen = await ann.wait_edit()
        assert "USDT, TON, BTC" in (screen.text or "")
        assert screen.buttons[0][0].data == "cp:5.00"
        await ann.click(callback_data="cp:custom")
        await ann.wait_message()
        await ann.send("0.5")  # below TOPUP_MIN: told, stays in the step
        await ann.wait_message(contains=texts["too_small"])
        await ann.send("12")
        invoice = await ann.wait_message(contains=texts["invoice"])
        assert invoice.buttons[0][0].text == texts["pay"]
        assert (invoice.buttons[0][0].data or "").startswith("https://t.me/CryptoTestnetBot")
        (invoice_id,) = cp.invoices
        sent = cp.invoices[invoice_id]
        assert (sent.amount, sent.fiat, sent.accepted_assets) == ("12.00", "USD", "USDT,TON,BTC")

        await poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier)  # still active
        assert await credited(shop) == []
        cp.pay(invoice_id)
        await asyncio.gather(
            poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier),
            poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier),
        )
        receipt = await ann.wait_message(contains=texts["paid"])
        assert "12.00" in (receipt.text or "")
        await poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier)
        await ann.expect_no_message(quiet=0.3)
        assert await credited(shop) == [Decimal("12.00")]
        assert (await shop.user_row(4101)).balance == Decimal("12.00")
        assert await shop.invariant_holds()


async def test_expired_invoice_is_closed_and_told(tmp_path: Path) -> None:
    async with (
        FakeCryptoPay() as cp,
        running_shop(tmp_path, crypto_pay_token=cp.token, crypto_pay_api_url=cp.url) as shop,
    ):
        ben = await started(shop, 4102, "ar")
        await ben.send("/balance")
        await ben.wait_message()
        await ben.click(TEXTS["ar"]["top_up"])
        await ben.wait_edit()
        await ben.click(TEXTS["ar"]["crypto"])
        await ben.wait_edit()
        await ben.click(callback_data="cp:10.00")
        await ben.wait_message(contains=TEXTS["ar"]["invoice"])
        (invoice_id,) = cp.invoices
        cp.expire(invoice_id)
        await poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier)
        await ben.wait_message(contains=TEXTS["ar"]["expired"])
        await poll_crypto_invoices(shop.runtime.shop, shop.runtime.notifier)
        await ben.expect_no_message(quiet=0.3)
        async with shop.sessions() as session:
            assert await session.scalar(select(Payment.status)) == "expired"
        assert await credited(shop) == []


async def test_no_crypto_button_without_a_token(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        cal = await started(shop, 4103, "en")
        await cal.send("/balance")
        await cal.wait_message()
        await cal.click("➕ Top up")
        screen = await cal.wait_edit(contains="Rate: 1 USD = 50 ⭐")  # Stars only: their screen
        assert "💎" not in str(screen.buttons)
        await cal.click(callback_data="tp:crypto", message=screen)  # forged: no invoice
        await cal.expect_no_message(quiet=0.3)


@contextlib.asynccontextmanager
async def webhook_shop(
    tmp_path: Path, cp: FakeCryptoPay
) -> AsyncIterator[tuple[FakeTelegram, Runtime, str]]:
    port = free_port()
    async with FakeTelegram(token=TOKEN) as tg, FakePanel() as panel:
        config = make_settings(
            await shop_database(tmp_path),
            panel.url,
            telegram_api_url=tg.url,
            webhook_url=f"http://127.0.0.1:{port}/tg/hook",
            webhook_secret=SECRET,
            webhook_port=port,
            crypto_pay_token=cp.token,
            crypto_pay_api_url=cp.url,
        )
        runtime = await Runtime.start(config, background=False)
        task = asyncio.create_task(runtime.serve_webhook())
        try:
            await tg.wait_until(lambda: bool(tg.calls("setWebhook")), 10)
            yield tg, runtime, f"http://127.0.0.1:{port}/cryptopay"
        finally:
            await runtime.stop()
            await asyncio.wait_for(task, 10)


async def test_webhook_signature_duplicates_and_poll_race(tmp_path: Path) -> None:
    async with FakeCryptoPay() as cp, webhook_shop(tmp_path, cp) as (tg, runtime, url):
        dora = tg.user(4104, first_name="Dora", language_code="ar")
        shop = runtime.shop
        assert shop.crypto_pay is not None
        made = await crypto_topups.create(
            shop.sessions,
            shop.crypto_pay,
            shop.settings,
            telegram_id=dora.id,
            amount=Decimal("7.50"),
            description="test",
        )
        async with shop.sessions() as session, session.begin():  # as /start would have set
            await session.execute(
                update(User).where(User.telegram_id == dora.id).values(language="ar")
            )
        cp.pay(made.invoice_id)
        body = cp.delivery(made.invoice_id)

        assert await cp.deliver(url, made.invoice_id, body=body, forged=True) == 401
        tampered = body.replace(b'"7.50"', b'"750.00"')
        assert await cp.deliver(url, made.invoice_id, body=tampered, forged=True) == 401
        async with runtime.shop.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 0

        statuses = await asyncio.gather(
            *(cp.deliver(url, made.invoice_id, body=body) for _ in range(3)),
            poll_crypto_invoices(shop, runtime.notifier),
        )
        assert statuses[:3] == [200, 200, 200]
        await dora.wait_message(contains="وصلت دفعتك بالعملات الرقمية")
        await dora.expect_no_message(quiet=0.3)
        async with shop.sessions() as session:
            amounts = list(await session.scalars(select(LedgerEntry.amount)))
        assert amounts == [Decimal("7.50")]
        # Another update type, or a body that is no update: acknowledged, nothing done.
        other = b'{"update_id": 9, "update_type": "something_else", "payload": {}}'
        assert await cp.deliver(url, made.invoice_id, body=other) == 200
