"""Property: whatever a panel answers to any action, in either dialect, the client returns a
typed, bounded result or raises a typed PanelError, quickly, and never leaks the key.

Bodies go through the real client code over an httpx.MockTransport (the transport is the only
part replaced): arbitrary JSON in every field, wrong types, huge numbers (thousands of digits,
1e1000000 as a number and as a string), Unicode digits, deep nesting, truncated bodies, random
bytes and HTML pages, under assorted HTTP statuses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.panel import (
    Balance,
    CancelResult,
    EntryError,
    OrderInfo,
    OrderRequest,
    PanelClient,
    PanelError,
    RefillInfo,
    ServiceCatalog,
    ServiceType,
    bounded,
)

KEY = "fuzz-key-5f3a9c"
IDS = ["1", "2", "3"]
ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)
CALL_BUDGET = 1.0  # seconds of wall time per call, whatever the answer
# Examples per action and dialect: the default keeps the file near 30 s on a busy machine;
# FUZZ_EXAMPLES=500 for a deeper run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))

# -- bodies -----------------------------------------------------------------------------------

_NASTY_LEAVES = [
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1",
    "77",
    "12.5",
    "1e3",
    "1e30",
    "-1e30",
    "1e1000000",
    "-1e1000000",
    "1e-1000000",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 5000,
    "-" + "9" * 30,
    "0.000000000000000000000000000001",
    '"1e1000000"',
    '"1e30"',
    '"\u00b2"',
    '"\u0661\u0662"',
    '"12.5"',
    '""',
    '" 77 "',
    '"Unknown"',
    '"-5"',
    '"<b>x</b><script>"',
    '"\\u0000\\u001f"',
    '"\\ud800"',
    '"' + "9" * 5000 + '"',
    '"' + "x" * 3000 + '"',
    json.dumps(KEY),
    json.dumps(f"Invalid API key {KEY}"),
    '"Not enough funds on balance"',
    '"Incorrect order ID"',
    '"Fail"',
    '"Expired"',
    '"Refunded"',
    '"Partial"',
    '"Completed"',
    '"In progress"',
    '"Canceled"',
    '"success"',
    '"error"',
    '"\u0661"',
    "[]",
    "{}",
]
_KEYS = [
    "status",
    "charge",
    "remains",
    "start_count",
    "currency",
    "order",
    "error",
    "refill",
    "cancel",
    "service",
    "name",
    "rate",
    "min",
    "max",
    "type",
    "category",
    "desc",
    "refill_id",
    "balance",
    "data",
    "message",
    "id",
    "orders",
    "runs",
    *IDS,
]

leaf = st.one_of(
    st.sampled_from(_NASTY_LEAVES),
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: f"{d:E}"),
    st.text(max_size=12).map(json.dumps),
)


def _obj(pairs: list[tuple[str, str]]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"


json_text = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.lists(st.tuples(st.sampled_from(_KEYS) | st.text(max_size=4), inner), max_size=6).map(
            _obj
        )
    ),
    max_leaves=16,
)


def _row(fields: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(fields), json_text), max_size=len(fields) + 2).map(
        _obj
    )


_SERVICE = [
    "service",
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
]
_ORDER = ["status", "charge", "remains", "start_count", "currency", "error", "runs"]

# Answers shaped like each action's documented answer, with anything in the fields.
_SHAPED: dict[str, st.SearchStrategy[str]] = {
    "services": st.lists(_row(_SERVICE), max_size=5).map(lambda rs: "[" + ",".join(rs) + "]")
    | st.lists(_row(_SERVICE), max_size=3).map(
        lambda rs: '{"status":"success","data":[' + ",".join(rs) + "]}"
    ),
    "add": _row(["order", "error", "status"]),
    "status": _row(_ORDER),
    "statuses": st.lists(st.tuples(st.sampled_from(IDS), _row(_ORDER) | json_text), max_size=4).map(
        _obj
    )
    | st.lists(_row(["order", *_ORDER]), max_size=4).map(lambda rs: "[" + ",".join(rs) + "]"),
    "refill": _row(["refill", "error"]),
    "refills": st.lists(_row(["order", "refill", "error"]), max_size=4).map(
        lambda rs: "[" + ",".join(rs) + "]"
    ),
    "refill_status": _row(["status", "error"]),
    "refill_statuses": st.lists(_row(["refill", "status", "error"]), max_size=4).map(
        lambda rs: "[" + ",".join(rs) + "]"
    ),
    "cancel": st.lists(_row(["order", "cancel", "error"]), max_size=4).map(
        lambda rs: "[" + ",".join(rs) + "]"
    )
    | st.lists(st.tuples(st.sampled_from(IDS), json_text), max_size=4).map(_obj),
    "balance": _row(["balance", "currency", "status", "error"]),
}

_PATHOLOGICAL = st.sampled_from(
    [
        "[" * 100_000,
        '{"a":' * 50_000,
        "[" * 990 + "]" * 990,
        "",
        " ",
        "null",
        "<html><title>502 Bad gateway</title></html>",
        '{"order": 23501',
        '{"status":"error","message":' + '"x"}',
        '{"balance": "1e1000000"}',
        '{"remains": 1e1000000}',
        "\ufeff{}",
        '{"error": ' + "9" * 5000 + "}",
    ]
)


def body_for(action: str) -> st.SearchStrategy[bytes]:
    text = st.one_of(_SHAPED[action], json_text, _PATHOLOGICAL)
    as_bytes = text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    truncated = st.tuples(text, st.floats(0, 1)).map(
        lambda tc: tc[0][: int(len(tc[0]) * tc[1])].encode("utf-8", "surrogatepass")
    )
    return st.one_of(as_bytes, as_bytes, truncated, st.binary(max_size=64))


statuses = st.sampled_from([200, 200, 200, 200, 201, 302, 400, 401, 404, 422, 429, 500, 502])

# -- the client, driven through a real httpx transport ----------------------------------------


class Answer:
    """What the mock panel answers next (one body per example)."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status, content=self.body, headers={"Content-Type": "application/json"}
        )


class BugLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _no_sleep(_: float) -> None:
    return None


CALLS: dict[str, Callable[[PanelClient], Awaitable[Any]]] = {
    "services": lambda c: c.catalog(),
    "add": lambda c: c.add(ADD),
    "status": lambda c: c.status(1),
    "statuses": lambda c: c.statuses(IDS),
    "refill": lambda c: c.refill(1),
    "refills": lambda c: c.refills(IDS),
    "refill_status": lambda c: c.refill_status(1),
    "refill_statuses": lambda c: c.refill_statuses(IDS),
    "cancel": lambda c: c.cancel(IDS),
    "balance": lambda c: c.balance(),
}


def _printable(text: str, limit: int) -> bool:
    return len(text) <= limit and text.isprintable()


def _check_order(info: OrderInfo) -> None:
    assert _printable(info.raw_status, bounded.STATUS_LEN)
    for number in (info.remains, info.start_count):
        assert number is None or (type(number) is int and number.bit_length() <= 63)
    assert info.charge is None or (info.charge.is_finite() and 0 <= info.charge <= 10**9)


def _check_entry(entry: EntryError) -> None:
    assert _printable(entry.message, bounded.MESSAGE_LEN) and entry.message


def check_result(action: str, result: Any) -> None:
    """The result is the documented type, and every value in it is bounded."""
    if action == "services":
        assert isinstance(result, ServiceCatalog)
        ids = [s.service_id for s in result.services]
        assert len(ids) == len(set(ids))
        for s in result.services:
            assert _printable(s.service_id, 64) and _printable(s.name, 512)
            assert _printable(s.category, 255) and _printable(s.raw_type, 64)
            assert isinstance(s.rate, Decimal) and 0 <= s.rate <= 10**9
            assert 1 <= s.min <= s.max < 2**63
        for skipped in result.skipped:
            assert _printable(skipped.reason, bounded.MAX_REASON)
    elif action in ("add", "refill"):
        assert isinstance(result, str) and result.isascii() and result.isdigit()
        assert 0 < int(result) < 2**63
    elif action == "status":
        assert isinstance(result, OrderInfo)
        _check_order(result)
    elif action == "refill_status":
        assert isinstance(result, RefillInfo) and _printable(result.raw_status, 64)
    elif action == "balance":
        assert isinstance(result, Balance) and result.amount.is_finite()
        assert abs(result.amount) <= 10**9 and _printable(result.currency, 8)
    else:
        assert isinstance(result, dict) and list(result) == IDS
        for value in result.values():
            if isinstance(value, EntryError):
                _check_entry(value)
            elif action == "statuses":
                assert isinstance(value, OrderInfo)
                _check_order(value)
            elif action == "refill_statuses":
                assert isinstance(value, RefillInfo) and _printable(value.raw_status, 64)
            elif action == "refills":
                assert isinstance(value, str) and value.isdigit()
            else:
                assert isinstance(value, CancelResult)
                assert value.error is None or _printable(value.error, bounded.MESSAGE_LEN)


@pytest.fixture(scope="module")
def loop() -> Any:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize("dialect", ["v1", "v2"])
@pytest.mark.parametrize("action", list(CALLS))
def test_any_answer_is_typed_bounded_and_quick(
    loop: asyncio.AbstractEventLoop, action: str, dialect: str
) -> None:
    answer = Answer()
    client = PanelClient(
        "fuzz",
        f"https://panel.example/api/{dialect}",
        KEY,
        retries=0,
        transport=httpx.MockTransport(answer),
        sleep=_no_sleep,
    )
    bugs = BugLog()
    logging.getLogger("bot.panel").addHandler(bugs)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=body_for(action), status=statuses)
    def run(body: bytes, status: int) -> None:
        answer.status, answer.body = status, body
        started = time.perf_counter()
        try:
            result = loop.run_until_complete(CALLS[action](client))
        except PanelError as exc:
            text = f"{exc} {exc!r} {vars(exc)}"
            assert KEY not in text
        else:
            check_result(action, result)
            assert KEY not in repr(result)
        assert time.perf_counter() - started < CALL_BUDGET
        assert not bugs.records, bugs.records[0].getMessage()

    try:
        run()
    finally:
        logging.getLogger("bot.panel").removeHandler(bugs)
        loop.run_until_complete(client.aclose())
