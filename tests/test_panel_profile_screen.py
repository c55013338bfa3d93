"""The admin panel screen shows each panel's dialect profile (issue 15, point 4): what differs
from the documented API, learned or pinned by the owner, in English and Arabic."""

from __future__ import annotations

from typing import Any

import pytest

from bot.panel import PanelClient
from bot.shop.admin.balances import PanelBalance, profile_rows
from bot.telegram.i18n import Translator, make_core
from handlers.admin import profile_line


class Localized:
    """What the handler's I18nContext offers, in one language."""

    def __init__(self, translate: Translator, language: str) -> None:
        self.translate, self.language = translate, language

    def get(self, key: str, **kwargs: Any) -> str:
        return self.translate(self.language, key, **kwargs)


@pytest.fixture
async def translate() -> Translator:
    core = make_core()
    await core.startup()
    return Translator(core)


def _item(client: PanelClient) -> PanelBalance:
    return PanelBalance(client.name, None, None, False, False, False, tuple(profile_rows(client)))


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_learned_and_pinned_fields_are_shown(translate: Translator, language: str) -> None:
    client = PanelClient(
        "p",
        "http://127.0.0.1:9/api/v1",
        "k" * 10,
        profile={"refill_param": "order", "comment_separator": ","},
    )
    client.learn(multi_status="single", v1_refill=True)
    rows = {row.field: row for row in profile_rows(client)}
    assert set(rows) == {"multi_status", "v1_refill", "refill_param", "comment_separator"}
    assert rows["refill_param"].pinned and not rows["multi_status"].pinned
    text = profile_line(Localized(translate, language), _item(client))  # type: ignore[arg-type]
    assert "single" in text and "<code>" in text
    learned = "(learned)" if language == "en" else "(مُتعلَّم)"
    assert text.count(learned) == 2 and text.count("📌 PANELS") == 2
    assert ("yes" if language == "en" else "نعم") in text
    assert "{" not in text and "panel-profile" not in text  # every message exists
    await client.aclose()


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_documented_panel_says_so(translate: Translator, language: str) -> None:
    client = PanelClient("p", "http://127.0.0.1:9/api/v2", "k" * 10)
    assert profile_rows(client) == []
    text = profile_line(Localized(translate, language), _item(client))  # type: ignore[arg-type]
    assert text == translate(language, "panel-profile-documented")
    await client.aclose()
