"""The catalog's page keyboards: built with the builder, kept rendered, and a catalog change
(a renamed category, a new price in a label) is never answered with the old keyboard."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from keyboards import catalog as kb

TEXTS = {
    "en": {
        "btn-prev": "◀️",
        "btn-next": "▶️",
        "btn-menu": "Menu",
        "btn-back": "Back",
        "btn-order": "Order",
        "btn-browse": "Browse",
    },
    "ar": {
        "btn-prev": "◀️",
        "btn-next": "▶️",
        "btn-menu": "القائمة",
        "btn-back": "رجوع",
        "btn-order": "اطلب",
        "btn-browse": "تصفح",
    },
}


class FakeI18n:
    def __init__(self, locale: str) -> None:
        self.locale = locale

    def get(self, key: str, /, **_: object) -> str:
        return TEXTS[self.locale][key]


def texts(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


def test_categories_layout_and_callbacks() -> None:
    markup = kb.categories(FakeI18n("en"), [(7, "Instagram"), (9, "TikTok")], 1, 3)
    assert texts(markup) == [["Instagram"], ["TikTok"], ["◀️", "2/3", "▶️"], ["Menu"]]
    rows = markup.inline_keyboard
    assert rows[0][0].callback_data == kb.Svcs(cat=7, page=0).pack()
    assert [b.callback_data for b in rows[2]] == [kb.Cats(page=n).pack() for n in (0, 1, 2)]


def test_a_kept_page_is_reused_and_a_catalog_change_is_seen() -> None:
    i18n = FakeI18n("en")
    first = kb.categories(i18n, [(7, "Instagram"), (9, "TikTok")], 0, 1)
    assert kb.categories(i18n, [(7, "Instagram"), (9, "TikTok")], 0, 1) is first
    renamed = kb.categories(i18n, [(7, "Instagram 🔥"), (9, "TikTok")], 0, 1)
    assert texts(renamed)[0] == ["Instagram 🔥"]
    gone = kb.categories(i18n, [(9, "TikTok")], 0, 1)
    assert texts(gone) == [["TikTok"], ["Menu"]]
    assert texts(kb.categories(i18n, [(7, "Instagram"), (9, "TikTok")], 0, 1)) == texts(first)


def test_services_page_per_language_and_price_change() -> None:
    items = [(1, "1. Followers — $1.20"), (2, "2. Likes — $0.50")]
    en = kb.services(FakeI18n("en"), items, 4, 0, 2)
    ar = kb.services(FakeI18n("ar"), items, 4, 0, 2)
    assert texts(en)[-1] == ["Back", "Menu"] and texts(ar)[-1] == ["رجوع", "القائمة"]
    assert texts(en)[2] == ["1/2", "▶️"]
    assert en.inline_keyboard[0][0].callback_data == kb.Card(id=1, cat=4, page=0).pack()
    repriced = kb.services(FakeI18n("en"), [(1, "1. Followers — $1.30"), items[1]], 4, 0, 2)
    assert texts(repriced)[0] == ["1. Followers — $1.30"]
    other_category = kb.services(FakeI18n("en"), items, 5, 0, 2)
    assert other_category.inline_keyboard[0][0].callback_data == kb.Card(id=1, cat=5, page=0).pack()


def test_cards_are_kept_per_service_language_and_orderability() -> None:
    en, ar = FakeI18n("en"), FakeI18n("ar")
    first = kb.card(en, 11, True, 4, 2)
    assert kb.card(en, 11, True, 4, 2) is first
    assert texts(first) == [["Order"], ["Back", "Menu"]]
    assert first.inline_keyboard[0][0].callback_data == kb.Buy(id=11).pack()
    assert first.inline_keyboard[1][0].callback_data == kb.Svcs(cat=4, page=2).pack()
    assert texts(kb.card(en, 11, False, 4, 2)) == [["Back", "Menu"]]  # no longer orderable
    assert texts(kb.card(ar, 11, True, 4, 2)) == [["اطلب"], ["رجوع", "القائمة"]]
    assert kb.card(en, 12, True, 4, 2).inline_keyboard[0][0].callback_data == kb.Buy(id=12).pack()


def test_search_results_are_kept_per_results_and_language() -> None:
    en = FakeI18n("en")
    found = [(1, 4, "1. Followers — $1.20"), (2, 5, "2. Likes — $0.50")]
    first = kb.search_results(en, found)
    assert kb.search_results(en, list(found)) is first
    assert texts(first) == [[found[0][2]], [found[1][2]], ["Browse"], ["Menu"]]
    assert first.inline_keyboard[1][0].callback_data == kb.Card(id=2, cat=5, page=0).pack()
    repriced = kb.search_results(en, [(1, 4, "1. Followers — $1.30")])
    assert texts(repriced) == [["1. Followers — $1.30"], ["Browse"], ["Menu"]]
    assert texts(kb.search_results(FakeI18n("ar"), found))[-1] == ["القائمة"]
