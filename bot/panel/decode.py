"""Turn decoded panel answers (either dialect, drifting types) into the typed models.

Every field goes through `bounded`; what fails there costs its row (catalog: a SkippedRow with
the reason) or its ID (multi answers: an EntryError), never the rest of the answer. Whole-answer
problems raise ShapeError, single-item readers raise bounded.Invalid; the client turns both
into typed PanelErrors. Nothing here raises anything else, whatever the answer holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from . import bounded
from .bounded import Invalid, clean, positive_id, preview
from .fastrow import fast_service
from .models import (
    Balance,
    CancelResult,
    EntryError,
    OrderInfo,
    OrderStatus,
    RefillInfo,
    RefillStatus,
    Service,
    ServiceCatalog,
    ServiceType,
    SkippedRow,
)

log = logging.getLogger("bot.panel")

_ORDER_KEYS = ("charge", "start_count", "status", "remains", "currency", "order", "error")
_MAX_EXTRA = 16
_MAX_ROWS = 1000  # rows of a multi answer read to match IDs (we ask for at most 100)
DETAILED_SKIPS = 200  # skipped catalog rows with their own reason (the sync keeps 20)
_NOT_OBJECT = SkippedRow(None, "row is not an object")
_NO_ID = SkippedRow(None, "service id is not usable")
_DUPLICATE = SkippedRow(None, "duplicate service id")
_UNREAD = SkippedRow(None, "not a plain row, in an answer of mostly unusable rows")
# What JSON gives that is no row, told apart before the (slower) Mapping check.
_SCALARS = frozenset({int, str, Decimal, bool, type(None), list, bounded.RefusedNumber})
NO_ANSWER = "No answer for this ID"

__all__ = ["Invalid", "ShapeError", "positive_id"]


class ShapeError(ValueError):
    """The answer is valid JSON but not shaped like any known panel answer."""


# -- scalars (never raise; None/False when unusable) -------------------------------------------


def to_id(value: Any) -> str | None:
    return bounded.key_id(value)


def to_decimal(value: Any) -> Decimal | None:
    try:
        return bounded.decimal(value, "value", signed=True)
    except Invalid:
        return None


def to_int(value: Any) -> int | None:
    try:
        return bounded.integer(value, "value", signed=True)
    except Invalid:
        return None


def to_bool(value: Any) -> bool:
    return bounded.flag(value)


def is_id(value: Any) -> bool:
    return positive_id(value) is not None


def _message(value: Any) -> str:
    """An error text as the panel wrote it: cleaned and bounded; odd types described."""
    if isinstance(value, str):
        return clean(value, bounded.MESSAGE_LEN) or "error"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"error {preview(value)}"
    return "error" if value is True or value is None else f"error: {preview(value)}"


def error_of(data: Any) -> str | None:
    """The error message of an error answer (cleaned, at most 500 characters), or None."""
    if not isinstance(data, Mapping):
        return None
    err = data.get("error")
    if not (err is None or err is False or err == ""):
        return _message(err)
    # v1 wrapper {"status":"error","message":...}; a bare {"status":"Error"} is a refill status.
    status = data.get("status")
    if (
        isinstance(status, str)
        and status.strip().lower() == "error"
        and ("message" in data or "msg" in data)
    ):
        return _message(data.get("message") or data.get("msg"))
    return None


# -- services ---------------------------------------------------------------------------------


def _service_rows(data: Any) -> Iterable[Any]:
    if isinstance(data, Mapping) and "data" in data:
        data = data["data"]  # the v1 wrapper; "Empty Data" means no services
        if not isinstance(data, (list, Mapping)):
            return ()
    if isinstance(data, Mapping):
        return data.values()  # some clones key the catalog by service id
    if isinstance(data, list):
        return data
    raise ShapeError("services answer is neither a list nor an object")


def _service_id(row: Mapping[str, Any]) -> str:
    raw = row.get("service", row.get("id"))
    sid = bounded.key_id(raw)
    if sid is None:
        raise Invalid(_service_id_reason(raw))
    return sid


def _service_id_reason(raw: Any) -> str:
    """Why `raw` (for which key_id gave None) is no service id."""
    if raw is None or raw == "":
        return "service id is missing"
    if isinstance(raw, str) and len(clean(raw, 200)) > bounded.SERVICE_ID_LEN:
        return f"service id is longer than {bounded.SERVICE_ID_LEN} characters"
    return f"service id is not usable: {preview(raw)}"


def parse_service(row: Any) -> Service:
    """One catalog row, or Invalid with the first reason it cannot be used.

    Decisions: min and max must be integers with 1 <= min <= max < 2**63; a row where they are
    not (0, negative, min above max, missing) is skipped with its reason rather than kept
    unorderable, so admins see why it is missing. An unknown `type` is kept (shown, never
    ordered). Texts are cut to the storage columns here, once.
    """
    if not isinstance(row, Mapping):
        raise Invalid(f"row is {preview(row)}, not an object")
    return _service_of(row, _service_id(row))


def _service_of(row: Mapping[str, Any], sid: str) -> Service:
    """parse_service once the row's service id is read."""
    raw_rate = row.get("rate")
    if raw_rate is None or raw_rate == "":
        raise Invalid("rate is missing")
    rate = bounded.decimal(raw_rate, "rate")
    low = bounded.integer(_required(row, "min"), "min")
    high = bounded.integer(_required(row, "max"), "max")
    if low < 1:
        raise Invalid("min is 0")
    if low > high:
        raise Invalid(f"min {low} is above max {high}")
    raw_type_value = row.get("type")
    raw_type = bounded.text(raw_type_value, "type", bounded.RAW_TYPE_LEN) or "Default"
    desc = row.get("desc", row.get("description"))
    try:
        description = bounded.text(desc, "description", bounded.DESCRIPTION_LEN) or None
    except Invalid:
        description = None  # cosmetic: an object instead of a text costs only the text
    return Service(
        service_id=sid,
        name=bounded.text(row.get("name"), "name", bounded.NAME_LEN),
        category=bounded.text(row.get("category"), "category", bounded.CATEGORY_LEN),
        type=ServiceType.DEFAULT if raw_type_value is None else ServiceType.parse(raw_type),
        raw_type=raw_type,
        rate=rate,
        min=low,
        max=high,
        refill=bounded.flag(row.get("refill")),
        cancel=bounded.flag(row.get("cancel")),
        dripfeed=bounded.flag(row.get("dripfeed")),
        description=description,
    )


