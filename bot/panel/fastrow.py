"""The fast path for a well-formed catalog row: every field already of its plain type.

A catalog is thousands of rows, and the general readers (`decode.parse_service` through
`bounded`) cost a function call, several type checks and a cleaning pass per field. Almost every
row a real panel sends is plain: an int or short printable text as id, a decimal text or number
as rate, digits or ints for min/max, short printable texts, flags as bools, 0/1 or short words.
`fast_service` reads such a row with inline checks and returns exactly the Service the general
path would build; for anything else (another type, a value out of bounds, a text that needs
cleaning, a missing field) it returns None and the caller takes the general path, which decides
and gives the reason. So this module never decides that a row is bad, only that it is plainly
good: a check here that is too strict costs speed, never a row.

tests/panel/test_panel_fastrow.py checks that both paths agree on arbitrary rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import bounded
from .bounded import DECIMAL_TEXT, MAX_AMOUNT, MAX_INT_DIGITS, clean
from .models import Service, ServiceType

_I63 = 2**63
_I64 = 2**64
_MAX_INT_AMOUNT = int(MAX_AMOUNT)
_NOTHING = object()
# Flag values as panels send them, read by one dict lookup (True == 1 and False == 0 also
# cover the ints 1 and 0). Only looked up for these exact types: a float 1.0 hashes like 1 but
# is not a flag of a panel (bounded.flag says False), and lists/dicts cannot be hashed.
_FLAGS: dict[Any, bool] = {
    True: True,
    False: False,
    None: False,
    "": False,
    "0": False,
    "1": True,
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "True": True,
    "False": False,
}
_FLAG_TYPES = frozenset({bool, int, str, type(None)})
# The raw `type` texts of a catalog: a handful of spellings, cleaned and mapped once each.
_TYPES: dict[str, tuple[str, ServiceType]] = {}
_MAX_TYPES = 1024


def _raw_type(value: str) -> tuple[str, ServiceType]:
    found = _TYPES.get(value)
    if found is None:
        raw = clean(value, bounded.RAW_TYPE_LEN) or "Default"  # what bounded.text gives a str
        found = (raw, ServiceType.parse(raw))
        if len(_TYPES) < _MAX_TYPES:
            _TYPES[value] = found
    return found


def fast_service(row: dict[str, Any]) -> Service | None:
    """The Service of a plain, valid row (the general path's result), else None."""
    # service id: bounded.key_id for an int of up to 64 bits or a short printable text.
    # Any: the checks below test type(raw) by identity (faster than isinstance), which mypy
    # does not narrow on.
    raw: Any = row.get("service", _NOTHING)
    if raw is _NOTHING:
        raw = row.get("id")
    kind = type(raw)
    if kind is int:
        if not -_I64 < raw < _I64:
            return None
        sid = str(raw)
    elif (
        kind is str and len(raw) <= bounded.SERVICE_ID_LEN and raw.isprintable() and "  " not in raw
    ):
        sid = raw.strip()
        if not sid:
            return None
    else:
        return None

    # min and max (first: cheaper than the rate): bounded.integer (ASCII digits, at most 18;
    # or an int below 2**63).
    raw = row.get("min")
    kind = type(raw)
    if kind is str and len(raw) <= MAX_INT_DIGITS and raw.isdigit() and raw.isascii():
        low = int(raw)
    elif kind is int and 0 <= raw < _I63:
        low = raw
    else:
        return None
    raw = row.get("max")
    kind = type(raw)
    if kind is str and len(raw) <= MAX_INT_DIGITS and raw.isdigit() and raw.isascii():
        high = int(raw)
    elif kind is int and 0 <= raw < _I63:
        high = raw
    else:
        return None
    if not 1 <= low <= high:
        return None

    # rate: bounded.decimal within [0, MAX_AMOUNT].
    raw = row.get("rate")
    kind = type(raw)
    if kind is str:
        if len(raw) > bounded.MAX_DECIMAL_CHARS or not DECIMAL_TEXT.fullmatch(raw):
            return None
        rate = Decimal(raw)
    elif kind is Decimal:
        if not raw.is_finite():
            return None
        rate = raw
    elif kind is int:
        if not 0 <= raw <= _MAX_INT_AMOUNT:
            return None
        rate = Decimal(raw)
    else:
        return None
    if not 0 <= rate <= MAX_AMOUNT:
        return None

    # texts: bounded.text's common case (clean's, when nothing needs removing or cutting).
    raw = row.get("name")
    if type(raw) is str and len(raw) <= bounded.NAME_LEN and raw.isprintable() and "  " not in raw:
        name = raw.strip()
    elif raw is None:
        name = ""
    else:
        return None
    raw = row.get("category")
    if (
        type(raw) is str
        and len(raw) <= bounded.CATEGORY_LEN
        and raw.isprintable()
        and "  " not in raw
    ):
        category = raw.strip()
    elif raw is None:
        category = ""
    else:
        return None
    raw = row.get("desc", _NOTHING)
    if raw is _NOTHING:
        raw = row.get("description")
    if (
        type(raw) is str
        and len(raw) <= bounded.DESCRIPTION_LEN
        and raw.isprintable()
        and "  " not in raw
    ):
        description = raw.strip() or None
    elif raw is None:
        description = None
    else:
        return None
    raw = row.get("type")
    if raw is None:
        raw_type, service_type = "Default", ServiceType.DEFAULT
    elif type(raw) is str:
        raw_type, service_type = _raw_type(raw)
    else:
        return None

    # flags: one lookup each for the usual spellings, bounded.flag for the rest.
    raw = row.get("refill")
    refill = _FLAGS.get(raw) if type(raw) in _FLAG_TYPES else None
    if refill is None:
        refill = bounded.flag(raw)
    raw = row.get("cancel")
    cancel = _FLAGS.get(raw) if type(raw) in _FLAG_TYPES else None
    if cancel is None:
        cancel = bounded.flag(raw)
    raw = row.get("dripfeed")
    dripfeed = _FLAGS.get(raw) if type(raw) in _FLAG_TYPES else None
    if dripfeed is None:
        dripfeed = bounded.flag(raw)
    return Service(
        sid,
        name,
        category,
        service_type,
        raw_type,
        rate,
        low,
        high,
        refill,
        cancel,
        dripfeed,
        description,
    )
