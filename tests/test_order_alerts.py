"""Every callback alert of the order screens fits Telegram's 200-character limit, in both
languages, with worst-case arguments; and the guard that cuts what a test cannot foresee."""

from __future__ import annotations

import pytest

from bot.panel import ErrorKind
from bot.shop.aftersale import CancelOutcome, RefillOutcome
from bot.telegram.i18n import LANGUAGES, Translator, make_core
from handlers.orders import ALERT_LIMIT, fit_alert
from storage.models import OrderState

NUMBER = "#" + "9" * 19  # the largest order number a 64-bit id can have
AMOUNT = "999,999,999,999.999999 USDT"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
async def translate() -> Translator:
    core = make_core()
    await core.startup()
    return Translator(core)


def alerts(translate: Translator, language: str) -> list[tuple[str, str]]:
    """(message id, text) of every alert handlers/orders.py, handlers/wizard_confirm.py,
    handlers/order_again.py and handlers/paste_link.py can show, with the longest argument of
    each kind."""

    def t(key: str, **kwargs: object) -> str:
        return translate(language, key, **kwargs)

    reasons = [t("panel-reason", kind=kind.value) for kind in ErrorKind]
    statuses = [t(f"order-status-{state.value}") for state in OrderState]
    out: list[tuple[str, str]] = []
    for key in (
        "order-not-found",
        "order-provider-unreachable",
        "order-refreshed",
        "cancel-not-allowed",
        "wz-stale",
        "pl-stale",
    ):
        out.append((key, t(key)))
    out.append(("wz-already-placed", t("wz-already-placed", order="9" * 19)))
    out.append(("oa-unavailable", t("oa-unavailable", number=NUMBER)))
    for status in statuses:
        out.append(
            ("order-refunded", t("order-refunded", number=NUMBER, status=status, amount=AMOUNT))
        )
    families = (("refill", RefillOutcome), ("cancel", CancelOutcome))
    for prefix, outcomes in families:
        for outcome in outcomes:
            key = f"{prefix}-{outcome.value.replace('_', '-')}"
            for reason in reasons:
                out.append((key, t(key, number=NUMBER, reason=reason)))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_order_alert_fits_in_both_languages(
    translate: Translator, language: str
) -> None:
    rendered = alerts(translate, language)
    assert len({key for key, _ in rendered}) == 20  # every message of these families
    too_long = [(key, utf16_len(text)) for key, text in rendered if utf16_len(text) > ALERT_LIMIT]
    assert too_long == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_error_kind_has_its_own_words(translate: Translator, language: str) -> None:
    """panel-reason and wz-reason name every ErrorKind (and "unavailable" for add) instead of
    falling through to the catch-all by accident."""
    from fluent.syntax import FluentParser, ast

    from bot.telegram.i18n import LOCALES_DIR

    variants: dict[str, set[str]] = {}
    for path in (LOCALES_DIR / language).glob("*.ftl"):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, ast.Message) and entry.id.name in ("panel-reason", "wz-reason"):
                assert entry.value is not None
                [placeable] = [e for e in entry.value.elements if isinstance(e, ast.Placeable)]
                assert isinstance(placeable.expression, ast.SelectExpression)
                variants[entry.id.name] = {
                    v.key.name
                    for v in placeable.expression.variants
                    if isinstance(v.key, ast.Identifier)
                }
    kinds = {kind.value for kind in ErrorKind}
    assert kinds <= variants["panel-reason"]
    assert kinds | {"unavailable"} <= variants["wz-reason"]


def test_fit_alert_cuts_on_a_character_boundary() -> None:
    assert fit_alert("short") == "short"
    exact = "x" * ALERT_LIMIT
    assert fit_alert(exact) == exact
    emoji = "😀" * 150  # two UTF-16 units each: 300 units
    cut = fit_alert(emoji)
    assert utf16_len(cut) <= ALERT_LIMIT and cut.endswith("…")
    assert cut[:-1] == "😀" * len(cut[:-1])  # no half of a surrogate pair
    arabic = fit_alert("رفض المزوّد الإلغاء: " * 30)
    assert utf16_len(arabic) <= ALERT_LIMIT and arabic.endswith("…")
