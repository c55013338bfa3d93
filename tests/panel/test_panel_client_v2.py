"""Every action, single and multi, against a v2 fake answering with the docs' examples."""

from decimal import Decimal

from bot.panel import (
    Balance,
    CancelResult,
    EntryError,
    OrderInfo,
    OrderRequest,
    OrderStatus,
    RefillInfo,
    RefillStatus,
    ServiceType,
)
from tests.fakes.panel_server import FakePanel


async def test_services_doc_example(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    assert client.dialect == "v2" and not client.is_sandbox
    services = await client.services()
    assert [(s.service_id, s.type, s.rate, s.min, s.max, s.refill, s.cancel) for s in services] == [
        ("1", ServiceType.DEFAULT, Decimal("0.90"), 50, 10000, True, True),
        ("2", ServiceType.CUSTOM_COMMENTS, Decimal("8"), 10, 1500, False, True),
    ]
    req = v2.requests_for("services")[0]
    assert req.method == "POST" and req.form == {"key": v2.key, "action": "services"}
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.headers["User-Agent"].startswith("Mozilla/5.0")
    assert v2.key not in req.path


async def test_add_returns_order_id(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    req = OrderRequest(
        "1", ServiceType.DEFAULT, link="https://x.com/a", quantity=100, runs=2, interval=15
    )
    assert await client.add(req) == "23501"
    assert v2.requests_for("add")[0].fields == {
        "action": "add",
        "service": "1",
        "link": "https://x.com/a",
        "quantity": "100",
        "runs": "2",
        "interval": "15",
    }


async def test_add_custom_comments(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    services = {s.service_id: s for s in await client.services()}
    req = OrderRequest(
        "2",
        ServiceType.CUSTOM_COMMENTS,
        link="https://x.com/a",
        comments=[f"c{i}" for i in range(10)],
    )
    assert await client.add(req, services["2"]) == "23501"
    assert v2.requests_for("add")[0].form["comments"] == "\n".join(f"c{i}" for i in range(10))


async def test_status_single_doc_example(v2: FakePanel, make_client) -> None:
    v2.set_order(1, "Partial")
    info = await make_client(v2).status(1)
    assert info == OrderInfo(
        "1", OrderStatus.PARTIAL, "Partial", Decimal("0.27819"), 3572, 157, "USD"
    )
    assert v2.requests_for("status")[0].fields == {"action": "status", "order": "1"}


async def test_status_multi_doc_example(v2: FakePanel, make_client) -> None:
    v2.set_order(1, "Partial")
    v2.set_order(100, "In progress", charge="1.44219", start_count="234", remains="10")
    result = await make_client(v2).statuses([1, "10", 100])
    assert result["1"].status is OrderStatus.PARTIAL
    assert result["10"] == EntryError("10", "Incorrect order ID")
    assert result["100"] == OrderInfo(
        "100", OrderStatus.IN_PROGRESS, "In progress", Decimal("1.44219"), 234, 10, "USD"
    )
    assert v2.requests_for("status")[0].fields == {"action": "status", "orders": "1,10,100"}


async def test_status_bare_list_clone(v2: FakePanel, make_client) -> None:
    v2.status_as_list = True
    v2.set_order(5, "Completed", remains="0")
    result = await make_client(v2).statuses(["5", "6"])
    assert result["5"].status is OrderStatus.COMPLETED
    assert result["6"] == EntryError("6", "Incorrect order ID")


async def test_refill_single_and_multi(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    for oid in (1, 2):
        v2.set_order(oid, "Completed")
    assert await client.refill(1) == "1"
    assert v2.requests_for("refill")[0].fields == {"action": "refill", "order": "1"}
    result = await client.refills([1, 2, 3])
    assert result == {"1": "2", "2": "3", "3": EntryError("3", "Incorrect order ID")}
    assert v2.requests_for("refill")[1].fields == {"action": "refill", "orders": "1,2,3"}


async def test_refill_status_single_and_multi(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    v2.set_refill(1, "Completed")
    v2.set_refill(2, "Rejected")
    assert await client.refill_status(1) == RefillInfo("1", RefillStatus.COMPLETED, "Completed")
    result = await client.refill_statuses(["1", "2", "3"])
    assert result == {
        "1": RefillInfo("1", RefillStatus.COMPLETED, "Completed"),
        "2": RefillInfo("2", RefillStatus.REJECTED, "Rejected"),
        "3": EntryError("3", "Refill not found"),
    }
    assert v2.requests_for("refill_status")[1].fields == {
        "action": "refill_status",
        "refills": "1,2,3",
    }


async def test_cancel_doc_example(v2: FakePanel, make_client) -> None:
    v2.set_order(2, "In progress")
    result = await make_client(v2).cancel([9, 2])
    assert result == {
        "9": CancelResult("9", False, "Incorrect order ID"),
        "2": CancelResult("2", True, None),
    }
    assert v2.requests_for("cancel")[0].fields == {"action": "cancel", "orders": "9,2"}
    assert (await make_client(v2).cancel("2"))["2"].accepted


async def test_balance_doc_example(v2: FakePanel, make_client) -> None:
    assert await make_client(v2).balance() == Balance(Decimal("100.84292"), "USD")


async def test_types_drift_numbers_and_flags(v2: FakePanel, make_client) -> None:
    v2.set_catalog(
        [
            {
                "service": "3",
                "name": "n",
                "type": "Package",
                "category": "c",
                "rate": 1.5,
                "min": 1,
                "max": 1,
                "refill": "1",
                "cancel": 0,
            }
        ]
    )
    v2.respond("add", {"order": "23501"})
    v2.respond(
        "status",
        {
            "charge": 0.278190000001,
            "start_count": 3572,
            "status": "Completed",
            "remains": "Unknown",
            "currency": "USD",
        },
    )
    client = make_client(v2)
    [svc] = await client.services()
    assert (svc.rate, svc.refill, svc.cancel, svc.dripfeed) == (Decimal("1.5"), True, False, False)
    assert await client.add(OrderRequest("3", ServiceType.PACKAGE, link="https://a")) == "23501"
    info = await client.status("23501")
    assert info.charge == Decimal("0.278190000001") and info.remains is None


async def test_success_with_http_201(v2: FakePanel, make_client) -> None:
    v2.success_http_status = 201
    assert (
        await make_client(v2).add(
            OrderRequest("1", ServiceType.DEFAULT, link="https://a", quantity=50)
        )
        == "23501"
    )
