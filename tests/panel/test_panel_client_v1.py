"""The v1 (smmpans.com, SmartPanel-style) dialect."""

from decimal import Decimal

import pytest

from bot.panel import (
    Balance,
    EntryError,
    ErrorKind,
    OrderRequest,
    OrderStatus,
    PanelRejected,
    ServiceType,
)
from tests.fakes.panel_server import FakePanel


async def test_v1_detected_and_flags(v1: FakePanel, make_client) -> None:
    client = make_client(v1)
    assert client.dialect == "v1"
    assert not client.supports_refill and not client.supports_cancel


async def test_v1_services_doc_text(v1: FakePanel, make_client) -> None:
    services = await make_client(v1).services()
    assert [s.service_id for s in services] == ["5", "9", "10"]
    assert all(s.dripfeed and s.type is ServiceType.DEFAULT for s in services)
    assert services[2].rate == Decimal("1.2")


async def test_v1_empty_catalog(v1: FakePanel, make_client) -> None:
    v1.set_catalog([])
    assert await make_client(v1).services() == []


async def test_v1_add_status_balance(v1: FakePanel, make_client) -> None:
    client = make_client(v1)
    oid = await client.add(OrderRequest("5", ServiceType.DEFAULT, link="https://a", quantity=500))
    assert oid == "32"
    v1.set_order(32, "Pending", charge="0.0360", start_count="0", remains="0", currency=None)
    info = await client.status(32)
    assert (info.order_id, info.status, info.raw_status, info.charge, info.currency) == (
        "32",
        OrderStatus.PENDING,
        "pending",
        Decimal("0.0360"),
        None,
    )
    assert await client.balance() == Balance(Decimal("0.03"), "USD")


async def test_v1_multi_status_bare_string_error(v1: FakePanel, make_client) -> None:
    v1.set_order(12, "Processing", charge="1.2600", start_count="0", remains="0")
    v1.set_order(13, "Pending", charge="0.6300", start_count="0", remains="0")
    result = await make_client(v1).statuses([12, 2, 13])
    assert result["12"].status is OrderStatus.PROCESSING and result["12"].raw_status == (
        "processing"
    )
    assert result["2"] == EntryError("2", "Incorrect order ID")
    assert result["13"].charge == Decimal("0.6300")


async def test_v1_dripfeed_extras(v1: FakePanel, make_client) -> None:
    v1.set_order(40, "In progress", runs="5", orders="2")
    info = await make_client(v1).status(40)
    assert info.extra == {"runs": "5", "orders": "2"}


@pytest.mark.parametrize("call", ["refill", "refill_status", "cancel"])
async def test_v1_refill_cancel_not_supported(v1: FakePanel, make_client, call: str) -> None:
    client = make_client(v1)
    with pytest.raises(PanelRejected) as info:
        if call == "cancel":
            await client.cancel(["32"])
        else:
            await getattr(client, call)("32")
    assert info.value.kind is ErrorKind.ACTION_NOT_SUPPORTED
    assert info.value.message == "This action is Invalid"
    assert v1.requests[-1].action == call  # sent anyway


async def test_v1_error_wrapper(v1: FakePanel, make_client) -> None:
    v1.respond("add", {"status": "error", "message": "Interval time is required"})
    with pytest.raises(PanelRejected) as info:
        await make_client(v1).add(
            OrderRequest("5", ServiceType.DEFAULT, link="https://a", quantity=500)
        )
    assert info.value.kind is ErrorKind.BAD_REQUEST
    assert info.value.message == "Interval time is required"
