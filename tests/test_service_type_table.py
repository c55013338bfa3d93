"""The service-type table is read by both the panel's `add` parameters and the order wizard:
these check that the two sides agree because they read one table, not two copies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.panel import LIST_FIELDS, OrderRequest, Service, ServiceType, is_orderable
from bot.panel.service_types import COUNTED_LIST, FIELDS, PER_PACKAGE
from bot.shop import pricing, wizard_steps
from bot.shop.digits import BIDI_MARKS, parse_int


def _spec(t: ServiceType, dripfeed: bool = False) -> wizard_steps.WizardSpec:
    return wizard_steps.WizardSpec(1, "7", t.value, 10, 1000, dripfeed)


def test_every_known_type_is_in_the_table_and_orderable() -> None:
    assert set(FIELDS) == set(ServiceType) - {ServiceType.UNKNOWN}
    assert not is_orderable(ServiceType.UNKNOWN)
    unknown = Service("7", "x", "c", ServiceType.UNKNOWN, "weird", Decimal(1), 10, 100)
    assert not unknown.orderable
    assert Service("7", "x", "c", ServiceType.POLL, "Poll", Decimal(1), 10, 100).orderable


@pytest.mark.parametrize("t", sorted(FIELDS))
def test_wizard_asks_every_required_field_and_only_fields_the_panel_takes(t: ServiceType) -> None:
    fields = FIELDS[t]
    asked = set(wizard_steps.steps(_spec(t, dripfeed=True), drip=True)) - {wizard_steps.DRIP}
    assert set(fields.required) <= asked <= set(fields.required) | set(fields.optional)


def test_drip_feed_adds_the_panels_optional_runs_and_interval() -> None:
    asked = wizard_steps.steps(_spec(ServiceType.DEFAULT, dripfeed=True), drip=True)
    assert [s for s in asked if s != wizard_steps.DRIP] == [
        *FIELDS[ServiceType.DEFAULT].required,
        *FIELDS[ServiceType.DEFAULT].optional,
    ]


def test_list_steps_are_the_panels_list_fields() -> None:
    assert wizard_steps.LIST_STEPS == LIST_FIELDS
    assert set(COUNTED_LIST.values()) <= LIST_FIELDS


@pytest.mark.parametrize("t", sorted(COUNTED_LIST))
def test_counted_list_bounds_are_what_the_panel_bills(t: ServiceType) -> None:
    name = COUNTED_LIST[t]
    assert wizard_steps.step_bounds(name, _spec(t), {}) == (10, 1000)
    request = OrderRequest("7", t, **{name: ["a", "b", "c"]})
    assert request.billed_quantity() == 3


@pytest.mark.parametrize(
    "mark", ["\u200e", "\u200f", "\u061c", "\u2066", "\u2069", "\u202a", "\u202e"]
)
def test_links_and_numbers_drop_the_same_direction_marks(mark: str) -> None:
    assert BIDI_MARKS.fullmatch(mark)
    assert wizard_steps.parse_link(f"{mark}https://example.com/p{mark}") == "https://example.com/p"
    assert parse_int(f"{mark}150{mark}") == 150


def test_package_types_are_priced_per_package_everywhere() -> None:
    for t in FIELDS:
        request = OrderRequest("7", t, quantity=5)
        assert (pricing.billed_units(request) is None) == (t in PER_PACKAGE)
