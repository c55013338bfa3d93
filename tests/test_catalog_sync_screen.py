"""The admin catalog screen's sync block: read defensively from panels.sync_report, reasons
verbatim but escaped, and bounded whatever panels send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.shop.admin.catalog import PanelSync
from bot.telegram.i18n import Translator, make_core
from handlers.admin_catalog import REASON_CHARS, SHOWN_REASONS, SYNC_BLOCK_CHARS, sync_block


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


def report(**overrides: Any) -> dict[str, Any]:
    hostile = "<script>alert(1)</script> & " + "x" * 500
    return {
        "finished_at": "2026-12-02T10:00:00+00:00",
        "total": 4800,
        "added": 1,
        "changed": 2,
        "disabled": 0,
        "skipped": 250,
        "reasons": [{"service_id": "<b>" + "9" * 100, "reason": hostile}] * 20,
        "error": None,
        "failed_at": None,
        **overrides,
    }


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_many_panels_with_hostile_reasons_stay_bounded_and_escaped(
    translate: Translator,
    language: str,
) -> None:
    syncs = [PanelSync.of(f"panel{i}", report()) for i in range(40)]
    text = sync_block(Localized(translate, language), syncs)  # type: ignore[arg-type]
    assert len(text) <= SYNC_BLOCK_CHARS + 200
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<b>9" not in text
    first = text.split("panel1")[0]
    assert first.count("&lt;script&gt;") == SHOWN_REASONS
    assert "x" * REASON_CHARS not in text  # each reason cut
    assert "panel39" not in text  # the rest is summed up in one line
    assert ("more panels" if language == "en" else "لوحة أخرى") in text


async def test_a_failure_after_the_last_good_sync_is_shown(translate: Translator) -> None:
    failed = report(
        skipped=0,
        reasons=[],
        error="[main] services: not JSON (HTTP 502)",
        failed_at="2026-12-02T11:00:00+00:00",
    )
    text = sync_block(Localized(translate, "en"), [PanelSync.of("main", failed)])  # type: ignore[arg-type]
    assert "main: synced 2026-12-02 10:00 UTC · 4,800 services" in text
    assert "The last sync failed 2026-12-02 11:00 UTC: [main] services: not JSON" in text
    healed = report(error="old", failed_at="2026-12-02T09:00:00+00:00")
    text = sync_block(Localized(translate, "en"), [PanelSync.of("main", healed)])  # type: ignore[arg-type]
    assert "failed" not in text and "⚠️ 250 rows skipped:" in text


@pytest.mark.parametrize(
    "stored",
    [None, [], "junk", {"finished_at": "yesterday", "total": "9", "reasons": [1, {"reason": 5}]}],
)
async def test_an_unreadable_report_never_breaks_the_screen(
    translate: Translator,
    stored: Any,
) -> None:
    sync = PanelSync.of("main", stored)
    assert (sync.finished_at, sync.total) == (None, 0)
    assert sync_block(Localized(translate, "en"), [sync]).endswith(  # type: ignore[arg-type]
        "main: not synced yet"
    )
    assert PanelSync.of("m", report()).finished_at == datetime(2026, 12, 2, 10, tzinfo=UTC)
