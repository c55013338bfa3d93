"""First contact, the menu, language switching and the fallbacks, in both languages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.telegram.i18n import LRI, PDI
from storage.models import User
from tests.e2e.harness import running_shop


async def test_start_creates_customer_guesses_language_and_stores_referrer(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        referrer = shop.customer(501, "en")
        await referrer.send("/start")
        await referrer.wait_message(contains="Welcome, User501")
        menu = await referrer.wait_message(contains="Main menu")
        assert [b.text for row in menu.buttons for b in row] == [
            "🛒 New order",
            "📦 My orders",
            "💰 Balance",
            "🌐 Language",
            "❓ Help",
            "👥 Invite friends",
            "💬 Support",
        ]
        await referrer.send("/invite")
        invite = await referrer.wait_message(contains="?start=")
        code = invite.text.split("?start=")[1].split()[0]

        arab = shop.customer(502, "ar-EG")
        await arab.send(f"/start {code}")
        await arab.wait_message(contains="أهلًا بك")
        await arab.wait_message(contains="القائمة الرئيسية")
        row = await shop.user_row(502)
        assert row.language == "ar"
        assert row.start_payload == code
        assert row.referrer_id == (await shop.user_row(501)).id


async def test_language_switch_is_stored_and_used(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        alice = shop.customer(601, "en")
        await alice.send("/start")
        await alice.wait_message(contains="Main menu")
        await alice.click("🌐 Language")
        await alice.wait_edit(contains="Choose your language")
        await alice.click("العربية 🇸🇦")
        edited = await alice.wait_edit(contains="القائمة الرئيسية")
        assert "🛒 طلب جديد" in [b.text for row in edited.buttons for b in row]
        assert (await shop.user_row(601)).language == "ar"
        await alice.send("/help")
        help_text = await alice.wait_message(contains="طريقة الاستخدام")
        assert f"{LRI}USD{PDI}" in help_text.text  # an LTR code isolated inside Arabic


async def test_commands_registered_per_language(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        await shop.tg.wait_updates_fetched()
        calls = [r for r in shop.tg.requests if r.method == "setMyCommands"]
        by_language = {
            r.params.get("language_code"): r
            for r in calls
            if "chat_id" not in str(r.params.get("scope"))
        }
        assert {None, "en", "ar"} <= set(by_language)
        assert "طلباتي" in str(by_language["ar"].params["commands"])
        assert "My orders" in str(by_language["en"].params["commands"])


async def test_cancel_and_unknown_input_and_stale_button(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        bob = shop.customer(701, "en")
        await bob.send("/cancel")
        await bob.wait_message(contains="nothing to cancel")
        await bob.send_photo(b"\x89PNG fake", caption="hi")
        await bob.wait_message(contains="did not understand")
        await bob.click(callback_data="zz:unknown", message=bob.last_message)
        answer = await bob.wait_callback_answer()
        assert "no longer active" in (answer.text or "")


async def test_banned_customer_gets_notice_only(tmp_path: Path) -> None:
    async with running_shop(tmp_path) as shop:
        eve = shop.customer(801, "ar")
        await eve.send("/start")
        await eve.wait_message(contains="القائمة")
        async with shop.sessions() as session, session.begin():
            user = await session.scalar(select(User).where(User.telegram_id == 801))
            assert user is not None
            user.is_banned = True
        shop.runtime.shop.recent_users.forget(801)  # as the admin console's ban does
        await eve.send("/menu")
        notice = await eve.wait_message()
        assert "تم إيقاف وصولك" in notice.text
        await eve.expect_no_message(quiet=0.3)
