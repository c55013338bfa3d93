from decimal import Decimal

import pytest

from bot.panel import ErrorKind, OrderStatus, RefillStatus, ServiceType, classify_error
from bot.panel.bounded import Invalid
from bot.panel.decode import parse_order_info, parse_service, to_bool, to_decimal, to_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Default", ServiceType.DEFAULT),
        ("default", ServiceType.DEFAULT),
        (None, ServiceType.DEFAULT),
        ("Custom Comments", ServiceType.CUSTOM_COMMENTS),
        ("custom_comments", ServiceType.CUSTOM_COMMENTS),
        ("  CUSTOM-COMMENTS package ", ServiceType.CUSTOM_COMMENTS_PACKAGE),
        ("Mentions with Hashtags", ServiceType.MENTIONS_WITH_HASHTAGS),
        ("mentions_user_followers", ServiceType.MENTIONS_USER_FOLLOWERS),
        ("SEO", ServiceType.SEO),
        ("Invites from Groups", ServiceType.INVITES_FROM_GROUPS),
        ("Subscriptions", ServiceType.SUBSCRIPTIONS),
        ("Live Stream", ServiceType.UNKNOWN),
    ],
)
def test_service_type_parse(raw: str | None, expected: ServiceType) -> None:
    assert ServiceType.parse(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pending", OrderStatus.PENDING),
        ("pending", OrderStatus.PENDING),
        ("", OrderStatus.PENDING),
        ("Processing", OrderStatus.PROCESSING),
        ("In progress", OrderStatus.IN_PROGRESS),
        ("in-progress", OrderStatus.IN_PROGRESS),
        ("inprogress", OrderStatus.IN_PROGRESS),
        ("Active", OrderStatus.IN_PROGRESS),
        ("Completed", OrderStatus.COMPLETED),
        ("complete", OrderStatus.COMPLETED),
        ("Partial", OrderStatus.PARTIAL),
        ("Canceled", OrderStatus.CANCELED),
        ("Cancelled", OrderStatus.CANCELED),
        ("cancel", OrderStatus.CANCELED),
        ("Refunded", OrderStatus.REFUNDED),
        ("refunds", OrderStatus.REFUNDED),
        ("Stuck", OrderStatus.UNKNOWN),
    ],
)
def test_order_status_vocabulary(raw: str, expected: OrderStatus) -> None:
    assert OrderStatus.parse(raw) is expected


def test_terminal_statuses() -> None:
    terminal = {s for s in OrderStatus if s.is_terminal}
    assert terminal == {
        OrderStatus.COMPLETED,
        OrderStatus.PARTIAL,
        OrderStatus.CANCELED,
        OrderStatus.REFUNDED,
        OrderStatus.FAILED,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pending", RefillStatus.PENDING),
        ("Awaiting", RefillStatus.PENDING),
        ("Processing", RefillStatus.IN_PROGRESS),
        ("In progress", RefillStatus.IN_PROGRESS),
        ("Completed", RefillStatus.COMPLETED),
        ("Processed", RefillStatus.COMPLETED),
        ("Rejected", RefillStatus.REJECTED),
        ("Cancelled", RefillStatus.CANCELED),
        ("Failed", RefillStatus.FAILED),
        ("Error", RefillStatus.FAILED),
        ("Weird", RefillStatus.UNKNOWN),
    ],
)
def test_refill_status_vocabulary(raw: str, expected: RefillStatus) -> None:
    assert RefillStatus.parse(raw) is expected


K = ErrorKind


