"""`OrderRequest.to_form` / `validate` with a panel's dialect profile (issue 15, point 6)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.panel import InvalidOrderParams, OrderRequest, ServiceType
from bot.panel.profile import PanelProfile
from tests.fakes.panel_server import FakePanel
from tests.panel.test_panel_params import CASES

T = ServiceType
LINK = "https://instagram.com/p/abc"
DRIP = {"link": LINK, "quantity": 100, "runs": 5, "interval": 30}


@pytest.mark.parametrize(("stype", "kwargs", "expected"), CASES)
def test_default_profile_is_the_documented_form(
    stype: ServiceType, kwargs: dict[str, Any], expected: dict[str, str]
) -> None:
    request = OrderRequest("7", stype, **kwargs)
    assert (
        request.to_form(profile=PanelProfile()) == request.to_form() == {"service": "7", **expected}
    )


def test_package_quantity_sends_one_package() -> None:
    request = OrderRequest("7", T.PACKAGE, link=LINK)
    assert request.to_form(profile=PanelProfile(package_quantity=True)) == {
        "service": "7",
        "link": LINK,
        "quantity": "1",
    }
    assert "quantity" not in request.to_form(profile=PanelProfile())
    assert request.billed_quantity() is None  # still priced as one package


def test_package_quantity_leaves_other_types_alone() -> None:
    profile = PanelProfile(package_quantity=True)
    assert (
        OrderRequest("7", T.DEFAULT, link=LINK, quantity=250).to_form(profile=profile)["quantity"]
        == "250"
    )
    assert "quantity" not in OrderRequest(
        "7", T.CUSTOM_COMMENTS, link=LINK, comments=["a"]
    ).to_form(profile=profile)


def test_dripfeed_flag_is_sent_with_runs_only() -> None:
    profile = PanelProfile(dripfeed_flag=True)
    assert OrderRequest("7", T.DEFAULT, **DRIP).to_form(profile=profile) == {
        "service": "7",
        "link": LINK,
        "quantity": "100",
        "runs": "5",
        "interval": "30",
        "dripfeed": "1",
    }
    plain = OrderRequest("7", T.DEFAULT, link=LINK, quantity=100).to_form(profile=profile)
    assert "dripfeed" not in plain
    assert "dripfeed" not in OrderRequest("7", T.DEFAULT, **DRIP).to_form()


def test_interval_outside_the_panels_list_is_refused() -> None:
    profile = PanelProfile(dripfeed_intervals=(10, 60))
    request = OrderRequest("7", T.DEFAULT, **DRIP)
    with pytest.raises(InvalidOrderParams) as caught:
        request.to_form(profile=profile)
    assert (caught.value.field, caught.value.reason) == ("interval", "not_accepted")
    assert caught.value.detail == "10, 60"
    request.interval = 60
    assert request.to_form(profile=profile)["interval"] == "60"
    request.interval = 45
    assert request.to_form(profile=PanelProfile())["interval"] == "45"  # any by default


@pytest.mark.parametrize("name", ["comments", "usernames"])
def test_comma_separator_joins_and_refuses_entries_with_a_comma(name: str) -> None:
    profile = PanelProfile(comment_separator=",")
    stype = T.CUSTOM_COMMENTS if name == "comments" else T.MENTIONS_CUSTOM_LIST
    request = OrderRequest("7", stype, link=LINK, **{name: ["first", "second", "third"]})
    assert request.to_form(profile=profile)[name] == "first,second,third"
    # Three entries, one with a comma: that panel would bill four.
    request = OrderRequest("7", stype, link=LINK, **{name: ["a", "b, c", "d"]})
    assert request.to_form()[name] == "a\nb, c\nd"  # fine where lines separate entries
    with pytest.raises(InvalidOrderParams) as caught:
        request.to_form(profile=profile)
    assert (caught.value.field, caught.value.reason) == (name, "separator")


def test_media_field_name() -> None:
    request = OrderRequest(
        "7", T.MENTIONS_MEDIA_LIKERS, link=LINK, quantity=100, media="https://ig.me/p/1"
    )
    form = request.to_form(profile=PanelProfile(media_field="media_url"))
    assert form == {
        "service": "7",
        "link": LINK,
        "quantity": "100",
        "media_url": "https://ig.me/p/1",
    }


def test_only_documented_fields_are_sent_whatever_the_profile() -> None:
    # Panels silently drop fields they do not take: nothing beyond the type's own fields (and
    # the profile's additions) is ever sent.
    profile = PanelProfile(dripfeed_flag=True, package_quantity=True, comment_separator=",")
    form = OrderRequest("7", T.CUSTOM_COMMENTS_PACKAGE, link=LINK, comments=["a", "b"]).to_form(
        profile=profile
    )
    assert form == {"service": "7", "link": LINK, "comments": "a,b"}


async def test_client_sends_the_profiles_form_over_http(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    client.profile = PanelProfile(package_quantity=True, dripfeed_flag=True, comment_separator=",")
    v2.respond("add", {"order": 555})
    await client.add(OrderRequest("1", T.PACKAGE, link=LINK))
    await client.add(OrderRequest("1", T.DEFAULT, **DRIP))
    first, second = v2.requests_for("add")
    assert first.form["quantity"] == "1"
    assert second.form["dripfeed"] == "1" and second.form["runs"] == "5"


async def test_client_refuses_before_sending(v2: FakePanel, make_client) -> None:
    client = make_client(v2)
    client.profile = PanelProfile(comment_separator=",")
    with pytest.raises(InvalidOrderParams):
        await client.add(
            OrderRequest("2", T.CUSTOM_COMMENTS, link=LINK, comments=["one, two", "three"])
        )
    assert v2.requests_for("add") == []
