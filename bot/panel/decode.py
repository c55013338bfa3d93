"""Turn decoded panel answers (either dialect, drifting types) into the typed models."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

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

_TRUE = {"1", "true", "yes", "on", "y"}
_ORDER_KEYS = ("charge", "start_count", "status", "remains", "currency", "order", "error")


class ShapeError(ValueError):
    """The answer is valid JSON but not shaped like any known panel answer."""


# -- scalars ---------------------------------------------------------------------------------

def to_id(value: Any) -> str | None:
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    text = str(value).strip()
    return text or None


def to_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # shortest round-trip text, not the binary expansion
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        try:  # "1,000.50", " 3 "
            d = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            return None
    return d if d.is_finite() else None


def to_int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.isdigit():  # the common case: "500"
        return int(value)
    d = to_decimal(value)  # "Unknown", "" → None; "12.0", "-15" → int
    return int(d) if d is not None else None


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return value != 0
    return str(value or "").strip().lower() in _TRUE


def error_of(data: Any) -> str | None:
    """The verbatim error message of an error answer, or None."""
    if not isinstance(data, Mapping):
        return None
    err = data.get("error")
    if err not in (None, "", False):
        return err if isinstance(err, str) else str(err)
    # v1 wrapper {"status":"error","message":...}; a bare {"status":"Error"} is a refill status.
    if str(data.get("status", "")).lower() == "error" and ("message" in data or "msg" in data):
        return str(data.get("message") or data.get("msg") or "error")
    return None


# -- services ---------------------------------------------------------------------------------

def _service_rows(data: Any) -> Iterable[Any]:
    if isinstance(data, Mapping):
        if "data" in data:  # v1 wrapper; "Empty Data" means no services
            inner = data["data"]
            return _service_rows(inner) if isinstance(inner, (list, Mapping)) else ()
        return data.values()  # some clones key the catalog by service id
    if isinstance(data, list):
        return data
    raise ShapeError("services answer is neither a list nor an object")


def parse_service(row: Mapping[str, Any]) -> Service | None:
    sid = to_id(row.get("service", row.get("id")))
    rate = to_decimal(row.get("rate"))
    if sid is None or rate is None:
        return None
    raw_type = str(row.get("type") or "Default").strip()
    desc = row.get("desc", row.get("description"))
    return Service(
        service_id=sid,
        name=str(row.get("name") or "").strip(),
        category=str(row.get("category") or "").strip(),
        type=ServiceType.parse(raw_type),
        raw_type=raw_type,
        rate=rate,
        min=to_int(row.get("min")) or 0,
        max=to_int(row.get("max")) or 0,
        refill=to_bool(row.get("refill")),
        cancel=to_bool(row.get("cancel")),
        dripfeed=to_bool(row.get("dripfeed")),
        description=str(desc) if desc not in (None, "") else None,
    )


def parse_services(data: Any) -> ServiceCatalog:
    out: list[Service] = []
    skipped: list[SkippedRow] = []
    for row in _service_rows(data):
        svc = parse_service(row) if isinstance(row, Mapping) else None
        if svc is None:
            skipped.append(SkippedRow(None, "malformed row"))
        else:
            out.append(svc)
    return ServiceCatalog(out, skipped)


def positive_id(value: Any) -> str | None:
    """A panel's order ID: a positive integer (a JSON integer or ASCII digits), else None."""
    if type(value) is int:
        return str(value) if value > 0 else None
    if isinstance(value, str):
        text = value.strip()
        if 0 < len(text) <= 20 and text.isascii() and text.isdigit() and int(text) > 0:
            return text
    return None


# -- orders -----------------------------------------------------------------------------------

def parse_order_info(order_id: str, row: Mapping[str, Any]) -> OrderInfo:
    raw = row.get("status")
    raw_status = "" if raw is None else str(raw)
    extra = {k: v for k, v in row.items() if k not in _ORDER_KEYS}
    currency = row.get("currency")
    return OrderInfo(
        order_id=order_id,
        status=OrderStatus.parse(raw_status),
        raw_status=raw_status,
        charge=to_decimal(row.get("charge")),
        start_count=to_int(row.get("start_count")),
        remains=to_int(row.get("remains")),
        currency=str(currency) if currency else None,
        extra=extra,
    )


