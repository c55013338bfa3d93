"""Rejections, faults, retries, chunking, isolation between panels, key secrecy."""

import asyncio
import logging
import time

import pytest

from bot.panel import (
    EntryError,
    ErrorKind,
    OrderRequest,
    PanelOutcomeUnknown,
    PanelRejected,
    PanelUnavailable,
    ServiceType,
)
from tests.fakes.panel_server import FakePanel, Fault, unused_url

ADD = OrderRequest("1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100)


# -- rejections ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Not enough funds on balance", ErrorKind.NOT_ENOUGH_FUNDS),
        ("neworder.error.link_duplicate", ErrorKind.DUPLICATE_ACTIVE_LINK),
        ("Bad link", ErrorKind.BAD_LINK),
        ("Quantity less than minimal 1000", ErrorKind.QUANTITY_OUT_OF_BOUNDS),
    ],
)
@pytest.mark.parametrize("http_status", [200, 422])
async def test_add_rejected(
    v2: FakePanel, make_client, message: str, kind: ErrorKind, http_status: int
) -> None:
    v2.error_http_status = http_status
    v2.reject("add", message)
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).add(ADD)
    assert (info.value.kind, info.value.message, info.value.http_status) == (
        kind,
        message,
        http_status,
    )


async def test_real_rejections_from_fake(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    with pytest.raises(PanelRejected) as info:
        await client.add(OrderRequest("99", ServiceType.DEFAULT, link="https://a", quantity=100))
    assert info.value.kind is ErrorKind.BAD_SERVICE
    with pytest.raises(PanelRejected) as info:
        await client.add(OrderRequest("1", ServiceType.DEFAULT, link="https://a", quantity=10))
    assert info.value.kind is ErrorKind.QUANTITY_OUT_OF_BOUNDS
    assert info.value.message == "Quantity less than minimal 50"
    with pytest.raises(PanelRejected) as info:
        await client.status("404")
    assert info.value.kind is ErrorKind.NOT_FOUND


async def test_bad_key_on_read_not_retried(v2: FakePanel, make_client, sleeps) -> None:
    client = make_client(v2, key="wrong-key-123")
    with pytest.raises(PanelRejected) as info:
        await client.balance()
    assert info.value.kind is ErrorKind.BAD_KEY
    assert len(v2.requests) == 1 and sleeps.delays == []


async def test_refill_and_cancel_rejections(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    v2.set_order(1, "In progress")
    v2.refill_errors["1"] = "The order is not completed"
    with pytest.raises(PanelRejected) as info:
        await client.refill(1)
    assert info.value.kind is ErrorKind.REFILL_NOT_ALLOWED
    v2.set_order(2, "Completed")
    v2.cancel_errors["2"] = "The order is already completed"
    v2.set_order(3, "Pending")
    result = await client.cancel([2, 3])
    assert not result["2"].accepted and result["2"].error == "The order is already completed"
    assert result["3"].accepted


async def test_unknown_action_answer_for_refill_status(v2: FakePanel, make_client) -> None:
    v2.reject("refill_status", "Refill not found")
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).refill_status(7)
    assert info.value.kind is ErrorKind.NOT_FOUND


# -- faults on writes -----------------------------------------------------------------------


async def test_connection_refused_is_definitely_not_placed(make_client) -> None:
    client = make_client(url=unused_url(), key="k-123456")
    with pytest.raises(PanelUnavailable) as info:
        await client.add(ADD)
    assert not isinstance(info.value, PanelOutcomeUnknown)
    assert "connect failed" in info.value.reason


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.HTML_502, "HTTP 502"),
        (Fault.HTTP_500, "HTTP 500"),
        (Fault.INVALID_JSON, "not JSON"),
        (Fault.EMPTY, "empty answer"),
        (Fault.DROP, "connection broken"),
        (Fault.HANG, "timeout"),
    ],
)
async def test_add_fault_is_outcome_unknown_and_not_retried(
    v2: FakePanel, make_client, fault: Fault, reason: str
) -> None:
    v2.inject(fault, action="add")
    client = make_client(v2, timeout=0.3)
    with pytest.raises(PanelOutcomeUnknown) as info:
        await client.add(ADD)
    assert not isinstance(info.value, PanelUnavailable)
    assert reason in info.value.reason
    assert len(v2.requests_for("add")) == 1  # never resent
    if fault is Fault.HTML_502:
        assert info.value.excerpt == "panel.example | 502: Bad gateway"
        assert info.value.http_status == 502


