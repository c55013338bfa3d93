"""Request parameter decoding and Bot API error type for the fake Bot API server.

aiogram sends scalars as plain strings (``chat_id=1001``, ``show_alert=true``) and complex
values (``reply_markup``, ``entities``, ``scope`` ...) as JSON strings, either as urlencoded
form data or multipart (when a file is attached). Other clients may send a JSON body.
:class:`Params` hides those differences.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """Raised by method handlers; rendered as ``{"ok": false, ...}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Params:
    """Raw request parameters (strings, or already-typed values for JSON bodies)."""

    raw: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def has(self, key: str) -> bool:
        return key in self.raw

    def get_str(self, key: str, default: str | None = None) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, key: str) -> str:
        value = self.get_str(key)
        if value is None:
            raise bad_request(f'parameter "{key}" is required')
        return value

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def require_int(self, key: str) -> int:
        value = self.get_int(key)
        if value is None:
            raise bad_request(f'parameter "{key}" is required')
        return value

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes"}

    def get_json(self, key: str, default: Any = None) -> Any:
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {key} JSON object") from None

    def chat_id(self, key: str = "chat_id") -> int | str | None:
        """``chat_id`` is an integer or an ``@username`` string."""
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None

    def decoded(self) -> dict[str, Any]:
        """All parameters with JSON-looking strings decoded (for logs and assertions)."""
        out: dict[str, Any] = {}
        for key, value in self.raw.items():
            out[key] = _maybe_json(value)
        return out


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "[{" or value in {"true", "false", "null"}:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return value


def params_from_mapping(data: Mapping[str, Any]) -> Params:
    return Params(raw=dict(data))
