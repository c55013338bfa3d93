"""Strict JSON first; a bounded, fast repair for the sloppy JSON some panels (and docs) emit.

What smmpans.com's own services example shows: missing commas between members or elements
(one member per line), bare words as values (`"type": default`) and trailing commas.

1. Strict `json.loads`, floats as Decimal so charges keep every digit. Number literals too
   long to convert safely (an integer of 20+ digits, an exponent Decimal cannot hold) become
   a RefusedNumber (bounded.json_int/json_float) that the field readers reject: one row or ID
   is lost, not the answer, and no `int()` of a huge number ever runs. Nesting deeper than
   the interpreter's recursion limit is a JSONError, never a RecursionError. Above
   MAX_SLOW_CHARS, a body made of tiny values (a megabyte of `[[[[` or `1,1,1`) is refused
   first, by counting brackets and commas in C (_check_density).
2. A line-wise repair pass, then strict again. It only acts next to line breaks, and a strict
   JSON string cannot hold a raw line break, so it never changes the inside of a string: a
   bare word ending a line after a colon is quoted, a line break between the end of one value
   and the start of the next gets its comma, and a comma before a line break and a closing
   bracket is dropped. Linear and mostly in C; it runs only when lines average at least
   MIN_REPAIR_LINE characters (a catalog's do: ~22), so a body of a million short lines cannot
   make it expensive.
3. The character-by-character parser below, for what is left (bare keys, several members on a
   line), only for bodies up to MAX_SLOW_CHARS, so its cost stays bounded too.

Every failure is a JSONError (a ValueError). It never evaluates anything.
"""

from __future__ import annotations

import json
import re
from decimal import InvalidOperation
from json.decoder import scanstring  # type: ignore[attr-defined]  # exported, absent from typeshed
from typing import Any

from .bounded import json_constant, json_decimal, json_float, json_int

MAX_DEPTH = 32
# The slow parser's cost grows with its input: this cap keeps one call to a few milliseconds
# (figures in the README's "Performance" and bench/bench_panel_parse.py, where they are kept
# current).
MAX_SLOW_CHARS = 64_000

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\r\n]*")
_STARTS_LIKE_JSON = re.compile(r"[ \t\r\n]*[\[{]")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
MIN_REPAIR_LINE = 16
# Above MAX_SLOW_CHARS, a body needs at least this many characters per bracket / per comma.
MIN_CHARS_PER_CONTAINER = 16
MIN_CHARS_PER_VALUE = 12
# Integers always go through the bounded hook: CPython's str-to-int is quadratic (230
# integers of 4,299 digits cost more than a whole catalog), the hook refuses any over 20
# digits at once. Floats take Decimal (linear; through a Python function, see json_decimal),
# and the refusing hook only when Decimal fails.
_FAST = json.JSONDecoder(parse_float=json_decimal, parse_int=json_int, parse_constant=json_constant)
_HOOKED = json.JSONDecoder(parse_float=json_float, parse_int=json_int, parse_constant=json_constant)

_BARE_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NOT_IN_BARE = frozenset('"{}[],:\\')
_NOT_BARE_END = '"]}[{:0123456789'
# The end of a value, a line break, the start of another value: the comma is missing. The
# pattern starts with a literal line break, so the engine jumps from line to line.
_MISSING_COMMA = re.compile(r'\n(?<=["\d\]}el]\n)(?=[ \t]*(?:["{\[\-\d]|true|false|null))')
_TRAILING_COMMA = re.compile(r",\n(?=[ \t]*[\]}])")


class JSONError(ValueError):
    """The body is not JSON we accept (malformed, too deep, or too sloppy and too long)."""


def strict(text: str) -> Any:
    """json.loads with bounded numbers (floats become Decimal so charges keep every digit)."""
    try:
        try:
            return _FAST.decode(text)
        except InvalidOperation:
            pass  # an exponent beyond Decimal's range: read again, refusing that literal
        return _HOOKED.decode(text)
    except RecursionError:
        pass  # raised outside the handler: no chained context
    raise JSONError("nesting too deep")


