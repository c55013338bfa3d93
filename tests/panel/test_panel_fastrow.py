"""The catalog's fast path (bot/panel/fastrow.py) agrees with the general row reader.

fast_service may only say "this plain row is exactly this Service" or "not sure" (None): for
any row, a Service it returns must equal parse_service's, and a row parse_service refuses must
never come out of it. Rows are drawn from values panels really send and from the hostile ones
(Unicode digits, huge numbers, texts to clean, wrong types) in every field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_catalog import make_rows
from bot.panel.bounded import Invalid
from bot.panel.decode import DETAILED_SKIPS, parse_service, parse_services
from bot.panel.fastrow import fast_service
from bot.panel.models import SkippedRow
from bot.panel.tolerant_json import loads

_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    10,
    500,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    -(2**64),
    10**9,
    10**9 + 1,
    1.0,
    0.0,
    1.5,
    float("inf"),
    float("nan"),
    Decimal("0"),
    Decimal("-0"),
    Decimal("1"),
    Decimal("0.5"),
    Decimal("12.50"),
    Decimal("1E+1000000"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("1000000000.000001"),
    Decimal("5.0"),
    Decimal("-2"),
    "",
    " ",
    "0",
    "1",
    "-1",
    "+1",
    "10",
    " 10",
    "10 ",
    "500",
    "9" * 18,
    "9" * 19,
    "1e3",
    "1E30",
    "12.5",
    ".5",
    "5.",
    "1,000.50",
    "-0",
    "1e1000000",
    "\u00b2",
    "\u0661\u0662",
    "yes",
    "no",
    "true",
    "True",
    "FALSE",
    "on",
    "y",
    "Default",
    "default",
    "Package",
    "Custom Comments",
    "custom_comments",
    "Live Stream",
    "Unknown",
    "n/a",
    "a  b",
    " x ",
    "x\ny",
    "\u200e",
    "\ud800",
    "<b>x</b>",
    "x" * 64,
    "x" * 65,
    "x" * 255,
    "x" * 256,
    "x" * 513,
    [1],
    {"a": 1},
]
_FIELDS = [
    "service",
    "id",
    "name",
    "type",
    "category",
    "rate",
    "min",
    "max",
    "refill",
    "cancel",
    "dripfeed",
    "desc",
    "description",
]
_PLAIN: dict[str, Any] = {
    "service": 7,
    "name": "Likes",
    "type": "Default",
    "category": "Instagram",
    "rate": "0.5",
    "min": "10",
    "max": 1000,
    "refill": True,
    "cancel": 0,
    "dripfeed": "0",
    "desc": "Fast",
}


def _general(row: dict[str, Any]) -> Any:
    try:
        return parse_service(row)
    except Invalid as exc:
        return exc


def _agree(row: dict[str, Any]) -> None:
    fast = fast_service(row)
    if fast is not None:
        assert fast == _general(row), row


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELDS), st.sampled_from(_VALUES), max_size=13))
def test_fast_path_never_disagrees_with_the_general_reader(row: dict[str, Any]) -> None:
    _agree(row)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(_FIELDS),
    st.sampled_from(_VALUES),
    st.sampled_from(_FIELDS),
    st.one_of(st.sampled_from(_VALUES), st.text(max_size=12)),
)
def test_one_or_two_odd_fields_in_a_plain_row(
    field: str, value: Any, other: str, other_value: Any
) -> None:
    _agree({**_PLAIN, field: value})
    _agree({**_PLAIN, field: value, other: other_value})
    row = dict(_PLAIN)
    row.pop(field, None)
    _agree(row)


def test_plain_catalog_rows_take_the_fast_path() -> None:
    rows = loads(json.dumps(make_rows(300)))
    assert all(fast_service(row) == parse_service(row) for row in rows)
    assert fast_service(_PLAIN) is not None


def test_skipped_rows_past_the_detailed_ones_keep_a_shared_reason() -> None:
    body = (
        [1] * (DETAILED_SKIPS + 5)
        + [{"service": Decimal("1E+1000000")}] * 3
        + [{"service": 9, "rate": "1", "min": "\u00b2", "max": 5}]
    )
    catalog = parse_services(body)
    assert len(catalog.skipped) == DETAILED_SKIPS + 9 and not catalog.services
    assert catalog.skipped[0] == SkippedRow(None, "row is 1, not an object")
    assert catalog.skipped[DETAILED_SKIPS] == SkippedRow(None, "row is not an object")
    assert catalog.skipped[-2] == SkippedRow(None, "service id is not usable")
    assert catalog.skipped[-1] == SkippedRow(
        None, "not a plain row, in an answer of mostly unusable rows"
    )
    # Past the detailed ones, in an answer of mostly good rows, a row still says what is wrong.
    good = [{**_PLAIN, "service": i} for i in range(1, DETAILED_SKIPS + 10)]
    catalog = parse_services([*good, *body])
    assert catalog.skipped[-1] == SkippedRow("9", "min is not an integer: '²'")


def test_an_answer_of_mostly_junk_keeps_its_plain_rows_and_counts_the_rest() -> None:
    junk = [{"service": i, "rate": "1", "min": "\u00b2", "max": 5} for i in range(1, 1202)]
    plain = {**_PLAIN, "service": 5000}
    odd = {**_PLAIN, "service": 5001, "name": "two  spaces"}  # good, but not a plain row
    body = [*junk, plain, dict(plain), odd, {"rate": "1"}]
    catalog = parse_services(body)
    assert [s.service_id for s in catalog.services] == ["5000"]
    assert len(catalog.skipped) == len(body) - 1
    assert catalog.skipped[0] == SkippedRow("1", "min is not an integer: '²'")
    assert (
        catalog.skipped[DETAILED_SKIPS + 1].reason
        == "not a plain row, in an answer of mostly unusable rows"
    )
    assert [r.reason for r in catalog.skipped[-3:]] == [
        "duplicate service id",
        "not a plain row, in an answer of mostly unusable rows",
        "service id is not usable",
    ]
    # The same odd row in a catalog of mostly good rows goes through the general reader.
    assert "5001" in {s.service_id for s in parse_services([*junk[:5], odd]).services}
