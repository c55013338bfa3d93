"""PANELS entries accept `"profile": {...}` pins (issue 15, point 1): they reach the panel's
client and win over what is learned; a field or value the bot does not know is refused at
startup with a clear message (never silently ignored)."""

from __future__ import annotations

import json

import pytest

from bot.config import ConfigError, load_settings
from bot.panel import PanelRegistry

TOKEN = "1:x" + "y" * 30


def _panels(profile: object) -> str:
    return json.dumps(
        [{"name": "a", "url": "https://a.example/api/v1", "key": "k" * 12, "profile": profile}]
    )


async def test_profile_pins_reach_the_client_and_win() -> None:
    settings = load_settings(
        bot_token=TOKEN,
        panels=_panels(
            {"multi_status": "single", "v1_refill": True, "dripfeed_intervals": [30, 5]}
        ),
    )
    spec = settings.panel_specs()[0]
    assert spec.profile == {
        "multi_status": "single",
        "v1_refill": True,
        "dripfeed_intervals": [30, 5],
    }
    registry = PanelRegistry(settings.panel_specs())
    client = registry.get("a")
    assert client.profile.multi_status == "single"
    assert client.profile.dripfeed_intervals == (5, 30)
    assert client.supports_refill  # a v1 panel the owner says serves refill
    client.load_learned({"multi_status": "orders", "v1_refill": False})
    assert client.profile.multi_status == "single" and client.profile.v1_refill is True
    assert client.learn(multi_status="multistatus") is False  # a pin is never unlearned
    await registry.aclose()


@pytest.mark.parametrize(
    "profile",
    [
        {"multi_status": "all"},
        {"no_such_field": 1},
        {"v1_refill": "yes"},
        {"dripfeed_intervals": []},
    ],
)
def test_an_unknown_profile_field_or_value_is_refused(profile: object) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(bot_token=TOKEN, panels=_panels(profile))
    assert "profile" in str(caught.value)
    assert "k" * 12 not in str(caught.value)


def test_no_profile_is_the_documented_api() -> None:
    settings = load_settings(
        bot_token=TOKEN,
        panels=json.dumps([{"name": "a", "url": "https://a.example/api/v2", "key": "k" * 12}]),
    )
    assert settings.panel_specs()[0].profile == {}
