"""The catalog's page keyboards: built with the builder, kept rendered, and a catalog change
(a renamed category, a new price in a label) is never answered with the old keyboard."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from keyboards import catalog as kb

TEXTS = {
    "en": {"btn-prev": "◀️", "btn-next": "▶️", "btn-menu": "Menu", "btn-back": "Back"},
    "ar": {"btn-prev": "◀️", "btn-next": "▶️", "btn-menu": "القائمة", "btn-back": "رجوع"},
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
