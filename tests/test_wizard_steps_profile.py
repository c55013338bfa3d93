"""bot.shop.wizard_steps with the panel's dialect profile: list entries with its separator and
drip-feed intervals it does not take are refused at their step (issue 15, point 6)."""

from __future__ import annotations

import pytest

from bot.panel import ServiceType
from bot.panel.profile import PanelProfile
from bot.shop.wizard_steps import StepInputError, WizardSpec, parse

T = ServiceType


def spec(type_: ServiceType, profile: PanelProfile | None = None) -> WizardSpec:
    base = WizardSpec(1, "77", type_.value, 1, 1000, type_ is T.DEFAULT)
    profile = profile or PanelProfile()
    return WizardSpec(
        *[
            getattr(base, k)
            for k in ("service_id", "panel_service_id", "type", "min", "max", "dripfeed")
        ],
        profile.comment_separator,
        profile.dripfeed_intervals,
    )


@pytest.mark.parametrize(
    ("type_", "step"),
    [(T.CUSTOM_COMMENTS, "comments"), (T.MENTIONS_WITH_HASHTAGS, "hashtags"), (T.SEO, "keywords")],
)
def test_an_entry_with_a_comma_on_a_comma_panel(type_: ServiceType, step: str) -> None:
    text = "one\ntwo, three\nfour"
    assert parse(step, text, spec(type_), {}) == ["one", "two, three", "four"]
    with pytest.raises(StepInputError) as caught:
        parse(step, text, spec(type_, PanelProfile(comment_separator=",")), {})
    assert caught.value.code == "separator"
    assert parse(step, "one\ntwo", spec(type_, PanelProfile(comment_separator=",")), {}) == [
        "one",
        "two",
    ]


def test_interval_not_in_the_panels_list() -> None:
    drip = spec(T.DEFAULT, PanelProfile(dripfeed_intervals=(10, 60)))
    with pytest.raises(StepInputError) as caught:
        parse("interval", "15", drip, {})
    assert caught.value.code == "bad-interval" and caught.value.args_ == {"allowed": "10, 60"}
    assert parse("interval", "٦٠", drip, {}) == 60  # Arabic digits, as typed
    assert parse("interval", "15", spec(T.DEFAULT), {}) == 15  # any where the panel takes any


def test_spec_json_round_trip_and_older_wizards() -> None:
    drip = spec(T.DEFAULT, PanelProfile(dripfeed_intervals=(10, 60), comment_separator=","))
    data = drip.to_json()
    assert data["intervals"] == [10, 60] and data["separator"] == ","
    assert WizardSpec.from_json(data) == drip
    assert drip.profile == PanelProfile(dripfeed_intervals=(10, 60), comment_separator=",")
    # A wizard saved before the profile fields existed (it survives restarts in the database).
    older = {k: v for k, v in data.items() if k not in ("intervals", "separator")}
    restored = WizardSpec.from_json(older)
    assert restored.separator == "\n" and restored.intervals is None
    assert restored.profile == PanelProfile()