@pytest.mark.parametrize("call", ["refill", "cancel"])
async def test_refill_cancel_timeout_is_outcome_unknown(
    v2: FakePanel, make_client, call: str
) -> None:
    v2.set_order(1, "Completed")
    v2.inject(Fault.HANG, action=call)
    with pytest.raises(PanelOutcomeUnknown):
        await getattr(make_client(v2, timeout=0.3), call)(1)
    assert len(v2.requests_for(call)) == 1


async def test_chunked_cancel_keeps_partial_results(v2: FakePanel, make_client) -> None:
    ids = [str(i) for i in range(1, 151)]
    for i in ids:
        v2.set_order(i, "Pending")
    v2.respond("cancel", [{"order": int(i), "cancel": 1} for i in ids[:100]])
    v2.inject(Fault.HTTP_500, action="cancel")
    with pytest.raises(PanelOutcomeUnknown) as info:
        await make_client(v2).cancel(ids)
    assert sorted(info.value.partial_results, key=int) == ids[:100]


# -- faults on reads: retried with backoff, then PanelUnavailable ---------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.HTML_502, Fault.HTTP_500, Fault.INVALID_JSON, Fault.EMPTY, Fault.DROP, Fault.HANG],
)
async def test_status_retried_then_unavailable(
    v2: FakePanel, make_client, sleeps, fault: Fault
) -> None:
    v2.set_order(1, "Completed")
    v2.inject(fault, action="status", times=3)
    client = make_client(v2, timeout=0.3, retries=2, backoff=0.5)
    with pytest.raises(PanelUnavailable) as info:
        await client.status(1)
    assert len(v2.requests_for("status")) == 3
    assert len(sleeps.delays) == 2
    assert 0.375 <= sleeps.delays[0] <= 0.625 and 0.75 <= sleeps.delays[1] <= 1.25
    assert info.value.retryable


async def test_status_recovers_after_retry(v2: FakePanel, make_client, sleeps) -> None:
    v2.set_order(1, "Completed")
    v2.inject(Fault.HTML_502, action="status")
    info = await make_client(v2).status(1)
    assert info.raw_status == "Completed" and len(sleeps.delays) == 1


async def test_backoff_is_bounded(v2: FakePanel, make_client, sleeps) -> None:
    v2.inject(Fault.HTTP_500, action="balance", times=10)
    with pytest.raises(PanelUnavailable):
        await make_client(v2, retries=6, backoff=1.0, backoff_max=4.0).balance()
    assert max(sleeps.delays) <= 4.0 * 1.25


async def test_read_connect_refused(make_client, sleeps) -> None:
    with pytest.raises(PanelUnavailable):
        await make_client(url=unused_url(), key="k-123456", retries=1).services()
    assert len(sleeps.delays) == 1


# -- multi requests -------------------------------------------------------------------------


async def test_250_ids_split_into_3_requests(v2: FakePanel, make_client) -> None:
    ids = [str(i) for i in range(1000, 1250)]
    for i in ids[::2]:
        v2.set_order(i, "In progress")
    result = await make_client(v2).statuses(ids + ids[:5])  # duplicates are sent once
    sent = [r.form["orders"].split(",") for r in v2.requests_for("status")]
    assert [len(s) for s in sent] == [100, 100, 50]
    assert [i for s in sent for i in s] == ids
    assert list(result) == ids
    assert sum(isinstance(v, EntryError) for v in result.values()) == 125


async def test_missing_id_in_answer_is_entry_error(v2: FakePanel, make_client) -> None:
    v2.respond("status", {"1": {"status": "Completed"}})
    result = await make_client(v2).statuses([1, 2])
    assert result["2"] == EntryError("2", "No answer for this ID")


async def test_multi_status_whole_answer_error(v2: FakePanel, make_client) -> None:
    v2.reject("status", "Invalid API key")
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).statuses([1, 2])
    assert info.value.kind is ErrorKind.BAD_KEY