@pytest.mark.parametrize(
    ("message", "action", "kind"),
    [
        ("Invalid API key", None, K.BAD_KEY),
        ("Invalid API key.", "add", K.BAD_KEY),
        ("Your account has been suspended.", None, K.BAD_KEY),
        ("API is Disable for this user or User Not Found! Contact the Support", None, K.BAD_KEY),
        ("Incorrect request", None, K.BAD_REQUEST),
        ("Invalid Request", None, K.BAD_REQUEST),
        ("This action is Invalid", "refill", K.ACTION_NOT_SUPPORTED),
        (
            "There are missing required parameters. Please check your API Manual",
            "add",
            K.BAD_REQUEST,
        ),
        ("Incorrect service ID", "add", K.BAD_SERVICE),
        ("Service ID does not exists", "add", K.BAD_SERVICE),
        ("error.incorrect_service_id", "add", K.BAD_SERVICE),
        ("Not enough funds on balance", "add", K.NOT_ENOUGH_FUNDS),
        ("neworder.error.not_enough_funds", "add", K.NOT_ENOUGH_FUNDS),
        ("Quantity less than minimal 1000", "add", K.QUANTITY_OUT_OF_BOUNDS),
        ("Quantity more than maximum 1000", "add", K.QUANTITY_OUT_OF_BOUNDS),
        (
            "Quantity must to be greater than or equal to minimum amount 50",
            "add",
            K.QUANTITY_OUT_OF_BOUNDS,
        ),
        ("neworder.error.min_quantity", "add", K.QUANTITY_OUT_OF_BOUNDS),
        ("neworder.error.max_quantity", "add", K.QUANTITY_OUT_OF_BOUNDS),
        ("Bad link", "add", K.BAD_LINK),
        ("Bad Link", "add", K.BAD_LINK),
        ("neworder.error.link", "add", K.BAD_LINK),
        (
            "You have active order with this link. Please wait until order being completed.",
            "add",
            K.DUPLICATE_ACTIVE_LINK,
        ),
        ("neworder.error.link_duplicate", "add", K.DUPLICATE_ACTIVE_LINK),
        ("neworder.error.something_new", "add", K.OTHER),
        ("This services does not support Dripfeed feature!", "add", K.BAD_REQUEST),
        ("Runs is required", "add", K.BAD_REQUEST),
        ("Interval time is required", "add", K.BAD_REQUEST),
        ("Incorrect order ID", "status", K.NOT_FOUND),
        ("Refill not found", "refill_status", K.NOT_FOUND),
        ("Refill is disabled for this service", "refill", K.REFILL_NOT_ALLOWED),
        ("The order is not completed", "refill", K.REFILL_NOT_ALLOWED),
        (
            "The order was completed or refill was requested less than 24 hours ago",
            "refill",
            K.REFILL_NOT_ALLOWED,
        ),
        ("Order not eligible for refill.", "refill", K.REFILL_NOT_ALLOWED),
        ("The order is already completed", "cancel", K.CANCEL_NOT_ALLOWED),
        ("Cancel is disabled for this service", "cancel", K.CANCEL_NOT_ALLOWED),
        ("Something odd happened", "status", K.OTHER),
    ],
)
def test_classify_error(message: str, action: str | None, kind: ErrorKind) -> None:
    assert classify_error(message, action) is kind


def test_scalar_drift() -> None:
    assert to_decimal("0.27819") == Decimal("0.27819")
    assert to_decimal(Decimal("1.4421900000001")) == Decimal("1.4421900000001")
    assert to_decimal("Unknown") is None
    assert to_int("Unknown") is None and to_int("-15") == -15 and to_int(12) == 12
    assert [to_bool(v) for v in (True, 1, "1", "true", False, 0, "0", None, "")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_service_row_drift() -> None:
    svc = parse_service(
        {
            "service": 7,
            "name": " X ",
            "type": "custom_comments",
            "rate": 8,
            "min": 10,
            "max": "1500",
            "refill": "1",
            "cancel": 0,
            "dripfeed": True,
            "desc": "hello",
        }
    )
    assert svc is not None
    assert (svc.service_id, svc.name, svc.type, svc.raw_type, svc.rate) == (
        "7",
        "X",
        ServiceType.CUSTOM_COMMENTS,
        "custom_comments",
        Decimal(8),
    )
    assert (svc.min, svc.max, svc.refill, svc.cancel, svc.dripfeed) == (10, 1500, True, False, True)
    assert svc.description == "hello" and svc.orderable
    unknown = parse_service(
        {"service": "8", "type": "Live Stream", "rate": "1", "min": 1, "max": 2}
    )
    assert unknown is not None and not unknown.orderable
    with pytest.raises(Invalid, match="service id is missing"):
        parse_service({"name": "no id", "rate": "1"})


def test_order_info_drift() -> None:
    info = parse_order_info(
        "1",
        {
            "charge": 0.27819,
            "start_count": 3572,
            "status": "Partial",
            "remains": "Unknown",
            "runs": "3",
            "currency": "USD",
        },
    )
    assert info.status is OrderStatus.PARTIAL and info.raw_status == "Partial"
    assert info.remains is None and info.start_count == 3572 and info.extra == {"runs": "3"}
    assert parse_order_info("2", {"status": "Completed", "remains": "-20"}).remains == -20
