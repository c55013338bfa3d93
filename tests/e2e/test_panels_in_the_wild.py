"""Panels in the wild (issue 15): the real bot against a fake panel speaking one real panel
script's dialect (tests/fakes/panel_server.py `Quirk`), over real HTTP. For every quirk the bot
places, polls, refills and cancels as applicable; each test checks the money (the ledger
invariant, refunds exactly once), what reached the panel (a write is never sent twice) and what
the customer saw, in English and Arabic."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, or_, select

from bot.jobs.scheduler import ShopScheduler
from bot.telegram.middlewares import throttling
from storage.models import LedgerEntry, Order, Refill
from tests.e2e.harness import Shop, running_shop, shop_database
from tests.fakes.bot_api import FakeUser
from tests.fakes.panel_server import ERR_IDS_REQUIRED, FakePanel, Quirk

LINK = "https://instagram.com/p/abc"
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _svc(
    sid: int,
    name: str,
    type_: str,
    rate: str = "1.00",
    lo: int = 10,
    hi: int = 10000,
    **flags: bool,
) -> dict[str, Any]:
    return {
        "service": sid,
        "name": name,
        "type": type_,
        "category": "Instagram",
        "rate": rate,
        "min": str(lo),
        "max": str(hi),
        "refill": flags.get("refill", False),
        "cancel": flags.get("cancel", False),
        "dripfeed": flags.get("dripfeed", False),
    }


CATALOG = [
    _svc(1, "Wild Followers", "Default", refill=True, cancel=True),
    _svc(2, "Wild Dripfeed", "Default", dripfeed=True),
    _svc(3, "Wild Package", "Package", rate="5"),
    _svc(4, "Wild Comments", "Custom Comments", rate="10", lo=1, hi=10),
    _svc(5, "Wild Likers", "Mentions Media Likers"),
]

# Customer-facing fragments (locales/en, locales/ar), and the buttons a customer presses.
TEXT = {
    "en": {
        "order": "🛒 Order",
        "yes": "✅ Yes",
        "confirm": "✅ Confirm order",
        "placed": "placed.",
        "failed": "could not be placed",
        "partial": "was completed partially",
        "canceled": "canceled by the provider",
        "refill": "♻️ Refill",
        "refill_ok": "Refill requested for order",
        "cancel": "✖️ Cancel order",
        "cancel_yes": "✅ Yes, cancel it",
        "cancel_ok": "Cancellation requested for order",
        "refill_done": "is completed",
        "warn": "⚠️",
    },
    "ar": {
        "order": "🛒 اطلب الآن",
        "yes": "✅ نعم",
        "confirm": "✅ تأكيد الطلب",
        "placed": "تم تقديم الطلب",
        "failed": "تعذّر",
        "partial": "جزئيًا",
        "canceled": "ألغى المزوّد الطلب",
        "refill": "♻️ إعادة تعبئة",
        "refill_ok": "تم طلب إعادة التعبئة",
        "cancel": "✖️ إلغاء الطلب",
        "cancel_yes": "✅ نعم، ألغِه",
        "cancel_ok": "تم طلب إلغاء الطلب",
        "refill_done": "اكتملت إعادة تعبئة",
        "warn": "⚠️",
    },
}

# Words a panel sends that must never reach a customer verbatim.
RAW_PANEL_WORDS = (
    "order id(s) required",
    "The selected",
    "sufficient balance",
    "Quantity is required",
    "'status'",
    "{",
    "Incorrect",
)


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated customers click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


def wild_panel(*quirks: Quirk, dialect: str = "v2") -> FakePanel:
    panel = FakePanel(dialect=dialect, quirks=set(quirks))
    panel.set_catalog(CATALOG)
    return panel


# -- driving the real bot ------------------------------------------------------------------------


async def new_customer(shop: Shop, telegram_id: int, language: str) -> FakeUser:
    customer = shop.customer(telegram_id, language)
    await customer.send("/start")
    await customer.wait_message(contains="🏪")
    await shop.fund(telegram_id, "100")
    return customer


async def place(customer: FakeUser, language: str, name: str, steps: list[tuple[str, str]]) -> str:
    """Order `name` through the wizard; returns the bot's answer to Confirm (or to the first
    step it refused, with ⚠️)."""
    await customer.send(name)
    # Every wait is tied to the search results' message: an earlier screen that names the
    # service (an order's card being refreshed) may still be edited meanwhile.
    results = await customer.wait_message(contains=f"1. {name}")
    await customer.click(f"1. {name}", message=results)
    card = await customer.wait_edit(contains=name, message=results)
    await customer.click(TEXT[language]["order"], message=card)
    await customer.wait_edit(contains=name, message=card)
    for action, value in steps:
        if action == "click":
            await customer.click(TEXT[language][value])
            reply = (await customer.wait_edit()).content
        else:
            text = (
                value.translate(_ARABIC_DIGITS) if action == "num" and language == "ar" else value
            )
            await customer.send(text)
            reply = (await customer.wait_message()).content
        if "⚠️" in reply:
            return reply
    await customer.click(TEXT[language]["confirm"])
    return (await customer.wait_message(contains="#" if language == "en" else None)).content


async def open_order(customer: FakeUser, order_id: int) -> None:
    await customer.send("/orders")
    listing = await customer.wait_message()
    await customer.click(callback_data=f"o:v:{order_id}:0", message=listing)
    await customer.wait_edit(contains=str(order_id) if customer.language_code == "en" else None)


async def refill(customer: FakeUser, language: str, order_id: int) -> str:
    await open_order(customer, order_id)
    await customer.click(TEXT[language]["refill"])
    return (await customer.wait_callback_answer()).text or ""


async def cancel(customer: FakeUser, language: str, order_id: int) -> str:
    await open_order(customer, order_id)
    await customer.click(TEXT[language]["cancel"])
    await customer.wait_edit()
    await customer.click(TEXT[language]["cancel_yes"])
    return (await customer.wait_callback_answer()).text or ""


async def order_of(shop: Shop, telegram_id: int, index: int = -1) -> Order:
    user = await shop.user_row(telegram_id)
    return [o for o in await shop.orders() if o.user_id == user.id][index]


async def refund_entries(shop: Shop, order_id: int) -> int:
    async with shop.sessions() as session:
        key = LedgerEntry.idempotency_key
        return int(
            await session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(or_(key == f"refund:{order_id}", key.like(f"refund:{order_id}:%")))
            )
            or 0
        )


def no_raw_panel_text(text: str) -> None:
    for raw in RAW_PANEL_WORDS:
        assert raw not in text, f"panel text {raw!r} reached a customer: {text!r}"


def writes_once(panel: FakePanel, action: str, ids: list[str]) -> None:
    """Each order ID appears in at most one `action` request the panel received."""
    seen = [
        i
        for r in panel.requests_for(action)
        for name in ("order", "orders", "refill", "refills")
        for i in r.form.get(name, "").split(",")
        if i
    ]
    for oid in ids:
        assert seen.count(oid) <= 1, f"{action} sent twice for {oid}: {seen}"


# -- the lifecycle on every request-form quirk -----------------------------------------------------


@dataclass(frozen=True)
class Wild:
    quirk: Quirk | None
    language: str
    profile: dict[str, Any]  # what the owner pins (empty: the bot must cope or learn)


LIFECYCLE = [
    Wild(None, "en", {}),  # the documented API: the control
    Wild(Quirk.NO_MULTI_STATUS, "ar", {}),
    Wild(Quirk.MULTI_STATUS_422, "en", {}),
    Wild(Quirk.MULTISTATUS_ACTION, "en", {}),
    Wild(Quirk.ORDERS_ACTION, "ar", {}),
    Wild(Quirk.STATUS_WORDS, "ar", {}),
    Wild(Quirk.CHARGE_IS_RATE, "en", {}),
    Wild(Quirk.CANCEL_STATUS_SHAPE, "ar", {}),
    Wild(Quirk.NO_MULTI_REFILL, "en", {}),
    Wild(Quirk.REFILL_PARAM_REFILL, "ar", {"refill_param": "refill"}),
    Wild(Quirk.REFILL_PARAM_REFILLS, "en", {"refill_param": "refills"}),
    Wild(Quirk.REFILL_LIST_NO_ORDER, "en", {}),
    Wild(Quirk.ERROR_TEXTS, "ar", {}),
]


@pytest.mark.parametrize("case", LIFECYCLE, ids=lambda c: f"{c.quirk or 'documented'}-{c.language}")
async def test_place_poll_cancel_refill(tmp_path: Path, case: Wild) -> None:
    quirks = (case.quirk,) if case.quirk else ()
    async with running_shop(
        tmp_path, panel=wild_panel(*quirks), panel_profile=case.profile
    ) as shop:
        panel, lang, t = shop.panel, case.language, TEXT[case.language]
        customer = await new_customer(shop, 7001, lang)
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)

        # Places two orders through the wizard: one of 1000 (to end partial), one of 500.
        for quantity in ("1000", "500"):
            placed = await place(
                customer, lang, "Wild Followers", [("send", LINK), ("num", quantity)]
            )
            assert t["placed"] in placed, placed
        first, second = await order_of(shop, 7001, 0), await order_of(shop, 7001, 1)
        pids = [first.panel_order_id or "", second.panel_order_id or ""]
        assert len(panel.requests_for("add")) == 2
        panel.set_order(pids[0], "Partial", remains="400", charge="1.00000")
        panel.set_order(pids[1], "In progress", remains="500", charge="0.50000")

        # Polls: the partial one is refunded 40 %, once, however often the poller runs.
        for _ in range(3):
            await scheduler.run_statuses()
        told = await customer.wait_message(contains=t["partial"])
        no_raw_panel_text(told.text)
        first = await order_of(shop, 7001, 0)
        assert first.state == "partial"
        assert first.refunded == (first.charge * Decimal("0.4")).quantize(Decimal("0.01"))
        assert await refund_entries(shop, first.id) == 1
        second = await order_of(shop, 7001, 1)
        assert second.state == "in_progress"
        if case.quirk is Quirk.CHARGE_IS_RATE:
            # "charge" 1.00 for an order of 500 at 1.00 per 1000 is the rate, not the cost.
            assert second.panel_charge in (None, Decimal("0.5"))

        # Cancels the running one: one cancel request; refunded in full once it is Canceled.
        answer = await cancel(customer, lang, second.id)
        assert t["cancel_ok"] in answer, answer
        no_raw_panel_text(answer)
        if case.quirk is not Quirk.CANCEL_STATUS_SHAPE:  # that panel cancels at once
            panel.set_order(pids[1], "Canceled", remains="500")
        for _ in range(2):
            await scheduler.run_statuses()
        told = await customer.wait_message(contains=t["canceled"])
        no_raw_panel_text(told.text)
        second = await order_of(shop, 7001, 1)
        assert second.state == "canceled" and second.refunded == second.charge
        assert await refund_entries(shop, second.id) == 1

        # Refills the partial one: one refill request; the refill is followed to its end.
        answer = await refill(customer, lang, first.id)
        assert t["refill_ok"] in answer, answer
        async with shop.sessions() as session:
            [stored] = list(await session.scalars(select(Refill)))
        assert stored.state == "pending" and stored.panel_refill_id
        panel.set_refill(stored.panel_refill_id, "Completed")
        await scheduler.run_refills()
        told = await customer.wait_message(contains=t["refill_done"])
        async with shop.sessions() as session:
            [stored] = list(await session.scalars(select(Refill)))
        assert stored.state == "completed"

        # What reached the panel: every write once, in the form this panel reads.
        for action in ("add", "cancel", "refill"):
            writes_once(panel, action, pids)
        assert len(panel.requests_for("cancel")) == 1
        assert len(panel.requests_for("refill")) == 1
        if case.quirk in (Quirk.REFILL_PARAM_REFILL, Quirk.REFILL_PARAM_REFILLS):
            param = case.profile["refill_param"]
            assert panel.requests_for("refill")[0].fields == {"action": "refill", param: pids[0]}
        balance = Decimal("100") - first.charge + first.refunded
        assert (await shop.user_row(7001)).balance == balance
        assert await shop.invariant_holds()
        for message in customer.messages:
            if message.text and ("#" in message.text or "\u2066" in message.text):
                assert ERR_IDS_REQUIRED not in message.text


# -- order fields: what the customer is charged is what the panel delivers and bills -----------

REASON = {  # locales/*/panel_reasons.ftl
    "unavailable": {
        "en": "the provider is temporarily unavailable.",
        "ar": "المزوّد غير متاح مؤقتًا.",
    },
    "not_found": {
        "en": "the provider did not find this order.",
        "ar": "لم يعثر المزوّد على هذا الطلب.",
    },
}


@dataclass(frozen=True)
class Fields:
    quirk: Quirk
    language: str
    profile: dict[str, Any]
    service: str
    steps: list[tuple[str, str]]
    form: dict[str, str]  # what the panel must receive besides action/service


FIELD_CASES = [
    Fields(
        Quirk.PACKAGE_NEEDS_QUANTITY,
        "en",
        {"package_quantity": True},
        "Wild Package",
        [("send", LINK)],
        {"link": LINK, "quantity": "1"},
    ),
    Fields(
        Quirk.DRIPFEED_NEEDS_FLAG,
        "ar",
        {"dripfeed_flag": True},
        "Wild Dripfeed",
        [("send", LINK), ("num", "100"), ("click", "yes"), ("num", "3"), ("num", "15")],
        {"link": LINK, "quantity": "100", "runs": "3", "interval": "15", "dripfeed": "1"},
    ),
    Fields(
        Quirk.MEDIA_URL,
        "en",
        {"media_field": "media_url"},
        "Wild Likers",
        [("send", LINK), ("num", "100"), ("send", "https://instagram.com/p/m1")],
        {"link": LINK, "quantity": "100", "media_url": "https://instagram.com/p/m1"},
    ),
    Fields(
        Quirk.COMMA_COMMENTS,
        "ar",
        {"comment_separator": ","},
        "Wild Comments",
        [("send", LINK), ("send", "nice\ngreat\nwow")],
        {"link": LINK, "comments": "nice,great,wow"},
    ),
]


@pytest.mark.parametrize("case", FIELD_CASES, ids=lambda c: f"{c.quirk}-{c.language}")
async def test_pinned_profile_sends_the_fields_the_panel_bills(
    tmp_path: Path, case: Fields
) -> None:
    async with running_shop(
        tmp_path, panel=wild_panel(case.quirk), panel_profile=case.profile
    ) as shop:
        customer = await new_customer(shop, 7101, case.language)
        placed = await place(customer, case.language, case.service, case.steps)
        assert TEXT[case.language]["placed"] in placed, placed
        [add] = shop.panel.requests_for("add")
        assert {k: v for k, v in add.fields.items() if k not in ("action", "service")} == case.form
        order = await order_of(shop, 7101)
        assert order.state == "pending"
        # The panel delivers (and bills) exactly what the customer paid for.
        assert shop.panel.delivered[order.panel_order_id or ""] == (order.quantity or 1)
        kept = shop.panel.order_forms[order.panel_order_id or ""]
        assert {k: v for k, v in kept.items() if k in case.form} == case.form  # none dropped
        assert (await shop.user_row(7101)).balance == Decimal("100") - order.charge
        assert await shop.invariant_holds()


# One language per test below keeps the file quick; the matrix covers both.
@pytest.mark.parametrize("language", ["ar"])
async def test_a_comment_with_the_panels_separator_is_refused_before_sending(
    tmp_path: Path, language: str
) -> None:
    """Three lines, one with a comma, would be billed as four by a comma-splitting panel."""
    async with running_shop(
        tmp_path, panel=wild_panel(Quirk.COMMA_COMMENTS), panel_profile={"comment_separator": ","}
    ) as shop:
        customer = await new_customer(shop, 7201, language)
        refused = await place(
            customer,
            language,
            "Wild Comments",
            [("send", LINK), ("send", "nice\ngreat, really\nwow")],
        )
        assert "⚠️" in refused and "," in refused, refused  # says why, in the customer's words
        assert shop.panel.requests_for("add") == []
        assert (await shop.user_row(7201)).balance == Decimal("100")
        await customer.send("nice\ngreat really\nwow")
        await customer.wait_message()
        await customer.click(TEXT[language]["confirm"])
        await customer.wait_message(contains=TEXT[language]["placed"])
        [add] = shop.panel.requests_for("add")
        order = await order_of(shop, 7201)
        assert add.fields["comments"] == "nice,great really,wow"
        assert shop.panel.delivered[order.panel_order_id or ""] == order.quantity == 3
        assert await shop.invariant_holds()


@pytest.mark.parametrize("language", ["en"])
async def test_an_interval_the_panel_does_not_accept_is_refused_before_sending(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(
        tmp_path,
        panel=wild_panel(Quirk.DRIPFEED_INTERVALS),
        panel_profile={"dripfeed_intervals": [15, 30, 60]},
    ) as shop:
        customer = await new_customer(shop, 7301, language)
        steps = [("send", LINK), ("num", "100"), ("click", "yes"), ("num", "3")]
        refused = await place(customer, language, "Wild Dripfeed", [*steps, ("num", "20")])
        # Refused in the wizard (⚠️), or at Confirm with the money returned at once: either
        # way the panel never sees an interval it would not run.
        assert shop.panel.requests_for("add") == []
        assert (await shop.user_row(7301)).balance == Decimal("100")
        no_raw_panel_text(refused)
        if "⚠️" in refused:  # offered the intervals it takes as buttons
            await customer.click("30 min" if language == "en" else "30 د")
            await customer.wait_edit()
            await customer.click(TEXT[language]["confirm"])
            await customer.wait_message(contains=TEXT[language]["placed"])
        else:
            assert TEXT[language]["failed"] in refused, refused
            placed = await place(customer, language, "Wild Dripfeed", [*steps, ("num", "30")])
            assert TEXT[language]["placed"] in placed, placed
        [add] = shop.panel.requests_for("add")
        assert add.fields["interval"] == "30" and add.fields["runs"] == "3"
        assert await shop.invariant_holds()


async def test_charge_per_run_without_the_dripfeed_flag_is_what_this_panel_bills(
    tmp_path: Path,
) -> None:
    """The harm DRIPFEED_NEEDS_FLAG does when nobody pins it: the panel runs one run of three
    (the documented form is sent; the profile is what fixes it, see the test above)."""
    async with running_shop(tmp_path, panel=wild_panel(Quirk.DRIPFEED_NEEDS_FLAG)) as shop:
        customer = await new_customer(shop, 7401, "en")
        await place(
            customer,
            "en",
            "Wild Dripfeed",
            [("send", LINK), ("num", "100"), ("click", "yes"), ("num", "3"), ("num", "15")],
        )
        order = await order_of(shop, 7401)
        assert order.quantity == 300
        assert shop.panel.delivered[order.panel_order_id or ""] == 100


# -- learning from a definite "wrong parameter" answer: the next write, never the same one -------


@pytest.mark.parametrize(
    ("quirk", "service", "steps", "field_name"),
    [
        pytest.param(Quirk.PACKAGE_NEEDS_QUANTITY, "Wild Package", [("send", LINK)], "quantity"),
    ],
)
@pytest.mark.parametrize("language", ["ar"])
async def test_a_refused_form_is_refunded_once_and_the_next_order_is_placed(
    tmp_path: Path,
    quirk: Quirk,
    service: str,
    steps: list[tuple[str, str]],
    field_name: str,
    language: str,
) -> None:
    async with running_shop(tmp_path, panel=wild_panel(quirk)) as shop:
        customer = await new_customer(shop, 7501, language)
        failed = await place(customer, language, service, steps)
        assert TEXT[language]["failed"] in failed, failed
        no_raw_panel_text(failed)
        first = await order_of(shop, 7501)
        assert first.state == "failed" and first.refunded == first.charge
        assert await refund_entries(shop, first.id) == 1
        assert len(shop.panel.requests_for("add")) == 1  # never re-sent in another form

        placed = await place(customer, language, service, steps)
        assert TEXT[language]["placed"] in placed, placed
        adds = shop.panel.requests_for("add")
        assert len(adds) == 2 and field_name in adds[1].fields
        assert (await shop.user_row(7501)).balance == Decimal("100") - (
            await order_of(shop, 7501)
        ).charge
        assert await shop.invariant_holds()


# -- status words and error texts -----------------------------------------------------------------


@pytest.mark.parametrize(("word", "language"), [("Fail", "en"), ("error", "ar")])
async def test_a_panel_that_gave_up_is_refunded_like_canceled(
    tmp_path: Path, word: str, language: str
) -> None:
    async with running_shop(tmp_path, panel=wild_panel(Quirk.STATUS_WORDS)) as shop:
        customer = await new_customer(shop, 7601, language)
        admin = shop.admin()
        await place(customer, language, "Wild Followers", [("send", LINK), ("num", "1000")])
        order = await order_of(shop, 7601)
        shop.panel.set_order(order.panel_order_id or "", word, remains="1000")
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)
        for _ in range(3):
            await scheduler.run_statuses()
        order = await order_of(shop, 7601)
        assert order.refunded == order.charge
        assert await refund_entries(shop, order.id) == 1
        told = await customer.wait_message(contains=TEXT[language]["canceled"])
        no_raw_panel_text(told.text)
        alert = await admin.wait_message(contains=str(order.id))
        assert word in alert.text  # admins see the panel's own word
        assert (await shop.user_row(7601)).balance == Decimal("100")
        assert await shop.invariant_holds()


@pytest.mark.parametrize("language", ["ar"])
async def test_laravel_error_texts_reach_customers_as_the_right_reason(
    tmp_path: Path, language: str
) -> None:
    async with running_shop(tmp_path, panel=wild_panel(Quirk.ERROR_TEXTS)) as shop:
        customer = await new_customer(shop, 7701, language)
        admin = shop.admin()
        # The panel's own balance is too small: "You don't have sufficient balance."
        shop.panel.balance = "0.01"
        failed = await place(
            customer, language, "Wild Followers", [("send", LINK), ("num", "1000")]
        )
        assert REASON["unavailable"][language] in failed, failed
        no_raw_panel_text(failed)
        first = await order_of(shop, 7701)
        assert first.state == "failed" and "sufficient balance" in (first.error or "")
        funds = await admin.wait_message(contains="out of funds")
        assert "You don't have sufficient balance." in funds.text  # verbatim, for admins
        assert await refund_entries(shop, first.id) == 1

        # "The selected order id is invalid." on cancel: the order was not found.
        shop.panel.balance = "100"
        await place(customer, language, "Wild Followers", [("send", LINK), ("num", "1000")])
        second = await order_of(shop, 7701)
        shop.panel.orders.pop(second.panel_order_id or "")
        answer = await cancel(customer, language, second.id)
        assert REASON["not_found"][language] in answer, answer
        no_raw_panel_text(answer)
        assert len(shop.panel.requests_for("cancel")) == 1

        # "The selected key is invalid.": a bad key, never shown; the order fails, refunded.
        shop.panel.key = "rotated-key-0000000000"
        failed = await place(
            customer, language, "Wild Followers", [("send", LINK), ("num", "1000")]
        )
        assert REASON["unavailable"][language] in failed, failed
        no_raw_panel_text(failed)
        key_alert = await admin.wait_message(contains="refused the shop's API key")
        assert shop.panel.key not in key_alert.text and "rotated" not in key_alert.text
        third = await order_of(shop, 7701)
        assert third.state == "failed" and third.refunded == third.charge
        assert (await shop.user_row(7701)).balance == Decimal("100") - second.charge
        assert await shop.invariant_holds()


# -- v1 panels that serve refill ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en"])
async def test_a_v1_panel_with_refill_refills(tmp_path: Path, language: str) -> None:
    panel = wild_panel(Quirk.V1_WITH_REFILL, dialect="v1")
    async with running_shop(tmp_path, panel=panel) as shop:  # v1 refill: learned at startup
        customer = await new_customer(shop, 7801, language)
        placed = await place(
            customer, language, "Wild Followers", [("send", LINK), ("num", "1000")]
        )
        assert TEXT[language]["placed"] in placed, placed
        order = await order_of(shop, 7801)
        panel.set_order(order.panel_order_id or "", "Partial", remains="400")
        scheduler = ShopScheduler(shop.runtime.shop, shop.runtime.notifier)
        await scheduler.run_statuses()
        await customer.wait_message(contains=TEXT[language]["partial"])
        answer = await refill(customer, language, order.id)
        assert TEXT[language]["refill_ok"] in answer, answer
        assert [r.fields for r in panel.requests_for("refill")] == [
            {"action": "refill", "order": order.panel_order_id}
        ]
        assert await shop.invariant_holds()


@pytest.mark.parametrize(
    ("quirk", "language", "learned"),
    [(Quirk.REFILL_PARAM_REFILL, "en", "refill"), (Quirk.REFILL_PARAM_REFILLS, "ar", "refills")],
)
async def test_a_refill_refused_for_its_parameter_name_is_not_resent_the_next_one_works(
    tmp_path: Path, quirk: Quirk, language: str, learned: str
) -> None:
    async with running_shop(tmp_path, panel=wild_panel(quirk)) as shop:
        customer = await new_customer(shop, 7901, language)
        await place(customer, language, "Wild Followers", [("send", LINK), ("num", "1000")])
        order = await order_of(shop, 7901)
        pid = order.panel_order_id or ""
        shop.panel.set_order(pid, "Completed", remains="0")
        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()
        tries = 0
        answer = ""
        # The documented `order=` first: refused as a whole ("order id(s) required"), never
        # re-sent in another form; each later refill walks to the next name until one works.
        while TEXT[language]["refill_ok"] not in answer and tries < 3:
            answer = await refill(customer, language, order.id)
            no_raw_panel_text(answer)
            tries += 1
        assert TEXT[language]["refill_ok"] in answer, answer
        sent = [r.fields for r in shop.panel.requests_for("refill")]
        assert len(sent) == tries and sent[0] == {"action": "refill", "order": pid}
        assert sent[-1] == {"action": "refill", learned: pid}
        assert shop.runtime.shop.panels.get("main").profile.refill_param == learned
        assert await shop.invariant_holds()


async def test_a_learned_status_form_survives_a_restart(tmp_path: Path) -> None:
    """Polling never starves, and what was learned is remembered: after a restart the panel is
    asked one order at a time at once, without a multi request it refuses."""
    database = await shop_database(tmp_path)
    panel = wild_panel(Quirk.NO_MULTI_STATUS)
    async with running_shop(tmp_path, panel=panel, database_url=database) as shop:
        customer = await new_customer(shop, 8001, "en")
        await place(customer, "en", "Wild Followers", [("send", LINK), ("num", "1000")])
        order = await order_of(shop, 8001)
        panel.set_order(order.panel_order_id or "", "In progress", remains="1000")
        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()
        assert shop.runtime.shop.panels.get("main").profile.multi_status == "single"
        assert (await order_of(shop, 8001)).state == "in_progress"
    panel.clear()
    async with running_shop(tmp_path, panel=panel, database_url=database) as shop:
        assert shop.runtime.shop.panels.get("main").profile.multi_status == "single"
        panel.set_order(order.panel_order_id or "", "Canceled", remains="1000")
        await ShopScheduler(shop.runtime.shop, shop.runtime.notifier).run_statuses()
        assert [r.fields for r in panel.requests_for("status")] == [
            {"action": "status", "order": order.panel_order_id}
        ]
        stored = await order_of(shop, 8001)
        assert stored.state == "canceled" and stored.refunded == stored.charge
        assert await refund_entries(shop, stored.id) == 1
        assert await shop.invariant_holds()
