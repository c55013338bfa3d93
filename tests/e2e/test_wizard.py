"""The order wizard end to end, for every service type the panel client supports, in both
languages: prompts, the summary, the exact form fields the panel receives, the order row and
the ledger."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.middlewares import throttling
from tests.e2e.harness import Shop, running_shop
from tests.fakes.bot_api import FakeUser
from tests.fakes.panel_server import FakePanel

LINK = "https://instagram.com/p/abc"
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _svc(
    sid: int,
    name: str,
    type_: str,
    category: str = "Instagram",
    rate: str = "1.00",
    lo: int = 10,
    hi: int = 10000,
    **flags: Any,
) -> dict[str, Any]:
    return {
        "service": sid,
        "name": name,
        "type": type_,
        "category": category,
        "rate": rate,
        "min": str(lo),
        "max": str(hi),
        "refill": flags.get("refill", False),
        "cancel": flags.get("cancel", False),
        "dripfeed": flags.get("dripfeed", False),
        **({"desc": flags["desc"]} if "desc" in flags else {}),
    }


# One service of each type (18), in 4 categories: Instagram 8 (two pages of 6), YouTube 5,
# Telegram 3, TikTok 2 — so Arabic plurals meet the one/two/few forms.
CATALOG: list[dict[str, Any]] = [
    _svc(
        101,
        "Followers Plain",
        "Default",
        refill=True,
        cancel=True,
        desc="Real-looking followers, start within 1 hour.",
    ),
    _svc(102, "Followers Dripfeed", "Default", dripfeed=True),
    _svc(103, "Starter Package", "Package", rate="5"),
    _svc(104, "Comments Custom", "Custom Comments", rate="10", lo=1, hi=5),
    _svc(105, "Comments Package", "Custom Comments Package", rate="2"),
    _svc(106, "Mentions Basic", "Mentions"),
    _svc(107, "Mentions Tags", "Mentions with Hashtags"),
    _svc(108, "Mentions List", "Mentions Custom List", rate="10", lo=1, hi=100),
    _svc(109, "Mentions Hashtag", "Mentions Hashtag", category="YouTube"),
    _svc(110, "Mentions Followers", "Mentions User Followers", category="YouTube"),
    _svc(111, "Mentions Likers", "Mentions Media Likers", category="YouTube"),
    _svc(112, "Comment Likes", "Comment Likes", category="YouTube"),
    _svc(113, "Comment Replies", "Comment Replies", category="YouTube", rate="10", lo=1, hi=10),
    _svc(114, "Poll Votes", "Poll", category="Telegram"),
    _svc(115, "SEO Boost", "SEO", category="Telegram"),
    _svc(116, "Group Invites", "Invites from Groups", category="Telegram"),
    _svc(117, "Auto Likes", "Subscriptions", category="TikTok", lo=10, hi=1000),
    _svc(118, "Mystery Thing", "Teleport", category="TikTok"),
]


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated customers click faster than any human; the flood limit has its own tests."""
    original = throttling.ThrottlingMiddleware.__init__.__defaults__
    assert original is not None
    monkeypatch.setattr(
        throttling.ThrottlingMiddleware.__init__, "__defaults__", (1000.0, 1000.0, *original[2:])
    )


def catalog_panel() -> FakePanel:
    panel = FakePanel()
    panel.set_catalog(CATALOG)
    return panel


# -- driving the wizard ----------------------------------------------------------------------

LABELS = {
    "en": {
        "order": "🛒 Order",
        "yes": "✅ Yes",
        "no": "❌ No",
        "skip": "⏭ Skip",
        "confirm": "✅ Confirm order",
        "back": "⬅️ Back",
        "cancel": "✖️ Cancel",
        "delay": "{} min",
        "new": "🛒 New order",
        "placed": "placed.",
        "summary": "Order summary",
        "price": "Price: {}",
    },
    "ar": {
        "order": "🛒 اطلب الآن",
        "yes": "✅ نعم",
        "no": "❌ لا",
        "skip": "⏭ تخطٍّ",
        "confirm": "✅ تأكيد الطلب",
        "back": "➡️ رجوع",
        "cancel": "✖️ إلغاء",
        "delay": "{} د",
        "new": "🛒 طلب جديد",
        "placed": "تم تقديم الطلب",
        "summary": "ملخّص الطلب",
        "price": "السعر: \u2066{}\u2069",
    },
}


