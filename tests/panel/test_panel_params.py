from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.panel import (
    InvalidOrderParams,
    OrderRequest,
    Service,
    ServiceType,
    needs_quantity,
    optional_fields,
    required_fields,
)

T = ServiceType
LINK = "https://instagram.com/p/abc"

# (type, request kwargs, exact form fields)
CASES: list[tuple[ServiceType, dict[str, Any], dict[str, str]]] = [
    (T.DEFAULT, {"link": LINK, "quantity": 100}, {"link": LINK, "quantity": "100"}),
    (
        T.DEFAULT,
        {"link": LINK, "quantity": 100, "runs": 5, "interval": 30},
        {"link": LINK, "quantity": "100", "runs": "5", "interval": "30"},
    ),
    (T.PACKAGE, {"link": LINK}, {"link": LINK}),
    (
        T.SEO,
        {"link": LINK, "quantity": 1000, "keywords": ["smm panel", "buy likes"]},
        {"link": LINK, "quantity": "1000", "keywords": "smm panel\nbuy likes"},
    ),
    (
        T.CUSTOM_COMMENTS,
        {"link": LINK, "comments": ["nice", "great pic"]},
        {"link": LINK, "comments": "nice\ngreat pic"},
    ),
    (
        T.CUSTOM_COMMENTS_PACKAGE,
        {"link": LINK, "comments": ["a", "b"]},
        {"link": LINK, "comments": "a\nb"},
    ),
    (
        T.MENTIONS,
        {"link": LINK, "quantity": 100, "usernames": ["u1", "u2"]},
        {"link": LINK, "quantity": "100", "usernames": "u1\nu2"},
    ),
    (
        T.MENTIONS_WITH_HASHTAGS,
        {"link": LINK, "quantity": 100, "usernames": ["u1", "u2"], "hashtags": ["#a", "#b"]},
        {"link": LINK, "quantity": "100", "usernames": "u1\nu2", "hashtags": "#a\n#b"},
    ),
    (
        T.MENTIONS_CUSTOM_LIST,
        {"link": LINK, "usernames": ["u1", "u2"]},
        {"link": LINK, "usernames": "u1\nu2"},
    ),
    (
        T.MENTIONS_HASHTAG,
        {"link": LINK, "quantity": 100, "hashtag": "travel"},
        {"link": LINK, "quantity": "100", "hashtag": "travel"},
    ),
    (
        T.MENTIONS_USER_FOLLOWERS,
        {"link": LINK, "quantity": 100, "username": "https://instagram.com/someone"},
        {"link": LINK, "quantity": "100", "username": "https://instagram.com/someone"},
    ),
    (
        T.MENTIONS_MEDIA_LIKERS,
        {"link": LINK, "quantity": 100, "media": "https://ig.me/p/1"},
        {"link": LINK, "quantity": "100", "media": "https://ig.me/p/1"},
    ),
    (
        T.COMMENT_LIKES,
        {"link": LINK, "quantity": 100, "username": "owner"},
        {"link": LINK, "quantity": "100", "username": "owner"},
    ),
    (
        T.COMMENT_REPLIES,
        {"link": LINK, "username": "owner", "comments": ["hi", "yo"]},
        {"link": LINK, "username": "owner", "comments": "hi\nyo"},
    ),
    (
        T.POLL,
        {"link": LINK, "quantity": 100, "answer_number": 2},
        {"link": LINK, "quantity": "100", "answer_number": "2"},
    ),
    (
        T.INVITES_FROM_GROUPS,
        {"link": LINK, "quantity": 100, "groups": ["g1", "g2"]},
        {"link": LINK, "quantity": "100", "groups": "g1\ng2"},
    ),
    (
        T.SUBSCRIPTIONS,
        {"username": "someone", "min": 100, "max": 200, "delay": 30},
        {"username": "someone", "min": "100", "max": "200", "delay": "30"},
    ),
    (
        T.SUBSCRIPTIONS,
        {
            "username": "someone",
            "min": 100,
            "max": 200,
            "delay": 0,
            "posts": 10,
            "old_posts": 0,
            "expiry": date(2026, 3, 5),
        },
        {
            "username": "someone",
            "min": "100",
            "max": "200",
            "delay": "0",
            "posts": "10",
            "old_posts": "0",
            "expiry": "05/03/2026",
        },
    ),
]


@pytest.mark.parametrize(("stype", "kwargs", "form"), CASES)
def test_form_fields_per_type(
    stype: ServiceType, kwargs: dict[str, Any], form: dict[str, str]
) -> None:
    assert OrderRequest("42", stype, **kwargs).to_form() == {"service": "42", **form}


def test_every_known_type_is_covered() -> None:
    covered = {c[0] for c in CASES}
    assert covered == set(ServiceType) - {ServiceType.UNKNOWN}
    for stype in covered:
        assert required_fields(stype)
    assert required_fields(T.UNKNOWN) == () and optional_fields(T.DEFAULT) == ("runs", "interval")
    assert needs_quantity(T.DEFAULT) and not needs_quantity(T.CUSTOM_COMMENTS)
    assert not needs_quantity(T.SUBSCRIPTIONS) and not needs_quantity(T.PACKAGE)


def _svc(
    stype: ServiceType = T.DEFAULT, lo: int = 50, hi: int = 10_000, dripfeed: bool = True
) -> Service:
    return Service("42", "x", "c", stype, stype.title, Decimal("0.9"), lo, hi, dripfeed=dripfeed)


