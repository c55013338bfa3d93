"""bot.shop.wizard_steps: step sequences per service type and parsing what customers type."""

from __future__ import annotations

from datetime import date

import pytest

from bot.panel import ServiceType, optional_fields, required_fields
from bot.shop.wizard_steps import (
    DRIP,
    StepInputError,
    WizardSpec,
    build_request,
    next_step,
    paginate,
    parse,
    parse_link,
    previous_step,
    request_fields,
    steps,
)


def spec(type_: ServiceType, lo: int = 10, hi: int = 1000, drip: bool = False) -> WizardSpec:
    return WizardSpec(1, "77", type_.value, lo, hi, drip)


@pytest.mark.parametrize("type_", [t for t in ServiceType if t is not ServiceType.UNKNOWN])
def test_steps_ask_every_required_field_and_only_allowed_ones(type_: ServiceType) -> None:
    asked = {s for s in steps(spec(type_, drip=True), drip=True) if s != DRIP}
    assert set(required_fields(type_)) <= asked
    assert asked <= set(required_fields(type_)) | set(optional_fields(type_))


def test_unknown_type_has_no_steps() -> None:
    assert steps(spec(ServiceType.UNKNOWN)) == ()


def test_drip_feed_steps_and_navigation() -> None:
    s = spec(ServiceType.DEFAULT, drip=True)
    assert steps(s) == ("link", "quantity", DRIP)
    assert steps(s, drip=True) == ("link", "quantity", DRIP, "runs", "interval")
    assert steps(spec(ServiceType.DEFAULT)) == ("link", "quantity")
    assert next_step(s, None) == "link"
    assert next_step(s, DRIP) is None
    assert next_step(s, DRIP, drip=True) == "runs"
    assert previous_step(s, None, drip=True) == "interval"
    assert previous_step(s, "link") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://instagram.com/p/abc", "https://instagram.com/p/abc"),
        ("  instagram.com/p/abc ", "https://instagram.com/p/abc"),
        ("\u2066https://t.me/x\u2069", "https://t.me/x"),
        ("http://youtube.com/watch?v=1", "http://youtube.com/watch?v=1"),
    ],
)
def test_links_accepted(text: str, expected: str) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "not a link",
        "ftp://x.com/a",
        "https://localhost",
        "https://exa mple.com",
        "javascript:alert(1)",
    ],
)
def test_links_refused(text: str) -> None:
    with pytest.raises(StepInputError) as err:
        parse_link(text)
    assert err.value.code == "bad-link"


def _error(step: str, text: str, s: WizardSpec, fields: dict | None = None) -> StepInputError:
    with pytest.raises(StepInputError) as err:
        parse(step, text, s, fields or {}, today=date(2030, 1, 1))
    return err.value


def test_quantity_bounds_and_digits() -> None:
    s = spec(ServiceType.DEFAULT, 10, 5000)
    assert parse("quantity", "١٬٠٠٠", s, {}) == 1000
    assert parse("quantity", "۲۵", s, {}) == 25
    assert parse("quantity", "1,000", s, {}) == 1000
    error = _error("quantity", "9", s)
    assert (error.code, error.args_) == ("out-of-range", {"min": 10, "max": 5000})
    assert _error("quantity", "ten", s).code == "not-number"
    assert _error("quantity", "   ", s).code == "empty"


def test_comment_lines_are_the_quantity() -> None:
    s = spec(ServiceType.CUSTOM_COMMENTS, 2, 3)
    assert parse("comments", "a\n\n b \nc", s, {}) == ["a", "b", "c"]
    error = _error("comments", "a\nb\nc\nd", s)
    assert (error.code, error.args_) == ("lines", {"count": 4, "min": 2, "max": 3})
    # Packages are priced whole: the line count is free.
    assert parse("comments", "only one", spec(ServiceType.CUSTOM_COMMENTS_PACKAGE, 5, 9), {}) == [
        "only one"
    ]


def test_usernames_and_names() -> None:
    s = spec(ServiceType.MENTIONS)
    assert parse("usernames", "@a\nb.c", s, {}) == ["a", "b.c"]
    assert parse("username", "@someone", s, {}) == "someone"
    assert parse("hashtag", "#sunset", s, {}) == "#sunset"
    assert _error("username", "two words", s).code == "bad-name"


def test_subscription_steps() -> None:
    s = spec(ServiceType.SUBSCRIPTIONS, 10, 1000)
    assert _error("max", "50", s, {"min": 100}).args_ == {"min": 100, "max": 1000}
    assert parse("delay", "٣٠", s, {}) == 30
    assert _error("delay", "7", s).code == "bad-delay"
    assert parse("expiry", "31/12/2030", s, {}, today=date(2030, 1, 1)) == "2030-12-31"
    assert parse("expiry", "٢٠٣٠-٠٥-٠١", s, {}, today=date(2030, 1, 1)) == "2030-05-01"
    assert _error("expiry", "01/01/2030", s).code == "past-date"
    assert _error("expiry", "soon", s).code == "bad-date"


def test_request_drops_fields_of_abandoned_steps() -> None:
    s = spec(ServiceType.DEFAULT, drip=True)
    fields = {"link": "https://x.com/a", "quantity": 100, "runs": 3, "interval": 5}
    assert request_fields(s, fields, drip=False) == {"link": "https://x.com/a", "quantity": 100}
    request = build_request(s, fields, drip=True)
    assert request.billed_quantity() == 300
    assert request.to_form()["runs"] == "3"


def test_paginate_clamps() -> None:
    assert paginate(0, 5, 6).page == 0
    page = paginate(13, 9, 6)
    assert (page.page, page.pages, page.offset) == (2, 3, 12)
