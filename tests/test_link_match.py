"""Which services a pasted link is offered (bot/shop/link_match.py), from a catalog in memory."""

from __future__ import annotations

from decimal import Decimal

from bot.shop.catalog_view import CatalogView
from bot.shop.link_match import matching
from bot.shop.links import find_link
from storage.models import Category, Service

CATEGORIES = [
    Category(id=1, name="Instagram Followers", name_ar="متابعين انستقرام", sort_order=0),
    Category(id=2, name="Instagram Likes", sort_order=1),
    Category(id=3, name="Twitter / X", sort_order=2),
    Category(id=4, name="خدمات يوتيوب", sort_order=3),
    Category(id=5, name="Misc", sort_order=4),
]


def _service(sid: int, category: int, name: str, type_: str = "Default", **extra: str) -> Service:
    return Service(
        id=sid,
        panel_id=1,
        panel_service_id=str(sid),
        category_id=category,
        name=name,
        type=type_,
        raw_type=type_,
        rate=Decimal("1"),
        min_quantity=10,
        max_quantity=1000,
        dripfeed=False,
        **extra,
    )


SERVICES = [
    _service(1, 1, "Real followers"),
    _service(2, 2, "Fast likes"),
    _service(3, 2, "Auto likes", "Subscriptions"),  # asks a username first: never offered
    _service(4, 3, "Retweets"),
    _service(5, 3, "Followers"),
    _service(6, 4, "مشاهدات"),
    _service(7, 4, "مشتركين قناة"),
    _service(8, 5, "10x boost likes", name_ar="لايكات"),  # "x" inside a word is not X
    _service(9, 5, "Mystery", "Teleport"),  # not orderable
]


def view() -> CatalogView:
    by_category: dict[int, tuple[Service, ...]] = {}
    for s in SERVICES:
        by_category[s.category_id] = (*by_category.get(s.category_id, ()), s)
    return CatalogView(
        categories=tuple(CATEGORIES),
        services={s.id: s for s in SERVICES},
        by_category=by_category,
        category_by_id={c.id: c for c in CATEGORIES},
        global_markup=None,
        names=(),
    )


def offered(text: str) -> list[int]:
    link = find_link(text)
    assert link is not None
    return [s.id for s in matching(view(), link, 10)]


def test_kind_picks_the_services_for_that_target() -> None:
    assert offered("https://www.instagram.com/some.user/") == [1]  # a profile: followers
    assert offered("https://www.instagram.com/p/Cx1/") == [2]  # a post: likes, not followers
    assert offered("https://x.com/jack/status/20") == [4]
    assert offered("https://twitter.com/jack") == [5]


def test_names_in_arabic_and_a_platform_the_kind_words_miss() -> None:
    assert offered("https://youtu.be/dQw4w9WgXcQ") == [6]  # مشاهدات = views
    assert offered("https://www.youtube.com/@someone") == [7]  # a channel: subscribers
    assert offered("https://www.youtube.com/") == [6, 7]  # kind unknown: the whole platform


def test_no_platform_or_no_service_means_nothing_offered() -> None:
    assert offered("https://example.com/p/1") == []
    assert offered("https://discord.gg/abc") == []
    assert offered("https://open.spotify.com/track/abc") == []


def test_the_limit_holds() -> None:
    link = find_link("https://www.youtube.com/")
    assert link is not None
    assert len(matching(view(), link, 1)) == 1