def _keyed(ids: list[str], data: Any, id_field: str) -> dict[str, Any]:
    """Index a multi answer by ID: a dict keyed by ID, or a bare list matched by `id_field`."""
    if isinstance(data, Mapping):
        return {str(k).strip(): v for k, v in data.items()}
    if isinstance(data, list):
        out: dict[str, Any] = {}
        for row in data:
            if isinstance(row, Mapping):
                key = to_id(row.get(id_field))
                if key is not None:
                    out[key] = row
        return out
    raise ShapeError("multi answer is neither an object nor a list")


def _missing(oid: str) -> EntryError:
    return EntryError(oid, "No answer for this ID")


def parse_statuses(ids: list[str], data: Any) -> dict[str, OrderInfo | EntryError]:
    rows = _keyed(ids, data, "order")
    out: dict[str, OrderInfo | EntryError] = {}
    for oid in ids:
        row = rows.get(oid)
        if row is None:
            out[oid] = _missing(oid)
        elif isinstance(row, str):  # v1: "12": "Incorrect order ID"
            out[oid] = EntryError(oid, row)
        elif isinstance(row, Mapping):
            err = error_of(row)
            out[oid] = EntryError(oid, err) if err else parse_order_info(oid, row)
        else:
            out[oid] = EntryError(oid, str(row))
    return out


def _inner(row: Any, field: str) -> Any:
    """{"order": 1, "refill": X} → X; a dict keyed by ID may hold X directly."""
    if isinstance(row, Mapping) and field in row:
        return row[field]
    return row


def parse_refills(ids: list[str], data: Any) -> dict[str, str | EntryError]:
    rows = _keyed(ids, data, "order")
    out: dict[str, str | EntryError] = {}
    for oid in ids:
        value = _inner(rows.get(oid), "refill")
        err = error_of(value) if isinstance(value, Mapping) else None
        if value is None:
            out[oid] = _missing(oid)
        elif err:
            out[oid] = EntryError(oid, err)
        elif is_id(value):
            out[oid] = str(to_id(value))
        else:
            out[oid] = EntryError(oid, str(value))  # v1-style bare error string
    return out


def is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, Decimal)):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def parse_refill_info(refill_id: str, value: Any) -> RefillInfo | EntryError:
    err = error_of(value) if isinstance(value, Mapping) else None
    if err:
        return EntryError(refill_id, err)
    raw = "" if value is None else str(value)
    return RefillInfo(refill_id, RefillStatus.parse(raw), raw)


def parse_refill_statuses(ids: list[str], data: Any) -> dict[str, RefillInfo | EntryError]:
    rows = _keyed(ids, data, "refill")
    out: dict[str, RefillInfo | EntryError] = {}
    for rid in ids:
        row = rows.get(rid)
        out[rid] = _missing(rid) if row is None else parse_refill_info(rid, _inner(row, "status"))
    return out


def parse_cancels(ids: list[str], data: Any) -> dict[str, CancelResult]:
    rows = _keyed(ids, data, "order")
    out: dict[str, CancelResult] = {}
    for oid in ids:
        value = _inner(rows.get(oid), "cancel")
        err = error_of(value) if isinstance(value, Mapping) else None
        if value is None:
            out[oid] = CancelResult(oid, False, "No answer for this ID")
        elif err:
            out[oid] = CancelResult(oid, False, err)
        elif isinstance(value, str) and not value.strip().isdigit():
            out[oid] = CancelResult(oid, False, value)  # v1-style bare error string
        else:
            accepted = to_bool(value)
            out[oid] = CancelResult(oid, accepted, None if accepted else str(value))
    return out


def parse_balance(data: Any) -> Balance:
    amount = to_decimal(data.get("balance")) if isinstance(data, Mapping) else None
    if amount is None:
        raise ShapeError("balance answer has no balance")
    return Balance(amount, str(data.get("currency") or "USD"))
