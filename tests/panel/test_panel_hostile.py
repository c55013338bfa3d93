"""Hostile panel answers, read by the bounded parser: bad values cost their row, item or call,
as a typed error, never another exception; the rest of the answer stands."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from bot.panel import (
    EntryError,
    ErrorKind,
    OrderRequest,
    OrderStatus,
    PanelOutcomeUnknown,
    PanelRejected,
    PanelUnavailable,
    RefillStatus,
    ServiceType,
    SkippedRow,
    bounded,
    classify_error,
)
from bot.panel.bounded import Invalid, RefusedNumber
from bot.panel.decode import error_of, parse_services, parse_statuses, to_bool, to_id, to_int
from bot.panel.tolerant_json import JSONError, loads
from tests.fakes.panel_server import FakePanel

ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)
GOOD = {
    "service": 1,
    "name": "Followers",
    "type": "Default",
    "category": "Cat",
    "rate": "0.90",
    "min": "50",
    "max": "10000",
}


def row(**changes: object) -> dict:
    return {**GOOD, **changes}


# -- the bounded readers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "²",
        "١٢",
        "1e3",
        "12.5",
        "",
        " ",
        "0x10",
        "1_000",
        "+5",
        "9" * 19,
        "-5",
        True,
        None,
        1.0,
        Decimal("12"),
        [1],
        {},
    ],
)
def test_not_a_panel_integer(raw: object) -> None:
    with pytest.raises(Invalid):
        bounded.integer(raw, "min")


def test_panel_integers() -> None:
    assert bounded.integer(" 500 ", "min") == 500
    assert bounded.integer("5000000000", "max") == 5_000_000_000
    assert bounded.integer(2**63 - 1, "max") == 2**63 - 1
    assert bounded.integer("-20", "remains", signed=True) == -20
    with pytest.raises(Invalid, match="out of range"):
        bounded.integer(2**63, "max")
    with pytest.raises(Invalid, match="negative"):
        bounded.integer(-1, "min")


@pytest.mark.parametrize(
    "raw",
    [
        "1e30",
        "1e1000000",
        "-1",
        "NaN",
        "Infinity",
        "١",
        "²",
        "1" * 41,
        Decimal("1e30"),
        Decimal("NaN"),
        10**30,
        "1e-9999",
        True,
        [],
        RefusedNumber("1e1000000"),
    ],
)
def test_not_a_panel_amount(raw: object) -> None:
    with pytest.raises(Invalid) as info:
        bounded.decimal(raw, "rate")
    assert len(info.value.reason) <= bounded.MAX_REASON and info.value.reason.isprintable()


def test_panel_amounts() -> None:
    assert bounded.decimal("0.27819", "charge") == Decimal("0.27819")
    assert bounded.decimal(0.1, "charge") == Decimal("0.1")
    assert bounded.decimal("1,000.50", "balance") == Decimal("1000.50")
    assert bounded.decimal("1000000000", "rate") == Decimal(10**9)
    assert bounded.decimal("-3", "balance", signed=True) == Decimal(-3)


def test_texts_cut_the_same_way_and_cleaned() -> None:
    category = "C" * 300
    first = bounded.text(category, "category", bounded.CATEGORY_LEN)
    assert first == "C" * 255 == bounded.text(category, "category", bounded.CATEGORY_LEN)
    assert bounded.text("a\x00b\nc\u2028d\ud800e  f", "name", 512) == "a b c d e f"
    assert bounded.text("<b>x</b>", "name", 512) == "<b>x</b>"  # HTML stays text
    assert bounded.text(12, "name", 512) == "12"


def test_scalar_helpers_never_raise() -> None:
    huge = 10**5000  # str() of it raises ValueError in 3.11
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    for value in (huge, deep, {"a": deep}, RefusedNumber("1e999"), Decimal("NaN"), "x" * 10**6):
        to_id(value), to_int(value), to_bool(value)
        error_of({"error": value}), error_of({"status": value, "message": value})
    assert to_id(huge) is None and to_int(huge) is None and to_bool(huge) is True
    assert error_of({"error": huge}).startswith("error an integer of about")


# -- JSON: hooks, depth, sloppy ------------------------------------------------------------


def test_json_numbers_are_bounded() -> None:
    data = loads(
        '{"remains": 1e1000000, "big": ' + "9" * 5000 + ', "n": NaN, "x": 1e9999999'
        "9999999999999999}"
    )
    assert isinstance(data["remains"], RefusedNumber)  # refused by the hooks
    assert isinstance(data["big"], RefusedNumber) and isinstance(data["n"], RefusedNumber)
    assert isinstance(data["x"], RefusedNumber)
    fast = loads('{"remains": 1e1000000}')["remains"]  # Decimal holds it; readers refuse it
    with pytest.raises(Invalid, match="remains is not an integer"):
        bounded.integer(fast, "remains")
    with pytest.raises(Invalid, match="charge is out of range"):
        bounded.decimal(fast, "charge")
    assert loads('{"a": 12, "b": 0.5}') == {"a": 12, "b": Decimal("0.5")}


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000, "[" * 3000 + "]" * 3000])
def test_deep_nesting_is_a_json_error(body: str) -> None:
    with pytest.raises(JSONError):
        loads(body)


def test_sloppy_repair_keeps_strings_intact() -> None:
    text = '{\n "a": "x: y, ]"\n "b": Custom Comments,\n "c": true\n "d": [1\n 2,\n ]\n}'
    assert loads(text) == {"a": "x: y, ]", "b": "Custom Comments", "c": True, "d": [1, 2]}


# -- catalog rows one by one --------------------------------------------------------------


def test_bad_rows_skipped_good_rows_kept() -> None:
    rows = [
        row(service=1),
        row(service=2, min="²"),
        row(service=3, rate="1e30"),
        row(service=4, max="5000000000"),
        row(service=5, min="100", max="10"),
        row(service="x" * 65),
        row(service=6, name="N" * 600, category="K" * 300, type="T" * 100),
        row(service=1, name="second"),
        "not a row",
        row(service=7, rate=None),
        row(service=8, min=0),
        row(service=9, type="Live Stream"),
    ]
    catalog = parse_services(rows)
    assert [s.service_id for s in catalog.services] == ["1", "4", "6", "9"]
    assert catalog.services[0].name == "Followers"  # the first of a duplicate id wins
    assert catalog.services[1].max == 5_000_000_000
    long = catalog.services[2]
    assert (len(long.name), len(long.category), len(long.raw_type)) == (512, 255, 64)
    assert catalog.services[3].type is ServiceType.UNKNOWN and not catalog.services[3].orderable
    assert catalog.skipped == [
        SkippedRow("2", "min is not an integer: '²'"),
        SkippedRow("3", "rate is out of range: '1e30'"),
        SkippedRow("5", "min 100 is above max 10"),
        SkippedRow(None, "service id is longer than 64 characters"),
        SkippedRow("1", "duplicate service id"),
        SkippedRow(None, "row is 'not a row', not an object"),
        SkippedRow("7", "rate is missing"),
        SkippedRow("8", "min is 0"),
    ]


# -- status rows one by one, and the vocabulary -------------------------------------------


def test_bad_status_row_costs_only_its_id() -> None:
    answer = {
        "1": {"status": "Canceled", "charge": "0.5", "remains": "100"},
        "2": {"status": "Completed", "charge": "1e30", "remains": "0"},
        "3": {"status": "In progress", "charge": "0.1", "remains": "²"},
        "4": {"status": {"x": 1}, "charge": "0.1", "remains": "1"},
        "5": {"status": "Partial", "charge": "0.1", "remains": RefusedNumber("1e1000000")},
        "6": {"status": "Expired", "charge": "0.1", "remains": "-5", "start_count": "²"},
    }
    result = parse_statuses(["1", "2", "3", "4", "5", "6"], answer)
    assert result["1"].status is OrderStatus.CANCELED and result["1"].remains == 100
    assert result["2"] == EntryError("2", "charge is out of range: '1e30'", malformed=True)
    assert result["3"] == EntryError("3", "remains is not an integer: '²'", malformed=True)
    assert result["4"] == EntryError("4", "status is an object", malformed=True)
    assert isinstance(result["5"], EntryError) and result["5"].malformed
    six = result["6"]
    assert six.status is OrderStatus.UNKNOWN and six.raw_status == "Expired"
    assert six.remains == -5 and six.start_count is None


@pytest.mark.parametrize(
    ("raw", "order", "refill"),
    [
        ("Refunded", OrderStatus.REFUNDED, RefillStatus.UNKNOWN),
        ("Refund", OrderStatus.REFUNDED, RefillStatus.UNKNOWN),
        ("Fail", OrderStatus.FAILED, RefillStatus.FAILED),
        ("Failed", OrderStatus.FAILED, RefillStatus.FAILED),
        ("Error", OrderStatus.FAILED, RefillStatus.FAILED),
        ("Cancelled", OrderStatus.CANCELED, RefillStatus.CANCELED),
        ("In Progress", OrderStatus.IN_PROGRESS, RefillStatus.IN_PROGRESS),
        ("Inprogress", OrderStatus.IN_PROGRESS, RefillStatus.IN_PROGRESS),
        ("IN_PROGRESS", OrderStatus.IN_PROGRESS, RefillStatus.IN_PROGRESS),
        ("Processing", OrderStatus.PROCESSING, RefillStatus.IN_PROGRESS),
        ("Awaiting", OrderStatus.PENDING, RefillStatus.PENDING),
        ("Success", OrderStatus.COMPLETED, RefillStatus.COMPLETED),
        ("Partially completed", OrderStatus.PARTIAL, RefillStatus.UNKNOWN),
        ("Expired", OrderStatus.UNKNOWN, RefillStatus.UNKNOWN),
        ("Processed", OrderStatus.UNKNOWN, RefillStatus.COMPLETED),
        ("pending" + " " * 100, OrderStatus.UNKNOWN, RefillStatus.UNKNOWN),
        (7, OrderStatus.UNKNOWN, RefillStatus.UNKNOWN),
    ],
)
def test_status_vocabulary(raw: object, order: OrderStatus, refill: RefillStatus) -> None:
    assert OrderStatus.parse(raw) is order and RefillStatus.parse(raw) is refill


def test_unknown_status_kept_verbatim_bounded() -> None:
    weird = "Stuck\x00 in\tqueue " + "z" * 200
    info = parse_statuses(["1"], {"1": {"status": weird}})["1"]
    assert info.status is OrderStatus.UNKNOWN
    assert info.raw_status == ("Stuck in queue " + "z" * 200)[:64]


# -- panel error texts ---------------------------------------------------------------------

K = ErrorKind


@pytest.mark.parametrize(
    ("message", "action", "kind"),
    [
        ("Insufficient balance", "add", K.NOT_ENOUGH_FUNDS),
        ("Your balance is too low", "add", K.NOT_ENOUGH_FUNDS),
        ("Link is invalid", "add", K.BAD_LINK),
        ("Invalid URL", "add", K.BAD_LINK),
        ("Order cannot be canceled", "cancel", K.CANCEL_NOT_ALLOWED),
        ("Invalid order id", "status", K.NOT_FOUND),
        ("رصيدك غير كاف", "add", K.NOT_ENOUGH_FUNDS),
        ("الرابط غير صالح", "add", K.BAD_LINK),
        ("الكمية أقل من الحد الأدنى", "add", K.QUANTITY_OUT_OF_BOUNDS),
        ("رقم الطلب غير صحيح", "status", K.NOT_FOUND),
        ("مفتاح API غير صالح", "balance", K.BAD_KEY),
        ("x" * 10_000 + " funds", "add", K.OTHER),
    ],  # only the first 500 characters are read
)
def test_more_error_texts(message: str, action: str, kind: ErrorKind) -> None:
    assert classify_error(message, action) is kind


# -- add outcomes over real HTTP ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"order": "Not enough funds on balance"}, K.NOT_ENOUGH_FUNDS),
        ({"order": 0}, K.OTHER),
        ({"order": ""}, K.OTHER),
        ({"order": None}, K.OTHER),
        ({"order": "12.5"}, K.OTHER),
        ({"order": "١٢"}, K.OTHER),
        ({"order": -3}, K.OTHER),
        ({"order": 10**30}, K.OTHER),
        ({"order": True}, K.OTHER),
    ],
)
async def test_add_answer_without_an_id_is_a_rejection(
    v2: FakePanel, make_client, body: dict, kind: ErrorKind
) -> None:
    v2.respond("add", body)
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).add(ADD)
    assert info.value.kind is kind and len(v2.requests_for("add")) == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"order": 77, "error": "x"}',
        '{"order": "77", "error": 1}',
        '{"status": "success", "order": 77}',
        '{"order": " 77 "}',
    ],
)
async def test_add_with_an_id_is_placed(v2: FakePanel, make_client, body: str) -> None:
    v2.respond("add", body)
    assert await make_client(v2).add(ADD) == "77"


@pytest.mark.parametrize(
    "body",
    ["{}", '{"status": "ok"}', "[]", "[" * 100_000, '{"order": 1e1000000', "<html>busy</html>"],
)
async def test_add_without_order_key_is_outcome_unknown(
    v2: FakePanel, make_client, body: str
) -> None:
    v2.respond("add", body)
    with pytest.raises(PanelOutcomeUnknown):
        await make_client(v2).add(ADD)


async def test_add_redirect_is_outcome_unknown(v2: FakePanel, make_client) -> None:
    v2.respond("add", "", status=302)
    with pytest.raises(PanelOutcomeUnknown) as info:
        await make_client(v2).add(ADD)
    assert info.value.http_status == 302 and len(v2.requests_for("add")) == 1


async def test_add_waiting_for_a_slot_past_the_bound_is_not_sent(
    v2: FakePanel, make_client
) -> None:
    v2.action_latency["balance"] = 2.0
    client = make_client(v2, max_concurrency=1, slot_timeout=0.1, timeout=5)
    busy = asyncio.create_task(client.balance())
    await asyncio.sleep(0.05)
    with pytest.raises(PanelUnavailable) as info:
        await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert info.value.reason == "no free connection slot"
    assert v2.requests_for("add") == []
    busy.cancel()
    await asyncio.gather(busy, return_exceptions=True)


async def test_add_before_send_raising_sends_nothing(v2: FakePanel, make_client) -> None:
    class Held(Exception):
        pass

    async def held() -> None:
        raise Held

    with pytest.raises(Held):
        await make_client(v2).add(ADD, before_send=held)
    assert v2.requests_for("add") == []


# -- hostile answers to the other calls over real HTTP ------------------------------------


async def test_status_huge_remains_is_a_typed_error(v2: FakePanel, make_client) -> None:
    v2.respond("status", '{"status": "Partial", "charge": "1", "remains": 1e1000000}')
    with pytest.raises(PanelUnavailable) as info:
        await make_client(v2).status(1)
    assert info.value.reason == "unusable answer: remains is not an integer: 1E+1000000"
    assert not info.value.retryable


async def test_multi_status_bad_row_isolated_over_http(v2: FakePanel, make_client) -> None:
    v2.respond(
        "status",
        '{"1": {"status": "Canceled", "charge": "0.5", "remains": "10"},'
        ' "2": {"status": "Completed", "charge": 1e30, "remains": 0},'
        ' "3": {"status": "Partial", "charge": "0.1", "remains": "²"}}',
    )
    result = await make_client(v2).statuses([1, 2, 3])
    assert result["1"].status is OrderStatus.CANCELED
    assert result["2"].malformed and result["3"].malformed


async def test_catalog_with_hostile_rows_keeps_good_ones(v2: FakePanel, make_client) -> None:
    v2.set_catalog(
        [
            row(service=1),
            row(service=2, min="²"),
            row(service=3, rate="1e30"),
            row(service=4, max="5000000000"),
        ]
    )
    catalog = await make_client(v2).catalog()
    assert [s.service_id for s in catalog.services] == ["1", "4"]
    assert [s.service_id for s in catalog.skipped] == ["2", "3"]


async def test_deep_and_huge_bodies_are_typed(v2: FakePanel, make_client) -> None:
    client = make_client(v2, retries=0)
    v2.respond("services", "[" * 100_000)
    with pytest.raises(PanelUnavailable, match="too many nested values"):
        await client.services()
    v2.respond("status", "[" * 5_000)
    with pytest.raises(PanelUnavailable, match="nesting too deep"):
        await client.status(1)
    v2.respond("status", "[" + "1," * 100_000 + "1]")
    with pytest.raises(PanelUnavailable, match="too many values"):
        await client.statuses([1])
    v2.respond("balance", json.dumps({"balance": "1", "pad": "x" * 300_000}))
    with pytest.raises(PanelUnavailable, match="answer over 256 kB"):
        await client.balance()
    v2.respond("balance", '{"balance": "1e30"}')
    with pytest.raises(PanelUnavailable, match="balance is out of range"):
        await client.balance()


async def test_key_cut_by_the_message_bound_is_still_redacted(v2: FakePanel, make_client) -> None:
    key = v2.key
    v2.reject("add", "x" * 490 + key)
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).add(ADD)
    assert key[:4] not in info.value.message and len(info.value.message) <= 500
    assert info.value.message.endswith("***")
    v2.respond("status", {"1": {"error": f"bad {key}"}, "2": f"no {key}"})
    result = await make_client(v2).statuses([1, 2])
    assert key not in repr(result)


async def test_large_catalog_read_off_the_loop_keeps_every_good_row(
    v2: FakePanel, make_client
) -> None:
    rows = [row(service=i, name=f"Service {i} " + "n" * 120) for i in range(1, 2501)]
    rows[7]["min"] = "\u00b2"
    v2.set_catalog(rows)  # ~500 kB, 2,500 rows: parsed in a worker thread
    catalog = await make_client(v2).catalog()
    assert catalog == parse_services(json.loads(json.dumps(rows)))
    assert len(catalog.services) == 2499 and catalog.skipped == [
        SkippedRow("8", "min is not an integer: '²'")
    ]