def _required(row: Mapping[str, Any], field: str) -> Any:
    value = row.get(field)
    if value is None or value == "":
        raise Invalid(f"{field} is missing")
    return value


def parse_services(data: Any) -> ServiceCatalog:
    """Every row on its own: good rows kept, bad ones skipped with a reason; the first row of a
    service id wins, later ones are skipped as duplicates.

    A plain row takes the fast path (fastrow.py), any other the general one. The first
    DETAILED_SKIPS skipped rows carry their full reason (the sync keeps and shows far fewer).
    Past them, once the skipped rows also outnumber the kept ones, the answer is mostly junk (a
    megabyte of tiny rows): the rest is still read, but a row the fast path does not take is
    counted with a shared reason instead of going through the general reader, so such an answer
    costs a bounded, small time per row. Plain good rows are kept whatever came before them.
    """
    out: list[Service] = []
    skipped: list[SkippedRow] = []
    seen: set[str] = set()
    for row in _service_rows(data):
        if type(row) is not dict and (type(row) in _SCALARS or not isinstance(row, Mapping)):
            skipped.append(
                _NOT_OBJECT
                if len(skipped) >= DETAILED_SKIPS
                else SkippedRow(None, f"row is {preview(row)}, not an object")
            )
            continue
        if len(skipped) >= DETAILED_SKIPS and len(skipped) > len(out):
            # Mostly junk so far: the id first (a duplicate costs no Service), fast path only.
            sid = bounded.key_id(row.get("service", row.get("id")))
            svc = None if sid is None or sid in seen or type(row) is not dict else fast_service(row)
            if svc is None:
                skipped.append(_NO_ID if sid is None else _DUPLICATE if sid in seen else _UNREAD)
                continue
            seen.add(svc.service_id)
            out.append(svc)
            continue
        svc = fast_service(row) if type(row) is dict else None
        if svc is None:
            raw = row.get("service", row.get("id"))
            sid = bounded.key_id(raw)
            if sid is None:
                skipped.append(
                    _NO_ID
                    if len(skipped) >= DETAILED_SKIPS
                    else SkippedRow(None, _service_id_reason(raw))
                )
                continue
            try:
                svc = _service_of(row, sid)
            except Invalid as exc:
                skipped.append(SkippedRow(sid, exc.reason))
                continue
        if svc.service_id in seen:
            skipped.append(
                _DUPLICATE
                if len(skipped) >= DETAILED_SKIPS
                else SkippedRow(svc.service_id, "duplicate service id")
            )
            continue
        seen.add(svc.service_id)
        out.append(svc)
    return ServiceCatalog(out, skipped)


