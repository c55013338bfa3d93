"""The typed wizard state: the FSM record of a wizard saved before WizardState existed still
loads (a deploy in the middle of a customer's order), bounds come from the STEPS table, and
"order again" re-checks a past order's answers against today's service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.panel.profile import PanelProfile
from bot.shop import reorder
from bot.shop.reorder import Problem
from bot.shop.wizard_steps import (
    STEPS,
    SUMMARY,
    WizardSpec,
    WizardState,
    prompt_bounds,
    step_bounds,
)
from handlers.wizard_view import WIZARD, OrderWizard, load, save
from storage.models import Order, Service

# Exactly what handlers/wizard.py stored before the dataclass (a drip-feed order at its summary).
OLD_RECORD: dict[str, Any] = {
    "t": "a1b2c3d4e5f6",
    "spec": {
        "service_id": 7,
        "panel_service_id": "102",
        "type": "Default",
        "min": 10,
        "max": 10000,
        "dripfeed": True,
        "separator": "\n",
        "intervals": [15, 30],
    },
    "name": "Followers Dripfeed",
    "step": "summary",
    "drip": True,
    "f": {"link": "https://instagram.com/p/abc", "quantity": 100, "runs": 3, "interval": 15},
    "price": "0.39",
}


def fsm() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=5, user_id=5))


async def test_a_wizard_saved_in_the_old_format_loads_and_saves_back_the_same() -> None:
    state = fsm()
    await state.set_state(OrderWizard.active)
    await state.set_data({WIZARD: OLD_RECORD})
    wizard = await load(state)
    assert wizard is not None
    assert wizard.token == "a1b2c3d4e5f6" and wizard.at_summary and wizard.drip
    assert wizard.spec.intervals == (15, 30) and wizard.spec.service_id == 7
    assert wizard.fields["runs"] == 3 and wizard.price == "0.39"
    assert wizard.request().billed_quantity() == 300
    await save(state, wizard)
    assert (await state.get_data())[WIZARD] == OLD_RECORD  # the same keys, the same values


async def test_a_record_from_before_the_profile_fields_and_without_a_price_loads() -> None:
    old = {k: v for k, v in OLD_RECORD.items() if k != "price"}
    old["spec"] = {
        k: v for k, v in OLD_RECORD["spec"].items() if k not in ("separator", "intervals")
    }
    old["step"] = "quantity"
    wizard = WizardState.from_json(old)
    assert wizard is not None and wizard.price is None and wizard.spec.intervals is None
    assert wizard.step == "quantity" and not wizard.at_summary


@pytest.mark.parametrize(
    "damaged",
    [{}, {"t": "x"}, {"t": "x", "spec": "nope"}, {"t": "x", "spec": {"service_id": 1}}],
)
def test_a_damaged_record_is_no_wizard(damaged: dict[str, Any]) -> None:
    assert WizardState.from_json(damaged) is None


async def test_no_wizard_outside_its_state() -> None:
    state = fsm()
    await state.set_data({WIZARD: OLD_RECORD})  # data, but no wizard state
    assert await load(state) is None


def test_bounds_come_from_the_steps_table() -> None:
    spec = WizardSpec(1, "7", "Subscriptions", 100, 5000, False)
    assert step_bounds("min", spec, {}) == (100, 5000)
    assert step_bounds("max", spec, {"min": 300}) == (300, 5000)
    assert step_bounds("posts", spec, {}) == (1, 100_000)
    for step in ("link", "username", "delay", "expiry", "drip"):
        assert STEPS[step].bounds is None and prompt_bounds(step, spec, {}) == (0, 0)
    assert prompt_bounds("quantity", spec, {}) == (100, 5000)


# -- order again ------------------------------------------------------------------------------


def service(**values: Any) -> Service:
    row = {
        "id": 7,
        "panel_id": 1,
        "panel_service_id": "102",
        "category_id": 1,
        "name": "Followers",
        "type": "Default",
        "rate": Decimal("1"),
        "min_quantity": 10,
        "max_quantity": 10_000,
        "dripfeed": True,
    }
    return Service(**{**row, **values})


def order(params: dict[str, Any], **values: Any) -> Order:
    return Order(id=3, service_id=7, params=params, **values)


def plan(past: Order, svc: Service | None, profile: PanelProfile | None = None) -> reorder.Reorder:
    return reorder.plan(past, svc, profile or PanelProfile(), token="t0", name="Followers")


def test_order_again_with_every_answer_valid_goes_to_the_summary() -> None:
    past = order(
        {"link": "https://instagram.com/p/abc", "quantity": 100, "runs": 3, "interval": 15}
    )
    planned = plan(past, service())
    assert planned.problem is None and planned.state is not None
    assert planned.state.drip and planned.state.next_step() is None  # the summary is next
    assert planned.state.fields == past.params


def test_order_again_of_an_order_stored_without_params_uses_its_columns() -> None:
    past = order({}, link="https://instagram.com/p/abc", quantity=500)
    planned = plan(past, service(dripfeed=False))
    assert planned.problem is None and planned.state is not None
    assert planned.state.fields == {"link": "https://instagram.com/p/abc", "quantity": 500}


def test_order_again_outside_todays_bounds_keeps_the_link() -> None:
    planned = plan(order({"link": "https://x.com/a", "quantity": 100}), service(min_quantity=500))
    assert planned.problem is Problem.OUT_OF_RANGE and planned.state is not None
    assert planned.state.step == "quantity"
    assert planned.state.fields == {"link": "https://x.com/a"}


def test_order_again_with_an_interval_the_panel_no_longer_takes() -> None:
    past = order({"link": "https://x.com/a", "quantity": 100, "runs": 3, "interval": 15})
    planned = plan(past, service(), PanelProfile().merged({"dripfeed_intervals": [30, 60]}))
    assert planned.problem is Problem.CHANGED and planned.state is not None
    assert planned.state.step == "interval"


def test_order_again_drip_fed_when_the_service_no_longer_drip_feeds() -> None:
    past = order({"link": "https://x.com/a", "quantity": 100, "runs": 3, "interval": 15})
    planned = plan(past, service(dripfeed=False))
    assert planned.problem is Problem.CHANGED and planned.state is not None
    assert planned.state.step == "quantity"


def test_order_again_of_a_subscription_with_a_past_expiry_asks_it_again() -> None:
    past = order(
        {"username": "me", "min": 100, "max": 200, "posts": 5, "delay": 30, "expiry": "2020-01-01"}
    )
    planned = plan(past, service(type="Subscriptions", dripfeed=False))
    assert planned.problem is Problem.CHANGED and planned.state is not None
    assert planned.state.step == "expiry"
    assert planned.state.fields["max"] == 200


def test_order_again_of_a_service_that_cannot_be_sold() -> None:
    planned = plan(order({"link": "https://x.com/a", "quantity": 100}), None)
    assert planned.problem is Problem.UNAVAILABLE and planned.state is None


def test_the_summary_step_name_is_stable() -> None:
    assert SUMMARY == "summary"  # stored in FSM records of wizards in flight
