"""A panel's dialect profile: how this panel differs from the documented API.

Panels run many independent implementations of the "SMM panel API v2" (and v1). The profile
records, per panel, the request forms and meanings it was found (or configured) to use. It is
learned and stored in panels.profile, and a shop owner may pin any field in the `PANELS` JSON
(`"profile": {...}`), which always wins over what was learned.

Learning rules: a read (status, refill_status, services, balance) may be retried in another
form at once; a write (add, refill, cancel) is never sent twice — its form is chosen before
sending, from the profile or the documented default, and only a definite "wrong parameter"
answer (the panel did nothing) may switch the profile for the next write.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

# How several orders' statuses are asked: documented `action=status&orders=1,2` ("orders"),
# `action=multistatus&orders=…` ("multistatus"), `action=orders&orders=…` ("orders_action"), or
# one `action=status&order=N` request per order ("single").
MultiStatusForm = Literal["orders", "multistatus", "orders_action", "single"]
# Several refills / refill statuses in one request (documented) or one request per ID.
MultiForm = Literal["multi", "single"]
# The parameter a single refill request names the order with.
RefillParam = Literal["order", "refill", "refills"]
CommentSeparator = Literal["\n", ","]


@dataclass(frozen=True, slots=True)
class PanelProfile:
    multi_status: MultiStatusForm = "orders"
    multi_refill: MultiForm = "multi"
    multi_refill_status: MultiForm = "multi"
    refill_param: RefillParam = "order"
    # v1 panels: newer scripts serve refill and refill_status; None = not known yet (tried).
    v1_refill: bool | None = None
    # Send `dripfeed=1` with runs/interval (some panels ignore runs without it).
    dripfeed_flag: bool = False
    # Drip-feed intervals (minutes) the panel accepts; None = any.
    dripfeed_intervals: tuple[int, ...] | None = None
    # Send `quantity=1` for Package services (some panels require a quantity).
    package_quantity: bool = False
    # How the panel splits comments/usernames lists; an entry containing it is refused.
    comment_separator: CommentSeparator = "\n"
    # The name of the media field (`media` documented; some panels read `media_url`).
    media_field: str = "media"

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if self.dripfeed_intervals is not None:
            data["dripfeed_intervals"] = list(self.dripfeed_intervals)
        return data

    @classmethod
    def from_json(cls, data: object) -> PanelProfile:
        """Tolerant: unknown keys and values of the wrong type are ignored (a stored profile
        from another version, or a hand-edited one, never stops the shop)."""
        return cls().merged(data)

    def merged(self, overrides: object) -> PanelProfile:
        """This profile with the valid fields of `overrides` (a mapping) applied."""
        if not isinstance(overrides, dict):
            return self
        changes: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            if item.name in overrides:
                value = _valid(item.name, overrides[item.name])
                if value is not _INVALID:
                    changes[item.name] = value
        return dataclasses.replace(self, **changes) if changes else self


_INVALID = object()
_CHOICES: dict[str, tuple[Any, ...]] = {
    "multi_status": ("orders", "multistatus", "orders_action", "single"),
    "multi_refill": ("multi", "single"),
    "multi_refill_status": ("multi", "single"),
    "refill_param": ("order", "refill", "refills"),
    "comment_separator": ("\n", ","),
}


def _valid(name: str, value: Any) -> Any:
    if name in _CHOICES:
        return value if value in _CHOICES[name] else _INVALID
    if name == "v1_refill":
        return value if value is None or isinstance(value, bool) else _INVALID
    if name in ("dripfeed_flag", "package_quantity"):
        return value if isinstance(value, bool) else _INVALID
    if name == "dripfeed_intervals":
        if value is None:
            return None
        if (
            isinstance(value, list)
            and value
            and len(value) <= 100
            and all(type(v) is int and 0 < v <= 525_600 for v in value)
        ):
            return tuple(sorted(set(value)))
        return _INVALID
    if name == "media_field":
        ok = (
            isinstance(value, str)
            and 0 < len(value) <= 32
            and value.isascii()
            and value.replace("_", "").isalnum()
        )
        return value if ok else _INVALID
    return _INVALID