# -- orders -----------------------------------------------------------------------------------


def _status_text(raw: Any) -> str:
    """The status as sent: a text (cleaned, at most 64 characters) or a number's digits."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return clean(raw, bounded.STATUS_LEN)
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        return bounded.text(raw, "status", bounded.STATUS_LEN)
    raise Invalid(f"status is {preview(raw)}")


def _extra(row: Mapping[str, Any]) -> dict[str, Any]:
    """v1 drip-feed / subscription extras (runs, orders, posts, expiry): scalars only, bounded."""
    out: dict[str, Any] = {}
    for key, value in islice(row.items(), 64):
        if key in _ORDER_KEYS or not isinstance(key, str) or len(out) >= _MAX_EXTRA:
            continue
        if isinstance(value, str):
            out[clean(key, 32)] = clean(value, 256)
        elif value is None or isinstance(value, bool):
            out[clean(key, 32)] = value
        else:
            number = to_decimal(value) if not isinstance(value, (dict, list)) else None
            if number is not None:
                out[clean(key, 32)] = value
    return out


def parse_order_info(order_id: str, row: Mapping[str, Any]) -> OrderInfo:
    """One status row, or Invalid: a status that is no text/number, a charge that is not a
    bounded non-negative amount, remains that are not an integer (negative: over-delivery).
    start_count and currency are informational: unusable ones are dropped, not fatal."""
    raw_status = _status_text(row.get("status"))
    charge = bounded.optional_decimal(row.get("charge"), "charge")
    remains = bounded.optional_integer(row.get("remains"), "remains", signed=True)
    try:
        start_count = bounded.optional_integer(row.get("start_count"), "start_count", signed=True)
    except Invalid:
        start_count = None
    try:
        currency = bounded.text(row.get("currency"), "currency", bounded.CURRENCY_LEN) or None
    except Invalid:
        currency = None
    return OrderInfo(
        order_id=order_id,
        status=OrderStatus.parse(raw_status),
        raw_status=raw_status,
        charge=charge,
        start_count=start_count,
        remains=remains,
        currency=currency,
        extra=_extra(row),
    )


def _keyed(ids: list[str], data: Any, id_field: str) -> dict[str, Any]:
    """Index a multi answer by ID: a dict keyed by ID, or a bare list matched by `id_field`.

    We ask for at most 100 IDs: the asked IDs are looked up directly, and only the first
    _MAX_ROWS keys or rows of an answer are read to match the rest (" 12 ", a bare list).
    """
    if isinstance(data, Mapping):
        found = {oid: data[oid] for oid in ids if oid in data}
        if len(found) < len(ids):
            for k, v in islice(data.items(), _MAX_ROWS):
                key = bounded.key_id(k)
                if key is not None:
                    found.setdefault(key, v)
        return found
    if isinstance(data, list):
        out: dict[str, Any] = {}
        for row in islice(data, _MAX_ROWS):
            if isinstance(row, Mapping):
                key = bounded.key_id(row.get(id_field))
                if key is not None:
                    out.setdefault(key, row)
        return out
    raise ShapeError("multi answer is neither an object nor a list")


def _missing(oid: str) -> EntryError:
    return EntryError(oid, NO_ANSWER)


def _unusable(oid: str, reason: str) -> EntryError:
    return EntryError(oid, reason, malformed=True)


def parse_statuses(ids: list[str], data: Any) -> dict[str, OrderInfo | EntryError]:
    rows = _keyed(ids, data, "order")
    out: dict[str, OrderInfo | EntryError] = {}
    for oid in ids:
        row = rows.get(oid)
        if row is None:
            out[oid] = _missing(oid)
        elif isinstance(row, str):  # v1: "12": "Incorrect order ID"
            out[oid] = EntryError(oid, _message(row))
        elif isinstance(row, Mapping):
            err = error_of(row)
            if err is not None:
                out[oid] = EntryError(oid, err)
                continue
            try:
                out[oid] = parse_order_info(oid, row)
            except Invalid as exc:
                out[oid] = _unusable(oid, exc.reason)
        else:
            out[oid] = _unusable(oid, f"answer is {preview(row)}")
    return out


def _inner(row: Any, field: str) -> Any:
    """{"order": 1, "refill": X} → X; a dict keyed by ID may hold X directly."""
    if isinstance(row, Mapping) and field in row:
        return row[field]
    return row


# -- write answers: cancel and refill ----------------------------------------------------------
# The shapes real panels send (issue 15), and what each means. Decided per shape:
#
# cancel (asked for `orders=1,2`, or one order):
#   [{"order": 1, "cancel": 1}]                  documented: accepted (1/true/"1"/"yes")
#   {"1": 1}                                     keyed by ID: accepted
#   [{"order": "2", "cancel": {"status": "Canceled"}}]   a status object: accepted when its word
#                                                is a success or cancel word (_CANCEL_OK), else
#                                                not understood
#   {"cancel": "success"} / {"status": "success"}  one order asked: that order's answer
#   {"order": 2, "cancel": 1}                    one row without the list: as [row]
#   {"order": 2, "cancel": {"error": "..."}}      a rejection, with the panel's words
#   [{"order": 2, "cancel": "Order not found"}]  a bare text: a rejection
#   anything else (an object with none of the above, a number, 0): not understood, `unclear`:
#   the caller tells the customer the cancel is unconfirmed, never the panel's raw answer.
#
# refill (asked for `orders=1,2`, or one order):
#   [{"order": 1, "refill": 5}] / {"1": 5} / {"1": {"refill": 5}}    documented and keyed
#   [{"refill": 5}, {"refill": 6}]               no `order` key: matched by POSITION, but only
#                                                when no row names an order and there are
#                                                exactly as many rows as IDs asked (a shorter or
#                                                longer list could shift every ID: those IDs
#                                                get no answer rather than a wrong refill)
#   {"refill": "5"}                              one order asked: that order's refill ID
#   {"refill": {"id": 5}} / {"refill": {"refill_id": 5}}   the ID inside an object: accepted
#   {"refill": {"error": "..."}} / {"refill": "Incorrect order id"}   a rejection
#
# refill_status:
#   {"status": "Completed"} (one refill), [{"refill": 5, "status": "Completed"}], {"5": ...}
#   [{"refill": 5, "status": {"error": "Incorrect refill id"}}]   that refill's error

_CANCEL_OK = frozenset(
    {
        "1",
        "true",
        "yes",
        "y",
        "ok",
        "success",
        "successful",
        "done",
        "accepted",
        "canceled",
        "cancelled",
        "cancel",
        "canceling",
        "cancelling",
        "pending",
        "inprogress",
        "processing",
    }
)
_WORD_KEY = str.maketrans("", "", " -_.")


def _word(value: Any) -> str | None:
    """A short text as a lookup key ("In progress" → "inprogress"), or None."""
    if isinstance(value, str) and len(value) <= 32:
        return value.strip().lower().translate(_WORD_KEY)
    return None


def _write_rows(ids: list[str], data: Any, field: str) -> dict[str, Any]:
    """The answer of a cancel/refill write indexed by order ID, in every shape above."""
    if (
        isinstance(data, Mapping)
        and to_id(data.get("order")) is not None
        and to_id(data.get("order")) not in data
    ):
        data = [data]  # one row, sent without its list
    if (
        isinstance(data, Mapping)
        and len(ids) == 1
        and ids[0] not in data
        and (field in data or "status" in data)
    ):
        return {ids[0]: data}  # one order asked, answered without its ID
    rows = _keyed(ids, data, "order")
    if (
        not rows
        and isinstance(data, list)
        and len(data) == len(ids)
        and all(isinstance(row, Mapping) and "order" not in row and field in row for row in data)
    ):
        return dict(zip(ids, data, strict=True))  # the order asked, no `order` key
    return rows


def _refill_id(value: Any) -> str | None:
    """5, "5", {"id": 5}, {"refill_id": 5}, {"refill": 5} → "5"; anything else None."""
    if isinstance(value, Mapping):
        for key in ("id", "refill_id", "refill"):
            if key in value:
                return positive_id(value[key])
        return None
    return positive_id(value)


def refill_id_in(value: Any) -> str | None:
    """The refill ID in one order's refill value (see the shapes above), or None."""
    return _refill_id(value)


