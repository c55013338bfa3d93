"""The request forms a PanelProfile selects, and safe learning (issue 15, points 1-2): reads
may be asked again in another form at once; a write is sent once, and only a definite "wrong
parameter" answer switches the form for the next write. Real HTTP against the fake panel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.panel import OrderInfo, PanelClient, PanelRejected, RefillInfo
from tests.fakes.panel_server import FakePanel, ReceivedRequest, Scripted

Make = Callable[..., PanelClient]


@pytest.mark.parametrize(
    ("form", "action"),
    [("orders", "status"), ("multistatus", "multistatus"), ("orders_action", "orders")],
)
async def test_multi_status_forms(v2: FakePanel, make_client: Make, form: str, action: str) -> None:
    v2.set_order("1", "Completed")
    v2.set_order("2", "In progress")

    async def before(request: ReceivedRequest) -> Scripted | None:
        if request.action in ("multistatus", "orders"):  # a panel that speaks this form
            return Scripted(v2._status({"orders": request.form["orders"]}))
        return None

    v2.chaos_before = before
    client = make_client(v2, profile={"multi_status": form})
    answers = await client.statuses(["1", "2"])
    assert {k: v.raw_status for k, v in answers.items() if isinstance(v, OrderInfo)} == {
        "1": "Completed",
        "2": "In progress",
    }
    assert [r.fields for r in v2.requests] == [{"action": action, "orders": "1,2"}]


async def test_single_form_asks_each_order_within_the_concurrency_limit(
    v2: FakePanel, make_client: Make
) -> None:
    for i in range(10):
        v2.set_order(str(i + 1), "Pending")
    v2.latency = 0.05
    client = make_client(v2, profile={"multi_status": "single"}, max_concurrency=2)
    answers = await client.statuses([str(i + 1) for i in range(10)] + ["99"])
    assert all(isinstance(answers[str(i + 1)], OrderInfo) for i in range(10))
    assert not isinstance(answers["99"], OrderInfo)  # unknown order: its own entry error
    assert sorted(r.form["order"] for r in v2.requests) == sorted(
        [str(i + 1) for i in range(10)] + ["99"]
    )
    assert all("orders" not in r.form for r in v2.requests)


async def test_rejected_multi_status_falls_back_and_is_learned(
    v2: FakePanel, make_client: Make
) -> None:
    v2.set_order("5", "Canceled")

    async def before(request: ReceivedRequest) -> Scripted | None:
        if request.action == "status" and "orders" in request.form:
            return Scripted({"error": "order id(s) required"}, 422)
        return None

    v2.chaos_before = before
    client = make_client(v2)
    answers = await client.statuses(["5"])
    assert isinstance(answers["5"], OrderInfo) and answers["5"].raw_status == "Canceled"
    assert [r.action for r in v2.requests] == ["status", "multistatus", "orders", "status"]
    assert client.profile.multi_status == "single" and client.profile_version == 1
    v2.requests.clear()
    await client.statuses(["5"])
    assert [r.fields for r in v2.requests] == [{"action": "status", "order": "5"}]


async def test_a_bad_key_on_multi_status_is_not_a_form_problem(
    v2: FakePanel, make_client: Make
) -> None:
    client = make_client(v2, key="wrong-key-000000")
    with pytest.raises(PanelRejected):
        await client.statuses(["1", "2"])
    assert len(v2.requests) == 1
    assert client.profile.multi_status == "orders" and client.profile_version == 0


async def test_an_answer_keyed_by_nothing_asked_falls_back(
    v2: FakePanel, make_client: Make
) -> None:
    v2.set_order("3", "Completed")

    async def before(request: ReceivedRequest) -> Scripted | None:
        if "orders" in request.form:  # a panel that ignores `orders` and reads `order`
            return Scripted(
                {"error": "Incorrect request"}
                if request.action != "status"
                else {"charge": "0", "status": "Pending", "remains": "0"}
            )
        return None

    v2.chaos_before = before
    client = make_client(v2)
    answers = await client.statuses(["3"])
    assert isinstance(answers["3"], OrderInfo) and answers["3"].raw_status == "Completed"
    assert client.profile.multi_status == "single"


@pytest.mark.parametrize("param", ["order", "refill", "refills"])
async def test_refill_names_the_order_as_the_profile_says(
    v2: FakePanel, make_client: Make, param: str
) -> None:
    async def before(request: ReceivedRequest) -> Scripted | None:
        return Scripted({"refill": "17"}) if request.action == "refill" else None

    v2.chaos_before = before
    client = make_client(v2, profile={"refill_param": param})
    assert await client.refill("42") == "17"
    assert [r.fields for r in v2.requests] == [{"action": "refill", param: "42"}]


async def test_refill_param_learned_for_the_next_write_never_resent(
    v2: FakePanel, make_client: Make
) -> None:
    async def before(request: ReceivedRequest) -> Scripted | None:
        if request.action != "refill":
            return None
        if "refill" in request.form:
            return Scripted({"refill": "8"})
        return Scripted({"error": "order id required"})

    v2.chaos_before = before
    client = make_client(v2)
    with pytest.raises(PanelRejected):
        await client.refill("42")
    assert [r.fields for r in v2.requests] == [{"action": "refill", "order": "42"}]  # once
    assert client.profile.refill_param == "refill"
    assert await client.refill("42") == "8"
    assert [r.fields for r in v2.requests][1:] == [{"action": "refill", "refill": "42"}]


async def test_a_refill_refused_for_its_order_does_not_switch_the_param(
    v2: FakePanel, make_client: Make
) -> None:
    v2.set_order("42", "Completed")
    v2.refill_errors["42"] = "Refill is disabled for this service"
    client = make_client(v2)
    with pytest.raises(PanelRejected):
        await client.refill("42")
    assert client.profile.refill_param == "order" and client.profile_version == 0


async def test_pinned_refill_param_is_never_unlearned(v2: FakePanel, make_client: Make) -> None:
    v2.reject("refill", "order id required")
    client = make_client(v2, profile={"refill_param": "order"})
    with pytest.raises(PanelRejected):
        await client.refill("42")
    assert client.profile.refill_param == "order"


async def test_multi_refill_single_form(v2: FakePanel, make_client: Make) -> None:
    v2.set_order("1", "Completed")
    v2.set_order("2", "Completed")
    client = make_client(v2, profile={"multi_refill": "single"})
    result = await client.refills(["1", "2"])
    assert set(result) == {"1", "2"}
    assert sorted(r.form["order"] for r in v2.requests) == ["1", "2"]


async def test_refill_statuses_fall_back_to_single(v2: FakePanel, make_client: Make) -> None:
    v2.set_refill("7", "Completed")
    v2.set_refill("8", "In progress")

    async def before(request: ReceivedRequest) -> Scripted | None:
        if request.action == "refill_status" and "refills" in request.form:
            return Scripted({"error": "Incorrect request"}, 400)
        return None

    v2.chaos_before = before
    client = make_client(v2)
    answers = await client.refill_statuses(["7", "8"])
    assert all(isinstance(v, RefillInfo) for v in answers.values()) and len(answers) == 2
    assert client.profile.multi_refill_status == "single"


async def test_v1_refill_is_probed_by_a_read(v1: FakePanel, make_client: Make) -> None:
    client = make_client(v1)
    assert client.supports_refill is False and client.profile.v1_refill is None
    await client.probe_v1_refill()  # the fake v1 panel: "This action is Invalid"
    assert client.profile.v1_refill is False and not client.supports_refill
    assert [r.action for r in v1.requests] == ["refill_status"]
    await client.probe_v1_refill()  # known: never asked again
    assert len(v1.requests) == 1


async def test_newer_v1_script_serving_refill(v1: FakePanel, make_client: Make) -> None:
    v1.respond("refill_status", {"error": "Refill not found"})
    client = make_client(v1)
    await client.probe_v1_refill()
    assert client.profile.v1_refill is True
    assert client.supports_refill and client.supports_cancel


async def test_owner_pins_v1_refill(v1: FakePanel, make_client: Make) -> None:
    client = make_client(v1, profile={"v1_refill": True})
    await client.probe_v1_refill()
    assert v1.requests == [] and client.supports_refill


async def test_stored_profile_loads_under_the_pins(v2: FakePanel, make_client: Make) -> None:
    client = make_client(v2, profile={"refill_param": "refills"})
    client.load_learned({"multi_status": "single", "refill_param": "refill", "junk": 1})
    assert client.profile.multi_status == "single"
    assert client.profile.refill_param == "refills"
    assert client.learned.refill_param == "refill"
