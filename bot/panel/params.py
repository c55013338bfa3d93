"""`add` parameters per service type: which fields each type takes, validation, form fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .errors import InvalidOrderParams
from .models import Service, ServiceType
from .profile import PanelProfile
from .service_types import COUNTED_LIST, FIELDS, LIST_FIELDS, is_orderable

T = ServiceType

SUBSCRIPTION_DELAYS: tuple[int, ...] = (0, 5, 10, 15, 30, 60, 90)
_TEXT_FIELDS = frozenset({"link", "hashtag", "username", "media"})
_MAX_TEXT = 2048


def required_fields(service_type: ServiceType) -> tuple[str, ...]:
    """Fields the order wizard must ask for; empty for a type that cannot be ordered."""
    fields = FIELDS.get(service_type)
    return fields.required if fields is not None else ()


def optional_fields(service_type: ServiceType) -> tuple[str, ...]:
    fields = FIELDS.get(service_type)
    return fields.optional if fields is not None else ()


def needs_quantity(service_type: ServiceType) -> bool:
    return "quantity" in required_fields(service_type)


@dataclass(slots=True)
class OrderRequest:
    service_id: str
    service_type: ServiceType
    link: str | None = None
    quantity: int | None = None
    runs: int | None = None
    interval: int | None = None  # minutes
    comments: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    hashtag: str | None = None
    username: str | None = None
    media: str | None = None
    answer_number: int | None = None
    min: int | None = None
    max: int | None = None
    posts: int | None = None
    old_posts: int | None = None
    delay: int | None = None
    expiry: date | None = None

    def billed_quantity(self) -> int | None:
        """Units the panel charges for (rate is per 1000), or None when not per-unit."""
        t = self.service_type
        if t is T.DEFAULT and self.quantity is not None:
            return self.quantity * (self.runs or 1)  # drip-feed charges quantity × runs
        if self.quantity is not None:
            return self.quantity
        counted = COUNTED_LIST.get(t)  # one unit per entry of the list
        return len(getattr(self, counted)) if counted is not None else None

    def validate(self, service: Service | None = None, profile: PanelProfile | None = None) -> None:
        """Raise InvalidOrderParams for anything the panel would refuse or bill differently.
        `profile`: the panel's dialect (None = the documented API)."""
        if not is_orderable(self.service_type):
            raise InvalidOrderParams("service_type", "not_orderable")
        if service is not None:
            if service.service_id != str(self.service_id):
                raise InvalidOrderParams("service_id", "mismatch")
            if service.type is not self.service_type:
                raise InvalidOrderParams("service_type", "mismatch")
        if not str(self.service_id).strip():
            raise InvalidOrderParams("service_id", "required")
        fields = FIELDS[self.service_type]
        required, optional = fields.required, fields.optional
        allowed = set(required) | set(optional)
        for name in _ALL_FIELDS:
            present = _present(getattr(self, name))
            if name in required and not present:
                raise InvalidOrderParams(name, "required")
            if name not in allowed and present:
                raise InvalidOrderParams(name, "not_allowed")
        for name in allowed & _TEXT_FIELDS:
            _check_text(name, getattr(self, name))
        for name in allowed & LIST_FIELDS:
            for item in getattr(self, name):
                _check_text(name, item)
        self._check_numbers(service)
        if profile is not None:
            self._check_profile(profile)

    def _check_profile(self, profile: PanelProfile) -> None:
        """What this panel's dialect adds: an entry containing its list separator would be
        split (and billed) as several; a drip-feed interval it does not take."""
        separator = profile.comment_separator
        for name in LIST_FIELDS:
            if any(separator in item for item in getattr(self, name)):
                raise InvalidOrderParams(name, "separator", repr(separator))
        allowed = profile.dripfeed_intervals
        if self.interval is not None and allowed is not None and self.interval not in allowed:
            raise InvalidOrderParams("interval", "not_accepted", ", ".join(map(str, allowed)))

    def _check_numbers(self, service: Service | None) -> None:
        lo, hi = (service.min, service.max) if service is not None else (1, None)
        if self.quantity is not None and needs_quantity(self.service_type):
            _check_range("quantity", self.quantity, lo, hi)
        if self.service_type in (T.CUSTOM_COMMENTS, T.MENTIONS_CUSTOM_LIST):
            count = self.billed_quantity() or 0
            name = "comments" if self.service_type is T.CUSTOM_COMMENTS else "usernames"
            _check_range(name, count, lo, hi)
        if (self.runs is None) != (self.interval is None):
            raise InvalidOrderParams("interval" if self.interval is None else "runs", "required")
        if self.runs is not None:
            if service is not None and not service.dripfeed:
                raise InvalidOrderParams("runs", "not_supported")
            _check_range("runs", self.runs, 2, 10_000)
            _check_range("interval", self.interval, 1, 60 * 24 * 365)
        if self.answer_number is not None:
            _check_range("answer_number", self.answer_number, 1, None)
        if self.service_type is T.SUBSCRIPTIONS:
            self._check_subscription(lo, hi)

    def _check_subscription(self, lo: int, hi: int | None) -> None:
        _check_range("min", self.min, lo, hi)
        _check_range("max", self.max, lo, hi)
        if self.max < self.min:  # type: ignore[operator]
            raise InvalidOrderParams("max", "less_than_min")
        if self.delay not in SUBSCRIPTION_DELAYS:
            raise InvalidOrderParams("delay", "bad_delay")
        for name in ("posts", "old_posts"):
            value = getattr(self, name)
            if value is not None:
                _check_range(name, value, 1 if name == "posts" else 0, None)
        if self.expiry is not None and not isinstance(self.expiry, date):
            raise InvalidOrderParams("expiry", "bad_format")

    def to_form(
        self, service: Service | None = None, profile: PanelProfile | None = None
    ) -> dict[str, str]:
        """Validate, then return exactly the form fields the panel expects (no key/action).

        Only the fields the service type documents are sent: some panels silently drop a field
        they do not support rather than refuse it, so an extra field could never be relied on.
        `profile` (None = the documented API) adapts the form to the panel's dialect:
        `quantity=1` for packages, `dripfeed=1` with runs/interval, the list separator, the
        media field's name."""
        profile = profile or PanelProfile()
        self.validate(service, profile)
        form = {"service": str(self.service_id).strip()}
        fields = FIELDS[self.service_type]
        for name in fields.required + fields.optional:
            value = getattr(self, name)
            if not _present(value):
                continue
            key = profile.media_field if name == "media" else name
            if name in LIST_FIELDS:
                form[key] = profile.comment_separator.join(v.strip() for v in value)
            elif name == "expiry":
                form[key] = value.strftime("%d/%m/%Y")
            else:
                form[key] = str(value).strip()
        if self.service_type is T.PACKAGE and profile.package_quantity:
            form["quantity"] = "1"  # one package: what the customer is charged for
        if "runs" in form and profile.dripfeed_flag:
            form["dripfeed"] = "1"  # some panels ignore runs/interval without it
        return form


_ALL_FIELDS: tuple[str, ...] = (
    "link",
    "quantity",
    "runs",
    "interval",
    "comments",
    "usernames",
    "hashtags",
    "keywords",
    "groups",
    "hashtag",
    "username",
    "media",
    "answer_number",
    "min",
    "max",
    "posts",
    "old_posts",
    "delay",
    "expiry",
)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, tuple)):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


def _check_text(name: str, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidOrderParams(name, "empty")
    # One line per entry: a newline inside an entry would split it into two on the panel.
    if len(value) > _MAX_TEXT or any(c in value for c in "\r\n\x00"):
        raise InvalidOrderParams(name, "bad_format")
    if name == "link" and any(c.isspace() for c in value.strip()):
        raise InvalidOrderParams(name, "bad_format")


def _check_range(name: str, value: int | None, lo: int, hi: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOrderParams(name, "not_integer")
    if value < lo or (hi is not None and value > hi):
        raise InvalidOrderParams(name, "out_of_range", f"{lo}..{hi if hi is not None else ''}")
