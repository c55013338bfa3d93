"""Numbers typed by customers: Western, Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)
# Thousands separators seen in the wild: comma, Arabic thousands separator, Arabic comma,
# apostrophe, spaces (incl. NBSP and narrow NBSP), underscore.
_GROUPING = re.compile(r"[,\u066C\u060C'\s\u00A0\u202F_]")
_DECIMAL_MARKS = str.maketrans({"\u066b": "."})  # Arabic decimal separator
# Direction marks an Arabic keyboard may add around digits or a pasted link.
BIDI_MARKS = re.compile(r"[\u200E\u200F\u061C\u2066-\u2069\u202A-\u202E]")


def normalize_digits(text: str) -> str:
    return BIDI_MARKS.sub("", text).translate(_DIGITS).translate(_DECIMAL_MARKS).strip()


def _ungroup(integer_part: str) -> str | None:
    """Drop thousands separators, but only where they really group by three ('1,5' is no 15)."""
    groups = _GROUPING.split(integer_part)
    if len(groups) == 1:
        return integer_part
    sign = groups[0][:1] if groups[0][:1] in "+-" else ""
    head = groups[0].removeprefix(sign)
    if not (1 <= len(head) <= 3 and all(len(group) == 3 for group in groups[1:])):
        return None
    return sign + "".join([head, *groups[1:]])


def parse_int(text: str) -> int | None:
    """'١٬٠٠٠' → 1000, '1,000' → 1000, ' 50 ' → 50; None for anything that is not a whole number."""
    cleaned = _ungroup(normalize_digits(text))
    if not cleaned or not re.fullmatch(r"[+-]?\d{1,15}", cleaned):
        return None
    return int(cleaned)


def is_long_whole_number(text: str) -> bool:
    """A whole number with more digits than parse_int takes: too large, not malformed."""
    cleaned = _ungroup(normalize_digits(text))
    return bool(cleaned) and re.fullmatch(r"[+-]?\d{16,}", cleaned or "") is not None


def parse_decimal(text: str) -> Decimal | None:
    """A non-scientific decimal with '.' or '٫' as the decimal mark and optional grouping."""
    integer_part, dot, fraction = normalize_digits(text).partition(".")
    grouped = _ungroup(integer_part)
    if grouped is None:
        return None
    cleaned = grouped + dot + fraction
    if not re.fullmatch(r"[+-]?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None
