"""Strict JSON first; a small, safe fallback for the sloppy JSON some panels (and docs) emit.

The fallback accepts what smmpans.com's own services example shows: missing commas between
members or elements, bare words as values (`"type": default`) and trailing commas. It never
evaluates anything, bounds nesting depth and input size, and reuses json's string scanner.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from json.decoder import scanstring
from typing import Any

MAX_DEPTH = 32
MAX_FALLBACK_CHARS = 20_000_000

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\r\n]*")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def loads(text: str) -> Any:
    """Parse panel output; floats become Decimal so charges keep every digit."""
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        if len(text) > MAX_FALLBACK_CHARS:
            raise
        return loads_tolerant(text)


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
        raise ValueError(f"tolerant json: {what} at {self.pos}")

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
        while end < len(self.text) and self.text[end] not in ",:{}[]\r\n\"":
            end += 1
        word = self.text[self.pos:end].strip()
        if not word:
            self.fail("empty value")
        self.pos = end
        if word in _LITERALS:
            return _LITERALS[word]
        if _NUMBER.fullmatch(word):
            return Decimal(word) if any(c in word for c in ".eE") else int(word)
        return word

    def key(self) -> str:
        self.skip_ws()
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