@dataclass
class Case:
    sid: int
    name: str
    steps: list[tuple[str, str]]  # ("send", text) | ("num", digits) | ("click", label key/text)
    form: dict[str, str]  # what the panel must receive, besides service/action
    charge: str
    summary: list[str] = field(default_factory=list)  # English fragments of the summary


CASES: list[Case] = [
    Case(
        101,
        "Followers Plain",
        [("send", LINK), ("num", "1000")],
        {"link": LINK, "quantity": "1000"},
        "1.30",
        summary=["Quantity: 1,000"],
    ),
    Case(
        102,
        "Followers Dripfeed",
        [("send", LINK), ("num", "100"), ("click", "yes"), ("num", "3"), ("num", "15")],
        {"link": LINK, "quantity": "100", "runs": "3", "interval": "15"},
        "0.39",
        summary=["3 runs, every 15 min — 300 in total"],
    ),
    Case(103, "Starter Package", [("send", "instagram.com/p/abc")], {"link": LINK}, "6.50"),
    Case(
        104,
        "Comments Custom",
        [("send", LINK), ("send", "nice\n\ngreat \nwow")],
        {"link": LINK, "comments": "nice\ngreat\nwow"},
        "0.04",
        summary=["3 comments"],
    ),
    Case(
        105,
        "Comments Package",
        [("send", LINK), ("send", "a\nb")],
        {"link": LINK, "comments": "a\nb"},
        "2.60",
        summary=["2 comments"],
    ),
    Case(
        106,
        "Mentions Basic",
        [("send", LINK), ("num", "100"), ("send", "@alice\nbob")],
        {"link": LINK, "quantity": "100", "usernames": "alice\nbob"},
        "0.13",
        summary=["2 usernames"],
    ),
    Case(
        107,
        "Mentions Tags",
        [("send", LINK), ("num", "100"), ("send", "alice"), ("send", "#one\n#two")],
        {"link": LINK, "quantity": "100", "usernames": "alice", "hashtags": "#one\n#two"},
        "0.13",
        summary=["1 username", "2 hashtags"],
    ),
    Case(
        108,
        "Mentions List",
        [("send", LINK), ("send", "a\nb\nc")],
        {"link": LINK, "usernames": "a\nb\nc"},
        "0.04",
        summary=["3 usernames"],
    ),
    Case(
        109,
        "Mentions Hashtag",
        [("send", LINK), ("num", "100"), ("send", "sunset")],
        {"link": LINK, "quantity": "100", "hashtag": "sunset"},
        "0.13",
        summary=["Hashtag: sunset"],
    ),
    Case(
        110,
        "Mentions Followers",
        [("send", LINK), ("num", "100"), ("send", "@someone")],
        {"link": LINK, "quantity": "100", "username": "someone"},
        "0.13",
        summary=["Username: @someone"],
    ),
    Case(
        111,
        "Mentions Likers",
        [("send", LINK), ("num", "100"), ("send", "https://instagram.com/p/m1")],
        {"link": LINK, "quantity": "100", "media": "https://instagram.com/p/m1"},
        "0.13",
    ),
    Case(
        112,
        "Comment Likes",
        [("send", LINK), ("num", "100"), ("send", "commenter")],
        {"link": LINK, "quantity": "100", "username": "commenter"},
        "0.13",
    ),
    Case(
        113,
        "Comment Replies",
        [("send", LINK), ("send", "poster"), ("send", "r1\nr2")],
        {"link": LINK, "username": "poster", "comments": "r1\nr2"},
        "0.03",
        summary=["2 comments"],
    ),
    Case(
        114,
        "Poll Votes",
        [("send", LINK), ("num", "100"), ("num", "2")],
        {"link": LINK, "quantity": "100", "answer_number": "2"},
        "0.13",
        summary=["Answer number: 2"],
    ),
    Case(
        115,
        "SEO Boost",
        [("send", LINK), ("num", "100"), ("send", "smm\npanel")],
        {"link": LINK, "quantity": "100", "keywords": "smm\npanel"},
        "0.13",
        summary=["2 keywords"],
    ),
    Case(
        116,
        "Group Invites",
        [("send", LINK), ("num", "100"), ("send", "https://t.me/g1\nhttps://t.me/g2")],
        {"link": LINK, "quantity": "100", "groups": "https://t.me/g1\nhttps://t.me/g2"},
        "0.13",
        summary=["2 groups"],
    ),
    Case(
        117,
        "Auto Likes",
        [
            ("send", "@creator"),
            ("num", "100"),
            ("num", "200"),
            ("num", "5"),
            ("click", "delay:30"),
            ("num", "31/12/2099"),
        ],
        {
            "username": "creator",
            "min": "100",
            "max": "200",
            "posts": "5",
            "delay": "30",
            "expiry": "31/12/2099",
        },
        "1.30",
        summary=["Minimum per post: 100", "Maximum per post: 200", "Posts: 5", "Delay: 30 min"],
    ),
]


