"""Referral rewards and promo codes end to end, in English and Arabic, over the fake Bot API
and a fake panel: invite links, joins, the reward told once; /promo, the balance screen's
button, top-up bonuses on a Stars payment, /newpromo, /promos and the console screen."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.jobs.scheduler import ShopScheduler
from bot.shop import payments
from bot.telegram.i18n import LRI, PDI
from bot.telegram.middlewares import throttling
from storage.models import AuditLog, LedgerEntry, LedgerKind, PromoCode
from storage.types import utcnow
from tests.e2e.harness import Shop, running_shop
from tests.fakes.bot_api import FakeUser
from tests.jobs.factory import make_service, place_order

LINK = re.compile(r"https://t\.me/fake_test_bot\?start=([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated people click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


async def started(shop: Shop, telegram_id: int, language: str, args: str = "") -> FakeUser:
    user = shop.customer(telegram_id, language)
    await user.send(f"/start {args}".strip())
    await user.wait_message(contains="القائمة" if language == "ar" else "Main menu")
    return user


async def invite_code(user: FakeUser, contains: str) -> str:
    await user.send("/invite")
    screen = await user.wait_message(contains=contains)
    found = LINK.search(screen.text)
    assert found is not None, screen.text
    return found.group(1)


async def test_invite_link_join_and_reward_told_once_in_both_languages(tmp_path: Path) -> None:
    async with running_shop(tmp_path, referral_percent=Decimal(10)) as shop:
        alice = await started(shop, 7001, "en")
        await alice.click("👥 Invite friends")
        screen = await alice.wait_edit(contains="Invite friends")
        assert "nobody yet" in screen.text and "10% of what each order" in screen.text
        assert "does not take your reward back" in screen.text
        code = LINK.search(screen.text).group(1)  # type: ignore[union-attr]
        assert "7001" not in code

        bob = await started(shop, 7002, "ar", code)
        carol_code = await invite_code(bob, "ادعُ أصدقاءك")
        await started(shop, 7003, "en", carol_code)
        again = await invite_code(alice, "Joined through it: one person")
        assert again == code
        assert (await shop.user_row(7002)).referrer_id == (await shop.user_row(7001)).id
        assert (await shop.user_row(7003)).referrer_id == (await shop.user_row(7002)).id

        service = await make_service(shop.sessions, "main")
        for user_id in (7002, 7003):
            await shop.fund(user_id, "50")
        await place_order(shop.sessions, await shop.user_row(7002), service, "81", charge="10.00")
        await place_order(shop.sessions, await shop.user_row(7003), service, "82", charge="7.00")
        shop.panel.set_order("81", "Completed", remains="0")
        shop.panel.set_order("82", "Completed", remains="0")
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)

        await scheduler.run_statuses()
        told = await alice.wait_message(contains="A friend you invited finished an order")
        assert "1.00 USD" in told.text
        arabic = await bob.wait_message(contains="أنهى صديق دعوته طلبًا")
        assert f"{LRI}0.70 USD{PDI}" in arabic.text

        await scheduler.run_statuses()  # nothing new: the reward is paid and told once
        await alice.expect_no_message(quiet=0.3)
        await bob.expect_no_message(quiet=0.1)
        assert (await shop.user_row(7001)).balance == Decimal("1.00")
        assert (await shop.user_row(7002)).balance == Decimal("40.70")
        async with shop.sessions() as session:
            keys = list(
                await session.scalars(
                    select(LedgerEntry.idempotency_key).where(
                        LedgerEntry.kind == LedgerKind.REFERRAL.value
                    )
                )
            )
        assert len(keys) == 2 and all(key.startswith("referral:") for key in keys)
        await invite_code(alice, "Earned: 1.00 USD")
        assert await shop.invariant_holds()


async def test_self_and_cycle_refused_and_second_start_ignored(tmp_path: Path) -> None:
    async with running_shop(tmp_path, referral_percent=Decimal(5)) as shop:
        # Both open the invite screen before their first /start (the code exists already).
        dan, eve = shop.customer(7101, "en"), shop.customer(7102, "ar")
        dan_code = await invite_code(dan, "Invite friends")
        eve_code = await invite_code(eve, "ادعُ أصدقاءك")
        await dan.send(f"/start {dan_code}")  # himself
        await dan.wait_message(contains="Main menu")
        assert (await shop.user_row(7101)).referrer_id is None
        await eve.send(f"/start {dan_code}")
        await eve.wait_message(contains="القائمة")
        assert (await shop.user_row(7102)).referrer_id == (await shop.user_row(7101)).id
        await dan.send(f"/start {eve_code}")  # dan's first /start was used up above
        await dan.wait_message(contains="Main menu")
        assert (await shop.user_row(7101)).referrer_id is None

        # A cycle at a genuine first /start: frank invites gina; gina's code for frank.
        frank, gina = shop.customer(7103, "en"), shop.customer(7104, "en")
        frank_code = await invite_code(frank, "Invite friends")
        gina_code = await invite_code(gina, "Invite friends")
        await gina.send(f"/start {frank_code}")
        await gina.wait_message(contains="Main menu")
        await frank.send(f"/start {gina_code}")
        await frank.wait_message(contains="Main menu")
        assert (await shop.user_row(7104)).referrer_id == (await shop.user_row(7103)).id
        assert (await shop.user_row(7103)).referrer_id is None
        # The old raw-Telegram-ID links do nothing.
        await started(shop, 7105, "en", "ref_7101")
        assert (await shop.user_row(7105)).referrer_id is None


async def test_promo_codes_commands_credit_expiry_and_max_uses(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        admin = shop.admin()
        await admin.send("/newpromo WELCOME 5 uses=1 days=30")
        created = await admin.wait_message(contains="Promo code created")
        assert "WELCOME" in created.text and "used 0 of 1" in created.text
        await admin.send("/newpromo WELCOME 5")
        await admin.wait_message(contains="exists already")
        await admin.send("/newpromo X")
        bad = await admin.wait_message(contains="I could not read that")
        assert "/newpromo CODE PERCENT%" in bad.text
        await admin.send("/newpromo OLD 2 days=1")
        await admin.wait_message(contains="Promo code created")

        ali = await started(shop, 7201, "en")
        await ali.send("/promo welcome")
        done = await ali.wait_message(contains="redeemed")
        assert "5.00 USD" in done.text
        await ali.send("/promo WELCOME")
        await ali.wait_message(contains="already used")

        # The balance screen's button, in Arabic: the last use is gone.
        sara = await started(shop, 7202, "ar")
        await sara.send("/balance")
        await sara.wait_message(contains="رصيدك")
        await sara.click("🎟 كود ترويجي")
        await sara.wait_message(contains="أرسل الكود الترويجي")
        await sara.send("nope!")
        await sara.wait_message(contains="لا يبدو كودًا")  # the prompt stays
        await sara.send("WELCOME")
        await sara.wait_message(contains="نفدت استخدامات الكود")
        async with shop.sessions() as session, session.begin():
            await session.execute(
                update(PromoCode)
                .where(PromoCode.code == "OLD")
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        await sara.send("/promo old")
        await sara.wait_message(contains="انتهت صلاحية الكود")
        assert (await shop.user_row(7202)).balance == 0
        assert (await shop.user_row(7201)).balance == Decimal(5)

        # Customers cannot create codes: the command does not exist for them.
        await ali.send("/newpromo FREE 100")
        await ali.wait_message(contains="did not understand")
        await admin.send("/promos")
        listing = await admin.wait_message(contains="Promo codes")
        assert "used 1 of 1" in listing.text
        assert "FREE" not in listing.text
        async with shop.sessions() as session:
            actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
            assert actions.count("promo.create") == 2 and actions.count("promo.redeem") == 1
            assert await session.scalar(select(func.count()).select_from(PromoCode)) == 2
        assert await shop.invariant_holds()


async def paid_without_ui(shop: Shop, user: FakeUser, amount: str) -> str:
    """A genuine invoice paid in one update (as tests/e2e/test_payments.py does)."""
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


async def test_percent_bonus_paid_on_the_next_stars_topup(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        admin = shop.admin()
        await admin.send("/newpromo BONUS٢٠ 20%")
        await admin.wait_message(contains="20% top-up bonus")
        nour = await started(shop, 7301, "ar")
        await nour.send("/promo bonus20")
        pending = await nour.wait_message(contains="شحنتك القادمة")
        assert f"{LRI}20{PDI}٪" in pending.text
        await paid_without_ui(shop, nour, "10")
        bonus = await nour.wait_message(contains="مكافأة الكود الترويجي")
        assert f"{LRI}2.00 USD{PDI}" in bonus.text
        await paid_without_ui(shop, nour, "5")  # the next top-up: no bonus any more
        await nour.expect_no_message(quiet=0.3)
        assert (await shop.user_row(7301)).balance == Decimal("17.00")
        await nour.send("/balance")
        history = await nour.wait_message(contains="رصيدك")
        assert "مكافأة شحن من كود ترويجي" in history.text
        assert await shop.invariant_holds()


async def test_console_lists_disables_creates_and_sets_referral_percent(tmp_path: Path) -> None:
    async with running_shop(tmp_path, referral_percent=Decimal(3)) as shop:
        admin = shop.admin("ar")
        await admin.send("/language")
        await admin.wait_message()
        await admin.click("العربية 🇸🇦")
        await admin.wait_edit()
        await admin.send("/newpromo SPRING 3 uses=10")
        await admin.wait_message(contains="تم إنشاء الكود")
        await admin.send("/admin")
        await admin.wait_message(contains="لوحة الإدارة")
        await admin.click("🎟 الأكواد الترويجية")
        screen = await admin.wait_edit(contains="SPRING")
        assert "👥 مكافأة الدعوة: 3٪" in [b.text for row in screen.buttons for b in row]
        await admin.click("⛔ تعطيل SPRING")
        disabled = await admin.wait_edit(contains="⛔ معطّل")
        assert "⛔ تعطيل SPRING" not in [b.text for row in disabled.buttons for b in row]

        await admin.click("➕ كود جديد")
        await admin.wait_edit(contains="أرسل الكود الجديد")
        await admin.send("x")
        await admin.wait_message(contains="الكود من 3 إلى 32")
        await admin.send("summer")
        await admin.wait_message(contains="أرسل المبلغ")
        await admin.send("١٥٪")
        await admin.wait_message(contains="كم مرة")
        await admin.send("-")
        await admin.wait_message(contains="صالح لكم يومًا")
        await admin.send("٧")
        await admin.wait_message(contains="تم إنشاء الكود")
        listing = await admin.wait_message(contains="SUMMER")
        assert "مكافأة شحن" in listing.text

        await admin.click("👥 مكافأة الدعوة: 3٪", message=listing)
        await admin.wait_edit(contains="مكافأة الدعوة")
        await admin.send("250")
        await admin.wait_message(contains="أرسل نسبة من 0 إلى 100")
        await admin.send("12.5")
        await admin.wait_message(contains="مكافأة الدعوة: ")
        async with shop.sessions() as session:
            summer = await session.scalar(select(PromoCode).where(PromoCode.code == "SUMMER"))
            assert summer is not None and summer.max_uses is None
            assert summer.expires_at is not None
            actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["promo.create", "promo.disable", "promo.create", "referral.percent"]
        # A customer pressing a forged console button gets nothing from it.
        guest = await started(shop, 7401, "en")
        await guest.click(callback_data="pr:off:1", message=guest.last_message)
        answer = await guest.wait_callback_answer()
        assert "no longer active" in (answer.text or "")
