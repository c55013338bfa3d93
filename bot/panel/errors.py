"""Exception types of the panel client and the classification of panel error messages."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    BAD_KEY = "bad_key"
    NOT_ENOUGH_FUNDS = "not_enough_funds"
    BAD_SERVICE = "bad_service"
    QUANTITY_OUT_OF_BOUNDS = "quantity_out_of_bounds"
    BAD_LINK = "bad_link"
    DUPLICATE_ACTIVE_LINK = "duplicate_active_link"
    REFILL_NOT_ALLOWED = "refill_not_allowed"
    CANCEL_NOT_ALLOWED = "cancel_not_allowed"
    ACTION_NOT_SUPPORTED = "action_not_supported"
    NOT_FOUND = "not_found"  # "Incorrect order ID", "Refill not found"
    BAD_REQUEST = "bad_request"  # missing parameters, drip-feed not supported, ...
    OTHER = "other"


_I18N_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
MAX_CLASSIFIED = 500  # classification reads at most this much of a message

# Ordered: the first match wins, so specific phrases come before generic words. English as
# panels write it (see /work/shared/panel-api-notes.md), the i18n keys some panels leak, and
# the Arabic wording of Arabic-language panels.
_RULES: tuple[tuple[tuple[str, ...], ErrorKind], ...] = (
    (
        (
            "api key",
            "selected key",
            "key is invalid",
            "invalid key",
            "incorrect key",
            "wrong key",
            "suspended",
            "api is disable",
            "user not found",
            "invalid_key",
            "api_key",
            "banned",
            "مفتاح",
            "الحساب موقوف",
            "الحساب معلق",
        ),
        ErrorKind.BAD_KEY,
    ),
    (
        (
            "action is invalid",
            "invalid action",
            "unknown action",
            "action not",
            "not supported",
            "الإجراء غير",
        ),
        ErrorKind.ACTION_NOT_SUPPORTED,
    ),
    (
        ("dripfeed", "drip-feed", "drip feed", "runs is required", "interval", "التنقيط"),
        ErrorKind.BAD_REQUEST,
    ),
    (
        ("funds", "insufficient", "sufficient balance", "balance", "رصيد"),
        ErrorKind.NOT_ENOUGH_FUNDS,
    ),
    (
        ("active order with this link", "link_duplicate", "duplicate", "طلب نشط", "مكرر"),
        ErrorKind.DUPLICATE_ACTIVE_LINK,
    ),
    # IDs the panel does not know, before "refill"/"cancel": "Incorrect refill id" is no
    # refusal of a refill, "The selected order id is invalid." no bad link.
    (
        (
            "selected order",
            "order id is invalid",
            "incorrect refill",
            "invalid refill",
            "refill id is invalid",
            "selected refill",
            "refill id not found",
        ),
        ErrorKind.NOT_FOUND,
    ),
    (("link", "url", "رابط"), ErrorKind.BAD_LINK),
    # A missing quantity (a package sent without one) is a malformed request, not a bound.
    (
        (
            "quantity is required",
            "quantity required",
            "quantity field is required",
            "quantity is missing",
            "missing quantity",
        ),
        ErrorKind.BAD_REQUEST,
    ),
    (("quantity", "كمية", "الكمية"), ErrorKind.QUANTITY_OUT_OF_BOUNDS),
    (
        (
            "incorrect order",
            "invalid order",
            "order not found",
            "order id not found",
            "refill not found",
            "order_id",
            "not_found",
            "رقم الطلب",
            "الطلب غير موجود",
        ),
        ErrorKind.NOT_FOUND,
    ),
    (("refill", "تعبئة", "التعويض"), ErrorKind.REFILL_NOT_ALLOWED),
    (("cancel", "إلغاء", "الغاء"), ErrorKind.CANCEL_NOT_ALLOWED),
    (("service", "خدمة", "الخدمة"), ErrorKind.BAD_SERVICE),
    (
        ("incorrect request", "invalid request", "missing", "required", "طلب غير صالح"),
        ErrorKind.BAD_REQUEST,
    ),
)


def classify_error(message: str, action: str | None = None) -> ErrorKind:
    """Map a verbatim panel error (or an untranslated i18n key) to an ErrorKind.

    Any text is fine: only its first 500 characters are read. The action breaks ties: "The
    order is not completed" answered to `refill` means the refill is not allowed.
    """
    text = message[:MAX_CLASSIFIED].strip().lower() if isinstance(message, str) else ""
    if _I18N_KEY.match(text):
        # neworder.error.min_quantity → "min quantity": classify the tail like prose.
        text = text.rsplit(".", 1)[-1] if text.count(".") >= 2 else text
        text = text.replace("link_duplicate", "duplicate").replace("_", " ")
    for needles, kind in _RULES:
        if any(n in text for n in needles):
            return kind
    if action == "refill":
        return ErrorKind.REFILL_NOT_ALLOWED
    if action == "cancel":
        return ErrorKind.CANCEL_NOT_ALLOWED
    return ErrorKind.OTHER


class PanelError(Exception):
    """Base of everything the client raises about a panel. Never carries the API key."""

    def __init__(self, panel: str, action: str, message: str) -> None:
        super().__init__(f"[{panel}] {action}: {message}")
        self.panel = panel
        self.action = action
        self.detail = message
        # For multi-ID writes split in chunks: what earlier chunks already answered.
        self.partial_results: dict[Any, Any] = {}


class PanelRejected(PanelError):
    """The panel answered with an error: the request was definitely not carried out."""

    def __init__(
        self, panel: str, action: str, message: str, kind: ErrorKind, http_status: int = 200
    ) -> None:
        super().__init__(panel, action, f"{kind.value}: {message}")
        self.kind = kind
        # As the panel wrote it, for admins and logs: control characters removed, at most 500
        # characters, the API key replaced by *** (the client does both before raising).
        self.message = message
        self.http_status = http_status


class PanelUnavailable(PanelError):
    """No valid answer. For add/refill/cancel: the request definitely did not reach the panel."""

    def __init__(
        self,
        panel: str,
        action: str,
        reason: str,
        excerpt: str = "",
        http_status: int | None = None,
        retryable: bool = True,
    ) -> None:
        msg = f"{reason} ({excerpt})" if excerpt else reason
        super().__init__(panel, action, msg)
        self.reason = reason
        self.excerpt = excerpt
        self.http_status = http_status
        self.retryable = retryable


class PanelOutcomeUnknown(PanelError):
    """A write was sent but no definitive answer came back: hold for review, never resend."""

    def __init__(
        self,
        panel: str,
        action: str,
        reason: str,
        excerpt: str = "",
        http_status: int | None = None,
    ) -> None:
        msg = f"{reason} ({excerpt})" if excerpt else reason
        super().__init__(panel, action, msg)
        self.reason = reason
        self.excerpt = excerpt
        self.http_status = http_status


class InvalidOrderParams(ValueError):
    """Order parameters fail validation; `reason` is a stable code the UI can localize."""

    def __init__(self, field: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{field}: {reason}" + (f" ({detail})" if detail else ""))
        self.field = field
        self.reason = reason
        self.detail = detail