def label(language: str, key: str) -> str:
    if key.startswith("delay:"):
        return LABELS[language]["delay"].format(key.split(":")[1])
    return LABELS[language][key]


async def new_customer(
    shop: Shop, telegram_id: int, language: str = "en", funds: str | None = "100"
) -> FakeUser:
    customer = shop.customer(telegram_id, language)
    await customer.send("/start")
    await customer.wait_message(contains="🏪")
    if funds:
        await shop.fund(telegram_id, funds)
    return customer


async def open_service(customer: FakeUser, name: str, language: str = "en") -> None:
    """Search the service by name, open its card and press Order."""
    await customer.send(name)
    await customer.wait_message(contains=name)
    await customer.click(f"1. {name}")
    await customer.wait_edit(contains=name)
    await customer.click(label(language, "order"))
    await customer.wait_edit(contains=name)


async def answer(customer: FakeUser, action: str, value: str, language: str) -> str:
    """One step; returns the bot's reply (a new message for text, an edit for a button)."""
    if action == "click":
        await customer.click(label(language, value))
        return (await customer.wait_edit()).content
    text = value.translate(_ARABIC) if action == "num" and language == "ar" else value
    await customer.send(text)
    return (await customer.wait_message()).content


async def run_case(shop: Shop, case: Case, telegram_id: int, language: str) -> None:
    customer = await new_customer(shop, telegram_id, language)
    await open_service(customer, case.name, language)
    reply = ""
    for action, value in case.steps:
        reply = await answer(customer, action, value, language)
        assert "⚠️" not in reply, f"{case.name} {language}: step {value!r} refused:\n{reply}"
    assert label(language, "summary") in reply
    price = f"{Decimal(case.charge):.2f} USD"
    assert label(language, "price").format(price) in reply
    if language == "en":
        for fragment in case.summary:
            assert fragment in reply, f"{fragment!r} not in summary:\n{reply}"
    await customer.click(label(language, "confirm"))
    placed = await customer.wait_message(contains=label(language, "placed"))
    adds = [r for r in shop.panel.requests_for("add") if r.fields["service"] == str(case.sid)]
    assert [r.fields for r in adds] == [{"action": "add", "service": str(case.sid), **case.form}]
    user = await shop.user_row(telegram_id)
    [order] = [o for o in await shop.orders() if o.user_id == user.id]
    assert order.state == "pending"
    assert order.charge == Decimal(case.charge)
    assert order.panel_order_id is not None
    assert f"#{order.id}" in placed.content or f"\u2066{order.id}\u2069" in placed.content
    assert user.balance == Decimal("100") - Decimal(case.charge)
    assert order.request_key.startswith(f"confirm:{user.id}:")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_every_service_type_end_to_end(tmp_path: Path, language: str) -> None:
    async with running_shop(tmp_path, panel=catalog_panel()) as shop:
        # Customers shop at the same time: each case asserts on its own order only.
        await asyncio.gather(
            *(run_case(shop, case, 10_000 + index, language) for index, case in enumerate(CASES))
        )
        orders = sorted(await shop.orders(), key=lambda o: o.service_id)
        assert len(orders) == len(CASES)
        assert orders[1].params == {"link": LINK, "quantity": 100, "runs": 3, "interval": 15}
        assert orders[1].quantity == 300  # drip-feed: quantity × runs
        assert orders[-1].params == {
            "username": "creator",
            "min": 100,
            "max": 200,
            "posts": 5,
            "delay": 30,
            "expiry": "2099-12-31",
        }
        assert orders[3].params["comments"] == ["nice", "great", "wow"]
        assert await shop.invariant_holds()