def refill_id_of(value: Any) -> str:
    """The refill ID in a refill answer's value, or Invalid; a text is the panel's error."""
    err = error_of(value)
    if err is not None:
        raise Invalid(err)
    rid = _refill_id(value)
    if rid is not None:
        return rid
    if isinstance(value, str) and value.strip():
        raise Invalid(_message(value))  # v1-style bare error string
    raise Invalid(f"no refill ID: {preview(value)}")


def parse_refills(ids: list[str], data: Any) -> dict[str, str | EntryError]:
    rows = _write_rows(ids, data, "refill")
    out: dict[str, str | EntryError] = {}
    for oid in ids:
        value = _inner(rows.get(oid), "refill")
        if value is None:
            out[oid] = _missing(oid)
            continue
        try:
            out[oid] = refill_id_of(value)
        except Invalid as exc:
            out[oid] = EntryError(oid, exc.reason)
    return out


def parse_refill_info(refill_id: str, value: Any) -> RefillInfo | EntryError:
    err = error_of(value)
    if err is not None:
        return EntryError(refill_id, err)
    try:
        raw = _status_text(value)
    except Invalid as exc:
        return _unusable(refill_id, exc.reason)
    return RefillInfo(refill_id, RefillStatus.parse(raw), raw)


def parse_refill_statuses(ids: list[str], data: Any) -> dict[str, RefillInfo | EntryError]:
    if isinstance(data, Mapping) and len(ids) == 1 and ids[0] not in data and "status" in data:
        data = {ids[0]: data}  # one refill asked, answered without its ID
    rows = _keyed(ids, data, "refill")
    out: dict[str, RefillInfo | EntryError] = {}
    for rid in ids:
        row = rows.get(rid)
        out[rid] = _missing(rid) if row is None else parse_refill_info(rid, _inner(row, "status"))
    return out


