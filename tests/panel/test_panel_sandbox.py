"""The built-in sandbox panel, driven through the real client with an injected clock."""

from datetime import date
from decimal import Decimal

import pytest

from bot.panel import (
    ErrorKind,
    OrderRequest,
    OrderStatus,
    PanelClient,
    PanelRejected,
    RefillStatus,
    ServiceType,
)
from bot.panel.params import required_fields
from bot.panel.sandbox import PENDING_FOR, SandboxTransport, order_progress

T0 = 1_750_000_000.0
LINK = "https://instagram.com/p/sandbox"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(make_client, clock: Clock) -> PanelClient:
    return make_client(url="sandbox", clock=clock)


def _example(svc) -> OrderRequest:
    """A valid order for any sandbox service, built from its type's required fields."""
    values = {
        "link": LINK,
        "quantity": svc.min,
        "comments": ["nice"] * max(svc.min, 1),
        "usernames": ["user"] * max(svc.min, 1),
        "hashtags": ["#x"],
        "keywords": ["kw"],
        "groups": ["g"],
        "hashtag": "tag",
        "username": "someone",
        "media": LINK,
        "answer_number": 1,
        "min": svc.min,
        "max": svc.min,
        "delay": 15,
    }
    return OrderRequest(
        svc.service_id, svc.type, **{f: values[f] for f in required_fields(svc.type)}
    )


async def test_catalog(sandbox: PanelClient) -> None:
    assert sandbox.is_sandbox and sandbox.dialect == "v2"
    services = await sandbox.services()
    categories = {s.category.split()[0] for s in services}
    assert {"Instagram", "TikTok", "YouTube", "Telegram", "X", "Facebook"} <= categories
    assert {s.type for s in services} == set(ServiceType)  # every type, one unknown
    assert {s.refill for s in services} == {s.cancel for s in services} == {True, False}
    assert {s.dripfeed for s in services} == {True, False}
    assert [s.orderable for s in services].count(False) == 1


async def test_every_orderable_type_can_be_ordered(sandbox: PanelClient) -> None:
    for svc in await sandbox.services():
        if svc.orderable:
            assert (await sandbox.add(_example(svc), svc)).isdigit()


async def test_order_progresses_with_clock(sandbox: PanelClient, clock: Clock) -> None:
    oid = await sandbox.add(OrderRequest("1", ServiceType.DEFAULT, link=LINK, quantity=1000))
    seen = []
    for _ in range(60):
        info = await sandbox.status(oid)
        seen.append(info.status)
        if info.status.is_terminal:
            break
        clock.now += 30
    assert seen[0] is OrderStatus.PENDING and seen[-1].is_terminal
    assert info.charge == Decimal("1.20000") and info.currency == "USD"


def test_progress_is_pure_and_covers_every_outcome() -> None:
    ids = [int(T0) * 1000 + i for i in range(60)]
    final = {order_progress(i, T0 + 10_000, 1000).status for i in ids}
    assert final == {"Completed", "Partial", "Canceled"}
    for oid in ids:
        assert order_progress(oid, T0 + 1, 1000).status == "Pending"
        mid = order_progress(oid, T0 + PENDING_FOR + 120, 1000)
        assert mid.status in {"In progress", "Processing", "Canceled"}
        assert order_progress(oid, T0 + 500, 1000) == order_progress(oid, T0 + 500, 1000)
        end = order_progress(oid, T0 + 10_000, 1000)
        assert end.remains + end.delivered == 1000


async def test_statuses_survive_restart(make_client, clock: Clock) -> None:
    first = make_client(url="sandbox", clock=clock)
    oid = await first.add(OrderRequest("1", ServiceType.DEFAULT, link=LINK, quantity=1000))
    clock.now += 5_000
    before = await first.status(oid)
    restarted = make_client(url="sandbox", clock=clock)  # fresh transport, empty memory
    after = await restarted.status(oid)
    assert after.status is before.status and after.remains == before.remains
    assert (await restarted.statuses([oid, "12"]))["12"].message == "Incorrect order ID"