# -- isolation ------------------------------------------------------------------------------


async def test_slow_panel_does_not_stall_fast_one(make_client) -> None:
    async with FakePanel() as slow, FakePanel() as fast:
        slow.latency = 5.0
        slow_client = make_client(slow, name="slow", timeout=10, max_concurrency=1)
        fast_client = make_client(fast, name="fast", max_concurrency=1)
        hanging = [asyncio.create_task(slow_client.balance()) for _ in range(3)]
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        results = await asyncio.gather(*(fast_client.balance() for _ in range(10)))
        assert time.perf_counter() - started < 1.0
        assert len(results) == 10 and not any(t.done() for t in hanging)
        for t in hanging:
            t.cancel()
        await asyncio.gather(*hanging, return_exceptions=True)


async def test_concurrency_limit(v2: FakePanel, make_client) -> None:
    v2.latency = 0.2
    client = make_client(v2, max_concurrency=2)
    started = time.perf_counter()
    await asyncio.gather(*(client.balance() for _ in range(4)))
    assert time.perf_counter() - started >= 0.39


# -- secrecy --------------------------------------------------------------------------------


async def test_key_never_leaks(v2: FakePanel, make_client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(v2)
    key = v2.key
    errors: list[BaseException] = []
    v2.respond(
        "add", f"<html><title>Error for {key}</title></html>", status=502, content_type="text/html"
    )
    v2.reject("status", f"Invalid API key {key}")
    v2.inject(Fault.HANG, action="refill")
    for coro in (
        client.add(ADD),
        client.status(1),
        make_client(v2, timeout=0.2).refill(1),
        make_client(url=unused_url(), key=key).balance(),
    ):
        try:
            await coro
        except Exception as exc:
            errors.append(exc)
    assert len(errors) == 4
    for exc in errors:
        text = f"{exc} {exc!r} {vars(exc)}"
        assert key not in text
        assert exc.__cause__ is None and exc.__context__ is None
    assert key not in repr(client)
    assert key not in caplog.text
    records = [r for r in caplog.records if r.name == "bot.panel"]
    assert records and all("action=" in r.getMessage() for r in records)
    assert "duration_ms=" in records[0].getMessage() and "panel=panel" in records[0].getMessage()


async def test_success_is_logged(v2: FakePanel, make_client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.panel")
    await make_client(v2, name="smm.plus").balance()
    [record] = [r for r in caplog.records if r.name == "bot.panel"]
    assert "panel=smm.plus action=balance" in record.getMessage()
    assert "outcome=ok" in record.getMessage()


# -- odd but valid answers ------------------------------------------------------------------


async def test_add_answer_without_order_id_is_outcome_unknown(v2: FakePanel, make_client) -> None:
    v2.respond("add", {"status": "success"})
    with pytest.raises(PanelOutcomeUnknown):
        await make_client(v2).add(ADD)


async def test_redirect_is_not_followed(v2: FakePanel, make_client, sleeps) -> None:
    v2.respond("balance", "", status=301)
    with pytest.raises(PanelUnavailable) as info:
        await make_client(v2).balance()
    assert info.value.http_status == 301 and sleeps.delays == []


async def test_empty_id_list_sends_nothing(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    assert await client.statuses([]) == {} and await client.cancel([]) == {}
    assert v2.requests == []


async def test_invalid_params_never_sent(v2: FakePanel, make_client) -> None:
    from bot.panel import InvalidOrderParams

    with pytest.raises(InvalidOrderParams):
        await make_client(v2).add(OrderRequest("1", ServiceType.DEFAULT, link="https://a"))
    assert v2.requests == []


async def test_rate_limit_on_read_is_retried(v2: FakePanel, make_client, sleeps) -> None:
    v2.respond("balance", {"error": "Too many requests"}, status=429)
    assert (await make_client(v2).balance()).currency == "USD"
    assert len(sleeps.delays) == 1


async def test_refill_bare_string_answer_is_rejection(v2: FakePanel, make_client) -> None:
    v2.respond("refill", {"refill": "Refill is disabled for this service"})
    with pytest.raises(PanelRejected) as info:
        await make_client(v2).refill(1)
    assert info.value.kind is ErrorKind.REFILL_NOT_ALLOWED