def cancel_result(oid: str, value: Any) -> CancelResult:
    """One order's cancel answer (its value or its whole row), decided as documented above."""
    if isinstance(value, Mapping) and "cancel" in value:
        value = value["cancel"]
    if value is None:
        return CancelResult(oid, False, NO_ANSWER)
    err = error_of(value)
    if err is not None:
        return CancelResult(oid, False, err)
    if isinstance(value, Mapping):
        for key in ("status", "result", "message"):
            word = _word(value.get(key))
            if word is not None and word in _CANCEL_OK:
                return CancelResult(oid, True, None)
        if bounded.flag(value.get("success")):
            return CancelResult(oid, True, None)
        return CancelResult(oid, False, f"not understood: {preview(value)}", unclear=True)
    if value is False or value == 0 or _word(value) in ("0", "false", "no"):
        return CancelResult(oid, False, "not accepted")  # an explicit no
    word = _word(value)
    if word is not None and (word in _CANCEL_OK or bounded.flag(value)):
        return CancelResult(oid, True, None)
    if isinstance(value, str) and value.strip() and not value.strip().isdigit():
        return CancelResult(oid, False, _message(value))  # v1-style bare error string
    if bounded.flag(value):
        return CancelResult(oid, True, None)
    return CancelResult(oid, False, f"not understood: {preview(value)}", unclear=True)


def parse_cancels(ids: list[str], data: Any) -> dict[str, CancelResult]:
    rows = _write_rows(ids, data, "cancel")
    return {oid: cancel_result(oid, rows.get(oid)) for oid in ids}


def parse_balance(data: Any) -> Balance:
    """A balance (may be negative on credit panels), or ShapeError / Invalid."""
    if not isinstance(data, Mapping) or bounded.is_absent(data.get("balance")):
        raise ShapeError("balance answer has no balance")
    amount = bounded.decimal(data.get("balance"), "balance", signed=True)
    try:
        currency = bounded.text(data.get("currency"), "currency", bounded.CURRENCY_LEN)
    except Invalid:
        currency = ""
    return Balance(amount, currency or "USD")