@pytest.mark.parametrize(
    ("stype", "kwargs", "service", "field", "reason"),
    [
        (T.UNKNOWN, {"link": LINK}, None, "service_type", "not_orderable"),
        (T.DEFAULT, {"quantity": 100}, None, "link", "required"),
        (T.DEFAULT, {"link": "  ", "quantity": 100}, None, "link", "required"),
        (T.DEFAULT, {"link": "https://a b", "quantity": 100}, None, "link", "bad_format"),
        (T.DEFAULT, {"link": LINK}, None, "quantity", "required"),
        (T.DEFAULT, {"link": LINK, "quantity": 0}, None, "quantity", "out_of_range"),
        (T.DEFAULT, {"link": LINK, "quantity": 10}, _svc(), "quantity", "out_of_range"),
        (T.DEFAULT, {"link": LINK, "quantity": 20_000}, _svc(), "quantity", "out_of_range"),
        (T.DEFAULT, {"link": LINK, "quantity": "100"}, None, "quantity", "not_integer"),
        (T.DEFAULT, {"link": LINK, "quantity": 100, "runs": 3}, None, "interval", "required"),
        (T.DEFAULT, {"link": LINK, "quantity": 100, "interval": 3}, None, "runs", "required"),
        (
            T.DEFAULT,
            {"link": LINK, "quantity": 100, "runs": 3, "interval": 5},
            _svc(dripfeed=False),
            "runs",
            "not_supported",
        ),
        (
            T.DEFAULT,
            {"link": LINK, "quantity": 100, "comments": ["x"]},
            None,
            "comments",
            "not_allowed",
        ),
        (T.PACKAGE, {"link": LINK, "quantity": 5}, None, "quantity", "not_allowed"),
        (T.CUSTOM_COMMENTS, {"link": LINK}, None, "comments", "required"),
        (T.CUSTOM_COMMENTS, {"link": LINK, "comments": ["a\nb"]}, None, "comments", "bad_format"),
        (T.CUSTOM_COMMENTS, {"link": LINK, "comments": ["a", " "]}, None, "comments", "empty"),
        (
            T.CUSTOM_COMMENTS,
            {"link": LINK, "comments": ["a"]},
            _svc(T.CUSTOM_COMMENTS, 10, 20),
            "comments",
            "out_of_range",
        ),
        (
            T.MENTIONS_WITH_HASHTAGS,
            {"link": LINK, "quantity": 100, "usernames": ["u"]},
            None,
            "hashtags",
            "required",
        ),
        (
            T.MENTIONS_CUSTOM_LIST,
            {"link": LINK, "usernames": ["u"]},
            _svc(T.MENTIONS_CUSTOM_LIST, 5, 10),
            "usernames",
            "out_of_range",
        ),
        (T.MENTIONS_HASHTAG, {"link": LINK, "quantity": 100}, None, "hashtag", "required"),
        (T.MENTIONS_USER_FOLLOWERS, {"link": LINK, "quantity": 100}, None, "username", "required"),
        (T.MENTIONS_MEDIA_LIKERS, {"link": LINK, "quantity": 100}, None, "media", "required"),
        (T.COMMENT_LIKES, {"link": LINK, "quantity": 100}, None, "username", "required"),
        (T.POLL, {"link": LINK, "quantity": 100}, None, "answer_number", "required"),
        (
            T.POLL,
            {"link": LINK, "quantity": 100, "answer_number": 0},
            None,
            "answer_number",
            "out_of_range",
        ),
        (T.SEO, {"link": LINK, "quantity": 100}, None, "keywords", "required"),
        (T.INVITES_FROM_GROUPS, {"link": LINK, "quantity": 100}, None, "groups", "required"),
        (
            T.SUBSCRIPTIONS,
            {"username": "u", "min": 10, "max": 20, "delay": 7},
            None,
            "delay",
            "bad_delay",
        ),
        (T.SUBSCRIPTIONS, {"username": "u", "min": 10, "max": 20}, None, "delay", "required"),
        (
            T.SUBSCRIPTIONS,
            {"username": "u", "min": 30, "max": 20, "delay": 5},
            None,
            "max",
            "less_than_min",
        ),
        (
            T.SUBSCRIPTIONS,
            {"username": "u", "min": 10, "max": 20, "delay": 5},
            _svc(T.SUBSCRIPTIONS, 50, 100),
            "min",
            "out_of_range",
        ),
        (
            T.SUBSCRIPTIONS,
            {"username": "u", "min": 10, "max": 20, "delay": 5, "posts": 0},
            None,
            "posts",
            "out_of_range",
        ),
        (
            T.SUBSCRIPTIONS,
            {"username": "u", "min": 10, "max": 20, "delay": 5, "expiry": "2026-01-01"},
            None,
            "expiry",
            "bad_format",
        ),
        (
            T.SUBSCRIPTIONS,
            {"link": LINK, "username": "u", "min": 10, "max": 20, "delay": 5},
            None,
            "link",
            "not_allowed",
        ),
        (T.DEFAULT, {"link": LINK, "quantity": 100}, _svc(T.PACKAGE), "service_type", "mismatch"),
    ],
)
def test_validation_failures(
    stype: ServiceType, kwargs: dict[str, Any], service: Service | None, field: str, reason: str
) -> None:
    with pytest.raises(InvalidOrderParams) as info:
        OrderRequest("42", stype, **kwargs).to_form(service)
    assert (info.value.field, info.value.reason) == (field, reason)
    assert isinstance(info.value, ValueError)


def test_billed_quantity() -> None:
    assert (
        OrderRequest("1", T.DEFAULT, link=LINK, quantity=100, runs=3, interval=5).billed_quantity()
        == 300
    )
    assert (
        OrderRequest("1", T.CUSTOM_COMMENTS, link=LINK, comments=["a", "b"]).billed_quantity() == 2
    )
    assert OrderRequest("1", T.PACKAGE, link=LINK).billed_quantity() is None
