"""The one bounded parser every value a panel sends goes through.

Panels are run by strangers: a field may hold anything JSON can say (and, through the tolerant
fallback, a bit more). Every reader here checks the type and the *length* of what it got before
converting it, so no value can cost more than a few microseconds (`int()` of a million-digit
string, `int()` of `Decimal("1e1000000")` or `str()` of a huge int each freeze or crash the
loop), and it either returns a value the shop can store exactly or raises `Invalid` with a short,
printable reason. `Invalid` never leaves the panel package: decode turns it into a skipped row
or a per-ID `EntryError`, the client into a typed `PanelError`.

Limits follow the storage: integers are signed 64-bit (`BigInteger`), amounts are stored as
integer units of 10**-6 in a signed 64-bit column, so 10**9 (10**15 units) is a safe ceiling.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

MAX_INT_DIGITS = 18  # every 18-digit number fits a signed 64-bit column
MAX_DECIMAL_CHARS = 40
MAX_AMOUNT = Decimal(10) ** 9  # rate, charge, balance: far above any real panel's figures
MAX_REASON = 120
PREVIEW = 24

# Limits of the storage columns: a text is cut to them here, once, the same way for lookup and
# insert (a name cut differently in two places inserted duplicates and broke a UNIQUE index).
CATEGORY_LEN = 255
NAME_LEN = 512
RAW_TYPE_LEN = 64
SERVICE_ID_LEN = 64
STATUS_LEN = 64
CURRENCY_LEN = 8
DESCRIPTION_LEN = 4000  # a Telegram message holds 4096 characters
MESSAGE_LEN = 500

# ASCII only: Decimal() and int() also accept "١٢", "²"-free Unicode digits and "_" separators.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
DECIMAL_TEXT = _DECIMAL  # for the catalog's fast path (fastrow.py): the same rule
# C0/C1 controls, line/paragraph separators, and lone surrogates (JSON "\ud800" makes one; it
# cannot be encoded to UTF-8, so the database and Telegram would both refuse the text).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_SPACES = re.compile(r"\s{2,}")
_ABSENT = frozenset({"", "unknown", "n/a", "na", "none", "null", "-", "\u2014"})


class Invalid(Exception):
    """A panel value the shop cannot use. `reason` is short and printable."""

    def __init__(self, reason: str) -> None:
        reason = clean(reason, MAX_REASON)
        super().__init__(reason)
        self.reason = reason


class RefusedNumber:
    """A JSON number literal too long (or NaN/Infinity) to convert safely; never a value."""

    __slots__ = ("text",)

    def __init__(self, literal: str) -> None:
        self.text = literal if len(literal) <= PREVIEW else f"a number of {len(literal)} chars"

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RefusedNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


# -- hooks for json.loads: numbers are converted only when their text is short ---------------


def json_int(literal: str) -> int | RefusedNumber:
    return int(literal) if len(literal) <= MAX_INT_DIGITS + 2 else RefusedNumber(literal)


def json_float(literal: str) -> Decimal | RefusedNumber:
    if len(literal) > MAX_DECIMAL_CHARS or not _DECIMAL.fullmatch(literal):
        return RefusedNumber(literal)  # too long, or an exponent of more than 3 digits
    return Decimal(literal)


def json_decimal(literal: str) -> Decimal:
    """Decimal(literal), as a Python function on purpose: a large answer is decoded in a worker
    thread, and the interpreter can hand the GIL to the event loop only between Python frames.
    With the Decimal type itself as the hook, an answer of tens of thousands of number literals
    (`1e1000000` in every field) was decoded in C from end to end, holding the loop meanwhile."""
    return Decimal(literal)


def json_constant(literal: str) -> RefusedNumber:
    return RefusedNumber(literal)  # NaN, Infinity, -Infinity


# -- texts ----------------------------------------------------------------------------------


def clean(text: str, limit: int) -> str:
    """Printable (str.isprintable), single-line, whitespace collapsed, cut to `limit` chars.

    Cut first to a bounded window so a megabyte name costs no more than a short one; the result
    depends only on the input, so the same name always cuts the same way.
    """
    if len(text) <= limit and text.isprintable() and "  " not in text:
        return text.strip()  # the common case, all in C: nothing to remove or collapse
    text = _CONTROL.sub(" ", text[: limit * 4])
    if not text.isprintable():  # rare: format characters (bidi overrides, ZWJ), unassigned
        text = "".join(c if c.isprintable() else " " if c.isspace() else "" for c in text)
    text = _SPACES.sub(" ", text).strip()
    return text[:limit].rstrip()


def preview(value: Any) -> str:
    """A short, printable rendering of any decoded JSON value, for reasons and logs."""
    if isinstance(value, str):
        cut = value[:PREVIEW]
        return repr(cut if len(value) <= PREVIEW else cut + "…")
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        if value.bit_length() > 64:
            return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
        return str(value)
    if isinstance(value, (Decimal, float, RefusedNumber)):
        text = repr(value) if isinstance(value, RefusedNumber) else str(value)
        return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    """A text field: strings as sent (cleaned, cut); numbers as their digits; else invalid."""
    if type(value) is str and value:  # the common case first
        out = clean(value, limit)
        if out or not required:
            return out
    if value is None or value == "":
        if required:
            raise Invalid(f"{field} is missing")
        return ""
    if isinstance(value, str):
        out = clean(value, limit)
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 64:
        out = str(value)[:limit]
    elif isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) <= 64:
        out = str(value)[:limit]
    else:
        raise Invalid(f"{field} is not a text: {preview(value)}")
    if required and not out:
        raise Invalid(f"{field} is empty")
    return out


# -- numbers --------------------------------------------------------------------------------


def integer(value: Any, field: str, *, signed: bool = False) -> int:
    """A JSON integer, or ASCII digits (a sign only for a documented signed field)."""
    if (
        type(value) is str
        and 0 < len(value) <= MAX_INT_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        return int(value)  # the common case first: "500" (18 digits always fit)
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        digits = value.strip()
        negative = False
        if signed and digits[:1] in ("+", "-"):
            negative, digits = digits[0] == "-", digits[1:]
        if not (0 < len(digits) <= MAX_INT_DIGITS and digits.isascii() and digits.isdigit()):
            raise Invalid(f"{field} is not an integer: {preview(value)}")
        number = -int(digits) if negative else int(digits)
    else:
        raise Invalid(f"{field} is not an integer: {preview(value)}")
    if number.bit_length() > 63:
        raise Invalid(f"{field} is out of range: {preview(value)}")
    if number < 0 and not signed:
        raise Invalid(f"{field} is negative: {preview(value)}")
    return number


def optional_integer(value: Any, field: str, *, signed: bool = False) -> int | None:
    """Like integer(), but None/""/"Unknown" (panels say so for remains) mean no value."""
    return None if is_absent(value) else integer(value, field, signed=signed)


def decimal(
    value: Any, field: str, *, signed: bool = False, limit: Decimal = MAX_AMOUNT
) -> Decimal:
    """A finite amount within ±limit, exact (floats through their shortest repr)."""
    if isinstance(value, Decimal):
        number = value
    elif type(value) is int:
        if value.bit_length() > 63:
            raise Invalid(f"{field} is out of range: {preview(value)}")
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        candidate = value.strip()
        if "," in candidate and len(candidate) <= MAX_DECIMAL_CHARS:
            candidate = candidate.replace(",", "")  # "1,000.50"
        if len(candidate) > MAX_DECIMAL_CHARS or not _DECIMAL.fullmatch(candidate):
            raise Invalid(f"{field} is not a number: {preview(value)}")
        number = Decimal(candidate)
    else:
        raise Invalid(f"{field} is not a number: {preview(value)}")
    if not number.is_finite():
        raise Invalid(f"{field} is not a number: {preview(value)}")
    if number.copy_abs() > limit:  # copy_abs is exact: no context, no overflow
        raise Invalid(f"{field} is out of range: {preview(value)}")
    if number < 0 and not signed:
        raise Invalid(f"{field} is negative: {preview(value)}")
    return number


def optional_decimal(value: Any, field: str, *, signed: bool = False) -> Decimal | None:
    return None if is_absent(value) else decimal(value, field, signed=signed)


def flag(value: Any) -> bool:
    """true / 1 / "1" / "yes"…; anything else (objects, lists, garbage) is false."""
    if isinstance(value, bool):
        return value
    if type(value) is int:
        return value != 0
    if isinstance(value, Decimal):
        return value.is_finite() and value != 0
    if isinstance(value, str) and len(value) <= 8:
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return False


def is_absent(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and len(value) <= 16 and value.strip().lower() in _ABSENT


# -- identifiers ----------------------------------------------------------------------------


def positive_id(value: Any) -> str | None:
    """A panel's order/refill ID: a positive integer (a JSON integer or ASCII digits), else None.

    Nothing else is an ID: "12.5", "١٢", "1e3", "Not enough funds" and 0 are not.
    """
    if type(value) is int:
        return str(value) if 0 < value and value.bit_length() <= 63 else None
    if isinstance(value, str):
        digits = value.strip()
        if (
            0 < len(digits) <= MAX_INT_DIGITS
            and digits.isascii()
            and digits.isdigit()
            and int(digits) > 0
        ):
            return digits
    return None


def key_id(value: Any, limit: int = SERVICE_ID_LEN) -> str | None:
    """An identifier as sent (service IDs, keys of multi answers): a JSON integer or a short
    printable text; None when there is none or it is longer than the column holds."""
    if type(value) is int:
        return str(value) if value.bit_length() <= 64 else None
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and value == value.to_integral_value()
        and 0 <= value.adjusted() < MAX_INT_DIGITS
    ):
        return str(int(value))
    if isinstance(value, str) and len(value) <= limit * 2:
        out = clean(value, limit * 2)
        return out if 0 < len(out) <= limit else None
    return None
