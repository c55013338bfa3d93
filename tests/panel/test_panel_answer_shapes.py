"""Issue 15, points 3-5: every cancel/refill/refill_status answer shape real panels send, the
status vocabulary and the error texts, read by the real client over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bot.panel import (
    CancelResult,
    EntryError,
    ErrorKind,
    OrderStatus,
    PanelRejected,
    RefillStatus,
    classify_error,
)
from bot.panel.decode import parse_cancels, parse_refill_statuses, parse_refills
from tests.fakes.panel_server import FakePanel

# -- cancel -------------------------------------------------------------------------------------

ACCEPTED_CANCELS: list[tuple[list[str], Any]] = [
    (["1"], [{"order": 1, "cancel": 1}]),
    (["1"], {"1": 1}),
    (["2"], [{"order": "2", "cancel": {"status": "Canceled"}}]),
    (["2"], [{"order": 2, "cancel": {"status": "success"}}]),
    (["2"], {"cancel": "success"}),
    (["2"], {"status": "success"}),
    (["2"], {"status": "Cancelled"}),
    (["2"], {"order": 2, "cancel": 1}),
    (["2"], {"order": "2", "cancel": {"status": "Canceled"}}),
    (["2"], [{"order": 2, "cancel": True}]),
    (["2"], {"2": {"cancel": "1"}}),
]


@pytest.mark.parametrize(("ids", "answer"), ACCEPTED_CANCELS)
async def test_cancel_accepted_in_every_shape(
    v2: FakePanel, make_client, ids: list[str], answer: Any
) -> None:
    v2.respond("cancel", answer)
    results = await make_client(v2).cancel(ids)
    assert results == {ids[0]: CancelResult(ids[0], True, None)}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"order": 2, "cancel": {"error": "Order is not cancelable"}}, "Order is not cancelable"),
        ([{"order": 2, "cancel": {"error": "Incorrect order ID"}}], "Incorrect order ID"),
        ([{"order": 2, "cancel": "Order not found"}], "Order not found"),
        (
            {"2": {"error": "The selected order id is invalid."}},
            "The selected order id is invalid.",
        ),
    ],
)
async def test_cancel_rejections_keep_the_panels_words(
    v2: FakePanel, make_client, answer: Any, message: str
) -> None:
    v2.respond("cancel", answer)
    result = (await make_client(v2).cancel(["2"]))["2"]
    assert not result.accepted and not result.unclear and result.error == message


@pytest.mark.parametrize(
    "answer",
    [
        [{"order": 2, "cancel": {"state": "weird"}}],
        [{"order": 2, "cancel": {"status": "Nope"}}],
        [{"order": 2, "cancel": [1, 2]}],
        {"2": {"cancel": {"id": 9}}},
    ],
)
async def test_cancel_answer_not_understood_is_unclear(
    v2: FakePanel, make_client, answer: Any
) -> None:
    v2.respond("cancel", answer)
    result = (await make_client(v2).cancel(["2"]))["2"]
    assert not result.accepted and result.unclear


def test_cancel_single_order_shape_is_not_applied_to_several() -> None:
    # {"status": "success"} names no order: for two orders it answers neither.
    out = parse_cancels(["1", "2"], {"status": "success"})
    assert [r.accepted for r in out.values()] == [False, False]


def test_cancel_explicit_no_is_a_rejection() -> None:
    out = parse_cancels(["1", "2"], [{"order": 1, "cancel": 0}, {"order": 2, "cancel": False}])
    assert [(r.accepted, r.unclear) for r in out.values()] == [(False, False), (False, False)]


# -- refill -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ids", "answer", "expected"),
    [
        (["1", "2"], [{"refill": 5}, {"refill": "6"}], {"1": "5", "2": "6"}),
        (["1"], [{"order": 1, "refill": 5}], {"1": "5"}),
        (["1", "2"], [{"order": 2, "refill": 6}, {"order": 1, "refill": 5}], {"1": "5", "2": "6"}),
        (["1"], {"refill": "5"}, {"1": "5"}),
        (["1"], {"refill": {"id": 5}}, {"1": "5"}),
        (["1"], [{"order": 1, "refill": {"refill_id": "5"}}], {"1": "5"}),
        (["1"], {"order": 1, "refill": 5}, {"1": "5"}),
        (["1", "2"], {"1": 5, "2": {"refill": 6}}, {"1": "5", "2": "6"}),
    ],
)
async def test_refills_in_every_shape(
    v2: FakePanel, make_client, ids: list[str], answer: Any, expected: dict[str, str]
) -> None:
    v2.respond("refill", answer)
    assert await make_client(v2).refills(ids) == expected


def test_refill_list_without_order_key_of_another_length_answers_nobody() -> None:
    # Two rows for three orders: matching by position could give an order another's refill.
    out = parse_refills(["1", "2", "3"], [{"refill": 5}, {"refill": 6}])
    assert all(isinstance(v, EntryError) for v in out.values())


def test_refill_errors_per_order() -> None:
    out = parse_refills(
        ["1", "2"],
        [
            {"order": 1, "refill": {"error": "Incorrect order ID"}},
            {"order": 2, "refill": "Refill is disabled"},
        ],
    )
    assert out == {
        "1": EntryError("1", "Incorrect order ID"),
        "2": EntryError("2", "Refill is disabled"),
    }


@pytest.mark.parametrize("answer", [{"refill": {"id": 5}}, {"refill": "5"}, {"refill": 5}])
async def test_single_refill_shapes(v2: FakePanel, make_client, answer: Any) -> None:
    v2.respond("refill", answer)
    assert await make_client(v2).refill("1") == "5"


# -- refill_status ------------------------------------------------------------------------------


async def test_refill_status_single_object(v2: FakePanel, make_client) -> None:
    v2.respond("refill_status", {"status": "Completed"})
    info = await make_client(v2).refill_status("5")
    assert info.status is RefillStatus.COMPLETED and info.raw_status == "Completed"


async def test_refill_statuses_with_a_per_refill_error(v2: FakePanel, make_client) -> None:
    v2.respond(
        "refill_status",
        [
            {"refill": 5, "status": {"error": "Incorrect refill id"}},
            {"refill": "6", "status": "Fail"},
        ],
    )
    out = await make_client(v2).refill_statuses(["5", "6"])
    assert out["5"] == EntryError("5", "Incorrect refill id")
    assert classify_error(out["5"].message, "refill_status") is ErrorKind.NOT_FOUND
    assert out["6"].status is RefillStatus.FAILED


def test_refill_status_one_refill_without_its_id() -> None:
    out = parse_refill_statuses(["5"], {"status": "In progress"})
    assert out["5"].status is RefillStatus.IN_PROGRESS


# -- the status vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fail", OrderStatus.FAILED),
        ("Failed", OrderStatus.FAILED),
        ("Error", OrderStatus.FAILED),
        ("fail", OrderStatus.FAILED),
        ("error", OrderStatus.FAILED),
        ("ERROR", OrderStatus.FAILED),
        ("Active", OrderStatus.IN_PROGRESS),
        ("Processing", OrderStatus.PROCESSING),
        ("inprogress", OrderStatus.IN_PROGRESS),
        ("In progress", OrderStatus.IN_PROGRESS),
        ("IN PROGRESS", OrderStatus.IN_PROGRESS),
        ("in_progress", OrderStatus.IN_PROGRESS),
        ("Cancelled", OrderStatus.CANCELED),
        ("Canceled", OrderStatus.CANCELED),
        ("CANCELED", OrderStatus.CANCELED),
        ("Partial", OrderStatus.PARTIAL),
        ("partial", OrderStatus.PARTIAL),
        ("Completed", OrderStatus.COMPLETED),
        ("COMPLETED", OrderStatus.COMPLETED),
        ("Pending", OrderStatus.PENDING),
        ("pending", OrderStatus.PENDING),
        ("Refunded", OrderStatus.REFUNDED),
        ("Canceling", OrderStatus.UNKNOWN),
        ("Stuck", OrderStatus.UNKNOWN),
    ],
)
async def test_status_spellings_over_http(
    v2: FakePanel, make_client, raw: str, expected: OrderStatus
) -> None:
    v2.respond(
        "status",
        {"charge": "1.00", "start_count": "0", "status": raw, "remains": "10", "currency": "USD"},
    )
    info = await make_client(v2).status("1")
    assert info.status is expected and info.raw_status == raw
    assert info.status.is_terminal is (
        expected
        in (
            OrderStatus.COMPLETED,
            OrderStatus.PARTIAL,
            OrderStatus.CANCELED,
            OrderStatus.REFUNDED,
            OrderStatus.FAILED,
        )
    )


# -- error texts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message", "kind"),
    [
        ("add", "The selected key is invalid.", ErrorKind.BAD_KEY),
        ("balance", "The selected key is invalid.", ErrorKind.BAD_KEY),
        ("add", "You don't have sufficient balance.", ErrorKind.NOT_ENOUGH_FUNDS),
        ("status", "The selected order id is invalid.", ErrorKind.NOT_FOUND),
        ("cancel", "The selected order id is invalid.", ErrorKind.NOT_FOUND),
        ("refill", "The selected order id is invalid.", ErrorKind.NOT_FOUND),
        ("refill_status", "Incorrect refill id", ErrorKind.NOT_FOUND),
        ("refill", "Incorrect refill id", ErrorKind.NOT_FOUND),
        ("add", "Quantity is required", ErrorKind.BAD_REQUEST),
        ("add", "The quantity field is required.", ErrorKind.BAD_REQUEST),
        ("add", "Quantity less than minimal 10", ErrorKind.QUANTITY_OUT_OF_BOUNDS),
    ],
)
async def test_error_texts_classified_and_kept_verbatim(
    v2: FakePanel, make_client, action: str, message: str, kind: ErrorKind
) -> None:
    v2.respond(action, {"error": message}, 422)
    client = make_client(v2)
    calls = {
        "add": lambda: client.add(_request()),
        "balance": client.balance,
        "status": lambda: client.status("1"),
        "cancel": lambda: client.cancel("1"),
        "refill": lambda: client.refill("1"),
        "refill_status": lambda: client.refill_status("1"),
    }
    with pytest.raises(PanelRejected) as caught:
        await calls[action]()
    assert caught.value.kind is kind and caught.value.message == message


async def test_error_text_for_admins_has_no_key(v2: FakePanel, make_client) -> None:
    v2.respond("add", {"error": f"The selected key is invalid. ({v2.key})"})
    with pytest.raises(PanelRejected) as caught:
        await make_client(v2).add(_request())
    assert caught.value.kind is ErrorKind.BAD_KEY
    assert v2.key not in caught.value.message and "***" in caught.value.message


def _request() -> Any:
    from bot.panel import OrderRequest, ServiceType

    return OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)