def loads(text: str) -> Any:
    """Parse panel output: strict, else repaired, else (small bodies) the tolerant parser."""
    if len(text) > MAX_SLOW_CHARS:
        _check_density(text)
    try:
        return strict(text)
    except JSONError:
        raise
    except ValueError:
        pass
    if not _STARTS_LIKE_JSON.match(text):
        raise JSONError("not JSON")  # an HTML page, plain text, bytes: nothing to repair
    repaired = repair(text) if text.count("\n") * MIN_REPAIR_LINE <= len(text) else text
    if repaired != text:
        try:
            return strict(repaired)
        except ValueError:
            pass
    if len(text) > MAX_SLOW_CHARS:
        raise JSONError("not JSON")
    try:
        return loads_tolerant(text)
    except JSONError:
        raise
    except ValueError:  # json's string scanner
        pass
    raise JSONError("not JSON")


def _check_density(text: str) -> None:
    """Refuse, at C speed, a large body made of tiny values: json's cost is per value (a
    megabyte of `[[[[` or `1,1,1` is half a million objects), a real answer's is per byte
    (a catalog row carries ~20 characters per comma and ~80 per bracket)."""
    containers = text.count("[") + text.count("{")
    if containers > len(text) // MIN_CHARS_PER_CONTAINER:
        raise JSONError("too many nested values")
    if text.count(",") > len(text) // MIN_CHARS_PER_VALUE:
        raise JSONError("too many values")


def repair(text: str) -> str:
    """The repair pass (see the module's docstring): linear, mostly in C."""
    lines = text.split("\n")
    if "\r" in text or " \n" in text or "\t\n" in text or text[-1:] in (" ", "\t"):
        lines = [line.rstrip(" \t\r") for line in lines]  # else no line ends in blanks
    lines = [line for line in lines if line]
    # A line ending in a bare word (after any commas): the one-character check first, as most
    # lines end in a quote, a digit or a bracket.
    for i in [
        i
        for i, line in enumerate(lines)
        if line[-1] not in _NOT_BARE_END
        and (line[-1] != "," or line.rstrip(",")[-1:] not in _NOT_BARE_END)
    ]:
        line = lines[i]
        comma = "," if line[-1] == "," else ""
        head, colon, word = line[: len(line) - len(comma)].rpartition(":")
        word = word.strip(" \t")
        if (
            colon
            and word
            and word not in _LITERALS
            and _NOT_IN_BARE.isdisjoint(word)
            and not _BARE_NUMBER.fullmatch(word)
        ):
            lines[i] = f'{head}: "{word}"{comma}'
    text = _MISSING_COMMA.sub(",\n", "\n".join(lines))
    return _TRAILING_COMMA.sub("\n", text)


def loads_tolerant(text: str) -> Any:
    parser = _Parser(text)
    parser.skip_ws()
    if parser.peek() not in ("{", "["):
        # Plain text or an HTML page is not an answer, however lenient we are.
        parser.fail("not an object or array")
    value = parser.value(0)
    parser.skip_ws()
    if parser.pos != len(text):
        parser.fail("trailing data")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> None:
        raise JSONError(f"tolerant json: {what} at {self.pos}")

    def skip_ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.fail("nesting too deep")
        self.skip_ws()
        ch = self.peek()
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.arr(depth)
        if ch == '"':
            s, self.pos = scanstring(self.text, self.pos + 1)
            return s
        if not ch:
            self.fail("unexpected end")
        return self.bare()

    def bare(self) -> Any:
        # A bare word runs to the next structural character or end of line.
        end = self.pos
        while end < len(self.text) and self.text[end] not in ',:{}[]\r\n"':
            end += 1
        word = self.text[self.pos : end].strip()
        if not word:
            self.fail("empty value")
        self.pos = end
        if word in _LITERALS:
            return _LITERALS[word]
        if _NUMBER.fullmatch(word):
            return json_float(word) if any(c in word for c in ".eE") else json_int(word)
        return word

    def key(self) -> str:
        self.skip_ws()
        s: str
        if self.peek() == '"':
            s, self.pos = scanstring(self.text, self.pos + 1)
        else:
            s = str(self.bare())
        self.skip_ws()
        if self.peek() != ":":
            self.fail("expected ':'")
        self.pos += 1
        return s

    def obj(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            self.skip_ws()
            if self.peek() == "}":
                self.pos += 1
                return out
            if self.peek() == ",":  # stray or trailing comma
                self.pos += 1
                continue
            k = self.key()
            out[k] = self.value(depth + 1)

    def arr(self, depth: int) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        while True:
            self.skip_ws()
            if self.peek() == "]":
                self.pos += 1
                return out
            if self.peek() == ",":
                self.pos += 1
                continue
            if not self.peek():
                self.fail("unterminated array")
            out.append(self.value(depth + 1))