async def test_refill_flow(sandbox: PanelClient, clock: Clock) -> None:
    for n in range(10):  # some orders are fated to be canceled: take the first that is not
        oid = await sandbox.add(
            OrderRequest("1", ServiceType.DEFAULT, link=f"{LINK}{n}", quantity=100)
        )
        if order_progress(int(oid), clock.now + 5_000, 100).status != "Canceled":
            break
    with pytest.raises(PanelRejected) as info:
        await sandbox.refill(oid)
    assert info.value.kind is ErrorKind.REFILL_NOT_ALLOWED
    clock.now += 5_000
    assert (await sandbox.status(oid)).status in (OrderStatus.COMPLETED, OrderStatus.PARTIAL)
    rid = await sandbox.refill(oid)
    assert (await sandbox.refill_status(rid)).status is RefillStatus.PENDING
    clock.now += 1_000
    final = await sandbox.refill_statuses([rid, "3"])
    assert final[rid].status in (RefillStatus.COMPLETED, RefillStatus.REJECTED)
    assert final["3"].message == "Refill not found"
    multi = await sandbox.refills([oid])
    assert multi[oid].isdigit()


async def test_refill_disabled_service(sandbox: PanelClient, clock: Clock) -> None:
    oid = await sandbox.add(OrderRequest("2", ServiceType.DEFAULT, link=LINK, quantity=100))
    clock.now += 5_000
    result = await sandbox.refills([oid])
    assert result[oid].message == "Refill is disabled for this service"


async def test_cancel_and_balance(sandbox: PanelClient, clock: Clock) -> None:
    start = (await sandbox.balance()).amount
    oid = await sandbox.add(OrderRequest("21", ServiceType.DEFAULT, link=LINK, quantity=1000))
    assert (await sandbox.balance()).amount == start - Decimal("0.9")
    result = await sandbox.cancel([oid, "5"])
    assert result[oid].accepted and not result["5"].accepted
    info = await sandbox.status(oid)
    assert info.status is OrderStatus.CANCELED
    assert (await sandbox.balance()).amount == start  # refunded in full
    no_cancel = await sandbox.add(OrderRequest("24", ServiceType.DEFAULT, link=LINK, quantity=100))
    assert not (await sandbox.cancel(no_cancel))[no_cancel].accepted


async def test_sandbox_rejections(sandbox: PanelClient) -> None:
    req = OrderRequest("1", ServiceType.DEFAULT, link=LINK, quantity=100)
    await sandbox.add(req)
    with pytest.raises(PanelRejected) as info:
        await sandbox.add(req)
    assert info.value.kind is ErrorKind.DUPLICATE_ACTIVE_LINK
    with pytest.raises(PanelRejected) as info:
        await sandbox.add(OrderRequest("18", ServiceType.DEFAULT, link=LINK, quantity=1_000_000))
    assert info.value.kind is ErrorKind.NOT_ENOUGH_FUNDS


async def test_subscription_with_expiry(sandbox: PanelClient) -> None:
    svc = next(s for s in await sandbox.services() if s.type is ServiceType.SUBSCRIPTIONS)
    req = OrderRequest(
        svc.service_id,
        svc.type,
        username="someone",
        min=50,
        max=100,
        delay=30,
        expiry=date(2030, 1, 31),
    )
    assert (await sandbox.add(req, svc)).isdigit()


async def test_transport_is_injectable(make_client, clock: Clock) -> None:
    client = make_client(
        url="sandbox", transport=SandboxTransport(clock=clock, balance=Decimal("1"))
    )
    assert (await client.balance()).amount == Decimal("1.00000")


async def test_sandbox_needs_no_key() -> None:
    """PANEL_URL=sandbox with PANEL_KEY left empty, as .env.example ships it."""
    client = PanelClient("sandbox", "sandbox", "")
    try:
        assert len(await client.services()) > 20
        assert (await client.balance()).amount > 0
    finally:
        await client.aclose()
