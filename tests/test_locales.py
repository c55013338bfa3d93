"""Both locales carry the same messages, every message the code uses exists, Arabic plurals
cover every CLDR category, and bidi isolation is where it should be."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast

from bot.telegram.commands import ADMIN_COMMANDS, CUSTOMER_COMMANDS
from bot.telegram.i18n import LANGUAGES, LOCALES_DIR, LRI, PDI, Translator, make_core

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("bot", "handlers", "keyboards")
ARABIC_PLURALS = {"zero", "one", "two", "few", "many", "other"}
MESSAGE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


def _resources(language: str) -> list[tuple[Path, fluent_ast.Resource]]:
    parser = FluentParser()
    return [
        (path, parser.parse(path.read_text(encoding="utf-8")))
        for path in sorted((LOCALES_DIR / language).rglob("*.ftl"))
    ]


def _messages(language: str) -> dict[str, fluent_ast.Message]:
    found: dict[str, fluent_ast.Message] = {}
    for _, resource in _resources(language):
        for entry in resource.body:
            if isinstance(entry, fluent_ast.Message):
                assert entry.id.name not in found, f"{language}: {entry.id.name} defined twice"
                found[entry.id.name] = entry
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_file_parses(language: str) -> None:
    for path, resource in _resources(language):
        junk = [entry.content for entry in resource.body if isinstance(entry, fluent_ast.Junk)]
        assert not junk, f"{path.relative_to(ROOT)} has unparsable text: {junk}"


def test_both_locales_have_the_same_message_ids() -> None:
    english, arabic = set(_messages("en")), set(_messages("ar"))
    assert english - arabic == set(), "missing in Arabic"
    assert arabic - english == set(), "missing in English"


def _code_literals() -> set[str]:
    literals: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {  # Router(name="catalog-search") and the like are not message IDs
                id(keyword.value)
                for keyword in ast.walk(tree)
                if isinstance(keyword, ast.keyword) and keyword.arg == "name"
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in names
                ):
                    literals.add(node.value)
    return literals


def test_every_message_id_used_in_code_exists() -> None:
    known = set(_messages("en"))
    families = {message_id.split("-")[0] for message_id in known}
    used = {
        literal
        for literal in _code_literals()
        if MESSAGE_ID.match(literal) and literal.split("-")[0] in families
    }
    used |= {f"cmd-{name}" for name in CUSTOMER_COMMANDS + ADMIN_COMMANDS}
    assert used - known == set()


def test_arabic_plural_selectors_cover_every_cldr_category() -> None:
    for message_id, message in _messages("ar").items():
        for node in _walk(message):
            if not isinstance(node, fluent_ast.SelectExpression):
                continue
            keys = {
                variant.key.name
                for variant in node.variants
                if isinstance(variant.key, fluent_ast.Identifier)
            }
            if keys & (ARABIC_PLURALS - {"other"}):  # a lone *[other] is no plural
                assert keys >= ARABIC_PLURALS, f"{message_id}: plural variants {sorted(keys)}"


def _walk(node: object) -> list[object]:
    found = [node]
    if isinstance(node, fluent_ast.BaseNode):
        for value in vars(node).values():
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, fluent_ast.BaseNode):
                    found.extend(_walk(child))
    return found


@pytest.fixture
async def translate() -> Translator:
    core = make_core()
    await core.startup()
    return Translator(core)


async def test_arabic_counts_use_six_forms(translate: Translator) -> None:
    forms = {
        translate("ar", "admin-orders-held", count=n, orders="#1").split(" ")[1]
        for n in (0, 1, 2, 3, 11, 100)
    }
    assert len(forms) == 6


async def test_ltr_fragments_are_isolated_in_arabic_only(translate: Translator) -> None:
    args = {"order_id": 1234, "service": "متابعين", "delivered": 10, "refunded": "1.50 USD"}
    arabic = translate("ar", "notify-order-partial", **args)
    assert f"{LRI}#1234{PDI}" in arabic and f"{LRI}1.50 USD{PDI}" in arabic
    english = translate("en", "notify-order-partial", **args)
    assert LRI not in english and PDI not in english
    assert "#1234" in english and "1.50 USD" in english


async def test_arguments_are_html_escaped(translate: Translator) -> None:
    text = translate("en", "notify-order-started", order_id=1, service="<b>x</b> & y")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text


async def test_rendered_texts_are_reused_per_locale_and_arguments() -> None:
    core = make_core()
    await core.startup()
    english = core.get("wz-placing", "en", order=7)
    arabic = core.get("wz-placing", "ar", order=7)
    assert english != arabic and "#7" in english  # one cache entry per locale
    assert core.get("wz-placing", "en", order=8) != english  # and per argument
    assert core.get("wz-placing", "en", order=7) is english  # the same text, not re-rendered
    assert core.get("wz-placing", "en", order="<b>").count("&lt;b&gt;") == 1  # escaped once


async def test_texts_with_other_argument_types_are_not_kept() -> None:
    from decimal import Decimal

    core = make_core()
    await core.startup()
    core.get("catalog-categories", "en", count=3)
    kept = len(core._rendered)
    # Equal but differently written values (1 == 1.0 == True) could render differently.
    for count in (Decimal("1"), Decimal("1.0"), True, 1.0):
        core.get("catalog-categories", "en", count=count)
    assert kept == 1 and len(core._rendered) == kept


async def test_the_current_customers_locale_is_part_of_the_key() -> None:
    from aiogram_i18n import I18nContext

    core = make_core()
    await core.startup()
    texts = []
    for locale in ("en", "ar"):
        context = I18nContext(locale=locale, core=core, manager=None, data={})  # type: ignore[arg-type]
        token = I18nContext.set_current(context)  # what the i18n middleware does per update
        try:
            texts.append(core.get("wz-placing", order=7))
        finally:
            I18nContext.reset_current(token)
    assert texts == [core.get("wz-placing", "en", order=7), core.get("wz-placing", "ar", order=7)]
    assert texts[0] != texts[1]
