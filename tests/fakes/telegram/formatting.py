"""Turn ``parse_mode=HTML`` text into plain text + entities, like Telegram does.

Only the tag set Telegram supports is accepted; unbalanced or unsupported tags raise
``Bad Request: can't parse entities: ...``. MarkdownV2/Markdown are passed through unchanged.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from .params import ApiError, bad_request

_TAG_TO_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _EntityParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._utf16_pos = 0
        self.stack: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAG_TO_ENTITY:
            raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {self._pos()}')
        attributes = {key: value or "" for key, value in attrs}
        entity: dict[str, Any] = {"type": _TAG_TO_ENTITY[tag]}
        if tag == "a":
            entity["url"] = attributes.get("href", "")
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {self._pos()}')
        if tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        if tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = attributes.get("class", "").removeprefix("language-")
            if language:
                self.stack[-1][2]["language"] = language
            self.stack.append((tag, self._utf16_pos, {"type": "_inner_code"}))
            return
        self.stack.append((tag, self._utf16_pos, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise _parse_error(
                f'Can\'t find end tag corresponding to start tag "{tag}"'
                if not self.stack
                else f"Unmatched end tag at byte offset {self._pos()}, "
                f'expected "</{self.stack[-1][0]}>", found "</{tag}>"'
            )
        _, start, entity = self.stack.pop()
        if entity["type"] == "_inner_code":
            return
        length = self._utf16_pos - start
        if length > 0:
            self.entities.append({**entity, "offset": start, "length": length})

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self._utf16_pos += utf16_len(data)

    def _pos(self) -> int:
        return self.getpos()[1]

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.stack:
            tag = self.stack[-1][0]
            raise _parse_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.entities.sort(key=lambda item: (item["offset"], -item["length"]))
        return "".join(self.parts), self.entities


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _EntityParser()
    parser.feed(text)
    return parser.finish()


def render_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` as Telegram would store them."""
    if entities:
        return text, entities
    if parse_mode and parse_mode.lower() == "html":
        return parse_html(text)
    return text, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entity for a message starting with ``/command``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
