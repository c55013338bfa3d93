import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.panel.decode import parse_services
from bot.panel.models import ServiceType
from bot.panel.tolerant_json import loads, loads_tolerant
from tests.fakes.panel_server import DOC_V1_SERVICES_TEXT

DOC = Path("/work/shared/panel-docs/smmpans.com-v1.ar.txt")


def test_fixture_is_the_docs_own_text() -> None:
    if not DOC.exists():
        pytest.skip("panel docs not available")
    text = DOC.read_text()
    assert DOC_V1_SERVICES_TEXT.strip() in text


def test_v1_doc_services_example_parses() -> None:
    with pytest.raises(ValueError):
        json.loads(DOC_V1_SERVICES_TEXT)  # the doc's example really is invalid JSON
    services = parse_services(loads(DOC_V1_SERVICES_TEXT)).services
    assert [s.service_id for s in services] == ["5", "9", "10"]
    first = services[0]
    assert first.type is ServiceType.DEFAULT and first.raw_type == "default"
    assert first.rate == Decimal("1.02") and (first.min, first.max) == (500, 10000)
    assert first.dripfeed and not first.refill and not first.cancel
    assert first.description == "usernames"
    assert first.category == "Instagram - Followers [Guaranteed/Refill] - Less Drops \u2b50"


@pytest.mark.parametrize(
    "text",
    [
        "<html><body>502 Bad Gateway</body></html>",
        "Service Unavailable",
        "",
        "{",
        '{"a" 1}',
        "[1, 2",
        '{"a": }',
        "[" * 100 + "1 2" + "]" * 100,
    ],
)
def test_tolerant_parser_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        loads(text)


def test_tolerant_extras() -> None:
    assert loads_tolerant('{"a": 1.50, "b": [1, 2,], c: true,}') == {
        "a": Decimal("1.50"),
        "b": [1, 2],
        "c": True,
    }


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_tolerant_agrees_with_json_on_valid_input(value: object) -> None:
    text = json.dumps(value)
    if text[:1] in "[{":
        assert loads_tolerant(text) == value


def _repair_reference(text: str) -> str:
    """The repair pass as first written (one rstrip per line): the faster one must match it."""
    from bot.panel.tolerant_json import (
        _BARE_NUMBER,
        _LITERALS,
        _MISSING_COMMA,
        _NOT_BARE_END,
        _NOT_IN_BARE,
        _TRAILING_COMMA,
    )

    lines = [line.rstrip(" \t\r") for line in text.split("\n")]
    lines = [line for line in lines if line]
    for i in [i for i, line in enumerate(lines) if line.rstrip(",")[-1:] not in _NOT_BARE_END]:
        line = lines[i]
        comma = "," if line[-1] == "," else ""
        head, colon, word = line[: len(line) - len(comma)].rpartition(":")
        word = word.strip(" \t")
        if (
            colon
            and word
            and word not in _LITERALS
            and _NOT_IN_BARE.isdisjoint(word)
            and not _BARE_NUMBER.fullmatch(word)
        ):
            lines[i] = f'{head}: "{word}"{comma}'
    text = _MISSING_COMMA.sub(",\n", "\n".join(lines))
    return _TRAILING_COMMA.sub("\n", text)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\n",
                "\r",
                " ",
                "\t",
                ",",
                ":",
                '"',
                "{",
                "}",
                "[",
                "]",
                "a",
                "b c",
                "1",
                "9",
                "-",
                "true",
                "null",
                "x1",
                "\\",
                ".5",
                "e",
                '"k": ',
                "x1,",
                "a,",
                "1,",
                "},",
                " ,",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_repair_matches_the_reference(text: str) -> None:
    from bot.panel.tolerant_json import repair

    assert repair(text) == _repair_reference(text)
