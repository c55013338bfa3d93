"""Order fields that match what the panel charges (issue 15, point 6), end to end: the real bot
over the fake Bot API, the real panel client over HTTP against the fake panel, with the panel's
dialect profile set on the registry's client."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.jobs.scheduler import ShopScheduler
from bot.panel.profile import PanelProfile
from bot.shop import stats
from bot.telegram.middlewares import throttling
from tests.e2e.harness import Shop, running_shop
from tests.e2e.test_wizard import LINK, _svc, label, new_customer, open_service
from tests.fakes.bot_api import FakeUser
from tests.fakes.panel_server import FakePanel

CATALOG: list[dict[str, Any]] = [
    _svc(201, "Followers Drip", "Default", dripfeed=True),
    _svc(202, "Profile Package", "Package", rate="5", lo=1, hi=1),
    _svc(203, "Custom Comments", "Custom Comments", rate="10", lo=1, hi=5),
    _svc(204, "Plain Followers", "Default", rate="2.00", lo=10, hi=10000),
]
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SEPARATOR_ERROR = {"en": "must not contain a comma", "ar": "يجب ألا يحتوي أي إدخال على فاصلة"}
INTERVAL_ERROR = {
    "en": "takes only these intervals (minutes): 10, 60",
    "ar": "تقبل هذه الفواصل الزمنية فقط (بالدقائق): \u206610, 60\u2069",
}


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated customers click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


def fields_panel() -> FakePanel:
    panel = FakePanel()
    panel.set_catalog(CATALOG)
    return panel


def set_profile(shop: Shop, **fields: Any) -> None:
    shop.runtime.shop.panels.get("main").profile = PanelProfile(**fields)


async def confirm(shop: Shop, customer: FakeUser, language: str) -> None:
    await customer.click(label(language, "confirm"))
    await customer.wait_message(contains=label(language, "placed"))


async def test_package_order_sends_quantity_one(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        set_profile(shop, package_quantity=True)
        customer = await new_customer(shop, 7001)
        await open_service(customer, "Profile Package")
        await customer.send(LINK)
        await customer.wait_message(contains=label("en", "summary"))
        await confirm(shop, customer, "en")
        [add] = shop.panel.requests_for("add")
        assert add.fields == {"action": "add", "service": "202", "link": LINK, "quantity": "1"}
        [order] = await shop.orders()
        assert order.state == "pending" and order.charge == Decimal("6.50")  # one package
        assert await shop.invariant_holds()


async def test_dripfeed_order_sends_the_flag(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        set_profile(shop, dripfeed_flag=True)
        customer = await new_customer(shop, 7002)
        await open_service(customer, "Followers Drip")
        for action, value in (
            ("send", LINK),
            ("send", "100"),
            ("click", "yes"),
            ("send", "3"),
            ("send", "15"),
        ):
            if action == "click":
                await customer.click(label("en", value))
                await customer.wait_edit()
            else:
                await customer.send(value)
                await customer.wait_message()
        await confirm(shop, customer, "en")
        form = shop.panel.requests_for("add")[0].form
        assert form["dripfeed"] == "1"
        assert (form["quantity"], form["runs"], form["interval"]) == ("100", "3", "15")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_comment_with_the_panels_separator_is_refused(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        set_profile(shop, comment_separator=",")
        customer = await new_customer(shop, 7003, language)
        await open_service(customer, "Custom Comments", language)
        await customer.send(LINK)
        await customer.wait_message()
        # Three lines, one with a comma: that panel would deliver and bill four comments.
        await customer.send("great post\nlove it, really\nwow")
        refused = await customer.wait_message(contains=SEPARATOR_ERROR[language])
        assert label(language, "summary") not in refused.content
        assert (await shop.user_row(7003)).balance == Decimal("100")  # nothing charged
        await customer.send("great post\nlove it\nwow")  # still at the comments step
        summary = await customer.wait_message(contains=label(language, "summary"))
        assert "⚠️" not in summary.content
        await confirm(shop, customer, language)
        [add] = shop.panel.requests_for("add")
        assert add.form["comments"] == "great post,love it,wow"
        [order] = await shop.orders()
        assert order.quantity == 3 and order.charge == Decimal("0.04")  # 3 × 10/1000 × 1.3


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_interval_the_panel_does_not_take_is_refused(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        set_profile(shop, dripfeed_intervals=(10, 60))
        customer = await new_customer(shop, 7004, language)
        await open_service(customer, "Followers Drip", language)
        await customer.send(LINK)
        await customer.wait_message()
        await customer.send("100".translate(_ARABIC) if language == "ar" else "100")
        await customer.wait_message()
        await customer.click(label(language, "yes"))
        await customer.wait_edit()
        await customer.send("3")
        ask = await customer.wait_message()
        minutes = label(language, "delay:10")  # the same "N min" label as the delay buttons
        assert minutes in ask.button_texts and label(language, "delay:60") in ask.button_texts
        await customer.send("15")
        refused = await customer.wait_message(contains=INTERVAL_ERROR[language])
        assert label(language, "summary") not in refused.content
        assert minutes in refused.button_texts  # still at the interval step, choices offered
        await customer.click(minutes)
        summary = await customer.wait_edit(contains=label(language, "summary"))
        assert "⚠️" not in summary.content
        await confirm(shop, customer, language)
        assert shop.panel.requests_for("add")[0].form["interval"] == "10"
        assert not any(r.form.get("interval") == "15" for r in shop.panel.requests_for("add"))


async def test_a_charge_that_is_the_rate_is_not_stored_as_cost(tmp_path: Path) -> None:
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        customer = await new_customer(shop, 7005)
        for _ in range(2):  # two orders of 100 at a rate of 2.00 per 1000: cost 0.20 each
            await open_service(customer, "Plain Followers")
            await customer.send(LINK)
            await customer.wait_message()
            await customer.send("100")
            await customer.wait_message(contains=label("en", "summary"))
            await confirm(shop, customer, "en")
        first, second = sorted(await shop.orders(), key=lambda o: o.id)
        assert first.cost == second.cost == Decimal("0.2")
        shop.panel.set_order(
            first.panel_order_id, "In progress", charge="2.00000", remains="50"
        )  # the service's rate, not this order's cost
        shop.panel.set_order(
            second.panel_order_id, "In progress", charge="0.21", remains="50"
        )  # a real charge (the panel's price moved a bit)
        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()
        first, second = sorted(await shop.orders(), key=lambda o: o.id)
        assert first.panel_status == second.panel_status == "In progress"  # both were read
        assert first.panel_charge is None
        assert second.panel_charge == Decimal("0.21")
        figures = await stats.collect(shop.sessions, currency_rate=Decimal(1), precision=2)
        assert figures.money["today"].cost == Decimal("0.41")  # 0.20 expected + 0.21


async def test_profile_learned_after_the_summary_refuses_before_sending(tmp_path: Path) -> None:
    # The panel turned out to split on commas between the summary and Confirm: the client
    # refuses the form, nothing is sent, and the money comes back exactly once.
    async with running_shop(tmp_path, panel=fields_panel()) as shop:
        customer = await new_customer(shop, 7006)
        await open_service(customer, "Custom Comments")
        await customer.send(LINK)
        await customer.wait_message()
        await customer.send("great post\nlove it, really")
        await customer.wait_message(contains=label("en", "summary"))
        set_profile(shop, comment_separator=",")
        await customer.click(label("en", "confirm"))
        told = await customer.wait_message(contains="could not be placed")
        assert "separator" not in told.content and "comments" not in told.content
        assert shop.panel.requests_for("add") == []
        [order] = await shop.orders()
        assert order.state == "failed" and order.refunded == order.charge
        assert (await shop.user_row(7006)).balance == Decimal("100")
        assert await shop.invariant_holds()
