"""The order wizard's domain side: which steps each service type asks, parsing what the customer
types at each step, and the read models the shop front renders (listing prices, the summary).

A wizard in progress is a `WizardState` (the service spec, the current step, the drip-feed choice
and the collected fields, keyed by `OrderRequest` field names). The FSM stores it as plain JSON
(`to_json`/`from_json`, read and written in one place: handlers/wizard_view.py); the keys of that
JSON never change, so a wizard in flight across a deploy keeps working.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from bot.money import ZERO
from bot.panel import SUBSCRIPTION_DELAYS, OrderRequest, PanelRegistry, ServiceType
from bot.panel.profile import PanelProfile
from bot.panel.service_types import COUNTED_LIST, FIELDS, LIST_FIELDS, PER_PACKAGE
from bot.shop import catalog, ledger, ordering
from bot.shop.catalog_entries import CategoryEntry, ServiceEntry
from bot.shop.catalog_view import CatalogView
from bot.shop.digits import BIDI_MARKS, is_long_whole_number, normalize_digits, parse_int
from bot.shop.pricing import PriceRules, price_per_1000
from storage.models import Service

T = ServiceType
DRIP = "drip"  # the yes/no question; not a request field
LIST_STEPS = LIST_FIELDS
SKIPPABLE = frozenset({"expiry"})

MAX_LINES = 10_000
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#].*)?$")
_NAME = re.compile(r"^[\w.\-]{1,64}$")
_MARKUP_CHARS = frozenset('<>"')


class StepInputError(ValueError):
    """What the customer typed does not fit the step; `code` is a locale key suffix."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


@dataclass(frozen=True, slots=True)
class WizardSpec:
    """What the wizard needs to know about the chosen service (plain values, FSM-safe)."""

    service_id: int
    panel_service_id: str
    type: str
    min: int
    max: int
    dripfeed: bool
    # From the panel's dialect profile when the wizard began: how it splits list entries and
    # which drip-feed intervals (minutes) it accepts (None = any).
    separator: str = "\n"
    intervals: tuple[int, ...] | None = None

    @property
    def service_type(self) -> ServiceType:
        return ServiceType.parse(self.type)

    @property
    def profile(self) -> PanelProfile:
        """The part of the panel's profile the wizard checks answers against."""
        return PanelProfile().merged(
            {
                "comment_separator": self.separator,
                "dripfeed_intervals": list(self.intervals or []) or None,
            }
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["intervals"] = list(self.intervals) if self.intervals is not None else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WizardSpec:
        # A wizard saved before the profile fields existed reads as the documented defaults.
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if values.get("intervals") is not None:
            values["intervals"] = tuple(values["intervals"])
        return cls(**values)

    @classmethod
    def of(cls, service: Service | ServiceEntry, profile: PanelProfile | None = None) -> WizardSpec:
        profile = profile or PanelProfile()
        return cls(
            service.id,
            service.panel_service_id,
            service.type,
            service.min_quantity,
            service.max_quantity,
            service.dripfeed,
            profile.comment_separator,
            profile.dripfeed_intervals,
        )


def panel_profile(panels: PanelRegistry, panel_name: str | None) -> PanelProfile:
    """The current dialect profile of the panel a service is sold from (documented defaults
    when the panel is no longer configured)."""
    if panel_name is None or panel_name not in panels:
        return PanelProfile()
    return getattr(panels.get(panel_name), "profile", None) or PanelProfile()


def is_orderable(service: Service | ServiceEntry) -> bool:
    return catalog.to_panel_service(service).orderable


def steps(spec: WizardSpec, drip: bool = False) -> tuple[str, ...]:
    """The steps for this service; drip-feed adds a yes/no question, and runs/interval on yes."""
    fields = FIELDS.get(spec.service_type)
    base = fields.steps if fields is not None else ()
    if spec.service_type is T.DEFAULT and spec.dripfeed:
        return base + ((DRIP, "runs", "interval") if drip else (DRIP,))
    return base


def next_step(spec: WizardSpec, current: str | None, drip: bool = False) -> str | None:
    """The step after `current` (the first when None); None when the summary is next."""
    sequence = steps(spec, drip)
    index = 0 if current is None else sequence.index(current) + 1
    return sequence[index] if index < len(sequence) else None


def previous_step(spec: WizardSpec, current: str | None, drip: bool = False) -> str | None:
    """The step before `current` (the last when current is None = the summary); None = leave."""
    sequence = steps(spec, drip)
    index = len(sequence) - 1 if current is None else sequence.index(current) - 1
    return sequence[index] if index >= 0 else None


# -- the step definitions -----------------------------------------------------------------------

Bounds = Callable[[WizardSpec, Mapping[str, Any]], tuple[int, int]]


def _fixed(lo: int, hi: int) -> Bounds:
    return lambda spec, fields: (lo, hi)


def _quantity(spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
    return spec.min, spec.max


def _max_after_min(spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
    return max(spec.min, int(fields.get("min") or spec.min)), spec.max


def _lines(step: str) -> Bounds:
    """A list counted as the billed quantity takes the service's bounds; others up to MAX_LINES."""

    def bounds(spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
        counted = COUNTED_LIST.get(spec.service_type) == step
        return (spec.min, spec.max) if counted else (1, MAX_LINES)

    return bounds


_ANSWER_BOUNDS = _fixed(1, 1_000)


@dataclass(frozen=True, slots=True)
class Step:
    """One wizard step: what kind of answer it takes and, for numbers and lists, its bounds."""

    kind: str  # link, number, list, name, choice
    bounds: Bounds | None = None


# The one table of steps: parsing, prompts and "order again" read their bounds from here.
STEPS: dict[str, Step] = {
    "link": Step("link"),
    "media": Step("link"),
    "quantity": Step("number", _quantity),
    "min": Step("number", _quantity),
    "max": Step("number", _max_after_min),
    "runs": Step("number", _fixed(2, 10_000)),
    "interval": Step("number", _fixed(1, 60 * 24 * 365)),
    "posts": Step("number", _fixed(1, 100_000)),
    "answer_number": Step("number", _ANSWER_BOUNDS),
    "username": Step("name"),
    "hashtag": Step("name"),
    DRIP: Step("choice"),
    "delay": Step("choice"),
    "expiry": Step("choice"),
    **{name: Step("list", _lines(name)) for name in sorted(LIST_FIELDS)},
}


# -- the wizard in progress ----------------------------------------------------------------------

SUMMARY = "summary"  # the step value once every answer is in


def new_token() -> str:
    """A fresh token per wizard: Confirm's idempotency key, and what its buttons carry."""
    return secrets.token_hex(6)


@dataclass(slots=True)
class WizardState:
    """A wizard in progress. `token` is fresh per wizard: Confirm's idempotency key.
    `price`: the summary's price the customer was shown (checked at Confirm), as a string."""

    token: str
    spec: WizardSpec
    name: str
    step: str | None
    drip: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    price: str | None = None

    @property
    def at_summary(self) -> bool:
        return self.step == SUMMARY

    def to_json(self) -> dict[str, Any]:
        """The FSM record; the one-letter keys are those of wizards saved before this class."""
        data: dict[str, Any] = {
            "t": self.token,
            "spec": self.spec.to_json(),
            "name": self.name,
            "step": self.step,
            "drip": self.drip,
            "f": dict(self.fields),
        }
        if self.price is not None:
            data["price"] = self.price
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WizardState | None:
        """None for a record that is not a wizard (or is damaged): the caller says "stale"."""
        try:
            fields = data.get("f") or {}
            step = data.get("step")
            price = data.get("price")
            if not isinstance(fields, dict) or not isinstance(data["spec"], Mapping):
                return None
            return cls(
                token=str(data["t"]),
                spec=WizardSpec.from_json(data["spec"]),
                name=str(data.get("name") or ""),
                step=str(step) if step is not None else None,
                drip=bool(data.get("drip")),
                fields=dict(fields),
                price=str(price) if price else None,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def request(self) -> OrderRequest:
        return build_request(self.spec, self.fields, self.drip)

    def steps(self) -> tuple[str, ...]:
        return steps(self.spec, self.drip)

    def next_step(self) -> str | None:
        return next_step(self.spec, self.step, self.drip)

    def previous_step(self) -> str | None:
        return previous_step(self.spec, None if self.at_summary else self.step, self.drip)

    def parse(self, text: str) -> Any:
        """The value for the current step, or StepInputError."""
        return parse(str(self.step), text, self.spec, self.fields)


# -- parsing what the customer typed ------------------------------------------------------------


def parse(
    step: str, text: str, spec: WizardSpec, fields: Mapping[str, Any], today: date | None = None
) -> Any:
    """The JSON value to store for `step`, or StepInputError."""
    text = text.strip()
    if not text:
        raise StepInputError("empty")
    if step in ("link", "media"):
        return parse_link(text)
    if step in LIST_STEPS:
        return _parse_list(step, text, spec)
    if step == "username":
        return _parse_name(text, strip="@")  # panels take the bare name
    if step == "hashtag":
        _parse_name(text.removeprefix("#"))  # validated without '#', kept as typed
        return text
    if step == "delay":
        return _parse_delay(text)
    if step == "expiry":
        return parse_expiry(text, today or datetime.now(UTC).date()).isoformat()
    return _parse_number(step, text, spec, fields)


def parse_link(text: str) -> str:
    """An http(s) URL; 'instagram.com/x' gets https:// (what customers usually paste)."""
    value = BIDI_MARKS.sub("", text).strip()  # marks an Arabic keyboard may add around a paste
    if "://" not in value and _HOST.match(value):
        value = "https://" + value
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or "." not in (parts.hostname or "")
        or any(c.isspace() for c in value)
        or len(value) > 2048
    ):
        raise StepInputError("bad-link")
    # A real address has these percent-encoded; raw, they are pasted markup, which a panel
    # would store or echo as is. Refused with its own words so the customer knows what to fix.
    if any(c in _MARKUP_CHARS for c in value):
        raise StepInputError("link-chars")
    return value


def _parse_name(text: str, strip: str = "") -> str:
    value = text.removeprefix(strip) if strip else text
    if not _NAME.match(value):
        raise StepInputError("bad-name")
    return value


def _parse_list(step: str, text: str, spec: WizardSpec) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if step == "usernames":
        lines = [_parse_name(line, strip="@") for line in lines]
    # The panel splits the list on its separator: an entry containing it would be delivered
    # and billed as several. Refused rather than changed, so the customer decides.
    if spec.separator != "\n" and any(spec.separator in line for line in lines):
        raise StepInputError("separator")
    lo, hi = step_bounds(step, spec, {})
    if not lo <= len(lines) <= hi:
        raise StepInputError("lines", count=len(lines), min=lo, max=hi)
    return lines


def _parse_delay(text: str) -> int:
    value = parse_int(text)
    if value is None or value not in SUBSCRIPTION_DELAYS:
        raise StepInputError("bad-delay", allowed=", ".join(map(str, SUBSCRIPTION_DELAYS)))
    return value


def parse_expiry(text: str, today: date) -> date:
    """DD/MM/YYYY (as panels take it) or YYYY-MM-DD, Arabic digits allowed; after today."""
    cleaned = normalize_digits(text).replace(".", "/").replace("-", "/")
    for pattern in ("%d/%m/%Y", "%Y/%m/%d"):
        try:
            value = datetime.strptime(cleaned, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise StepInputError("bad-date")
    if value <= today:
        raise StepInputError("past-date")
    return value


def number_bounds(step: str, spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
    """Inclusive bounds of a numeric step (also shown in its prompt), from its STEPS entry."""
    definition = STEPS.get(step)
    if definition is None or definition.bounds is None:
        return _ANSWER_BOUNDS(spec, fields)
    return definition.bounds(spec, fields)


def _parse_number(step: str, text: str, spec: WizardSpec, fields: Mapping[str, Any]) -> int:
    value = parse_int(text)
    if value is None and is_long_whole_number(text):  # a whole number, only far too large
        lo, hi = number_bounds(step, spec, fields)
        raise StepInputError("out-of-range", min=lo, max=hi)
    if value is None:
        raise StepInputError("not-number")
    if step == "interval" and spec.intervals is not None and value not in spec.intervals:
        raise StepInputError("bad-interval", allowed=", ".join(map(str, spec.intervals)))
    lo, hi = number_bounds(step, spec, fields)
    if not lo <= value <= hi:
        raise StepInputError("out-of-range", min=lo, max=hi)
    return value


# -- from collected fields to an order request --------------------------------------------------


def request_fields(spec: WizardSpec, fields: Mapping[str, Any], drip: bool) -> dict[str, Any]:
    """Only the fields of the current step sequence (a step left by Back may hold a stale value)."""
    wanted = [s for s in steps(spec, drip) if s != DRIP]
    return {name: fields[name] for name in wanted if fields.get(name) is not None}


def build_request(spec: WizardSpec, fields: Mapping[str, Any], drip: bool) -> OrderRequest:
    return ordering.request_from_params(
        spec.panel_service_id, spec.service_type, request_fields(spec, fields, drip)
    )


# -- read models for the shop front ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    service: Service | ServiceEntry
    price: Decimal  # per 1000 units, or per package
    per_package: bool
    orderable: bool


def listing(
    view: CatalogView, rules: PriceRules, services: Iterable[Service | ServiceEntry]
) -> list[Listed]:
    """Shop prices for a page of services, from the catalog in memory."""
    rules = view.rules(rules)  # the admin's global markup
    return [
        Listed(
            service=s,
            price=price_per_1000(
                rules, s.rate, rules.markup(s.markup_percent, view.category_markup(s))
            ),
            per_package=ServiceType.parse(s.type) in PER_PACKAGE,
            orderable=is_orderable(s),
        )
        for s in services
    ]


@dataclass(frozen=True, slots=True)
class Summary:
    service: Service | ServiceEntry
    price: Decimal
    balance: Decimal
    balance_after: Decimal
    missing: Decimal
    units: int | None  # billed units (quantity × runs for drip-feed); None for packages

    @property
    def affordable(self) -> bool:
        return self.missing == ZERO


async def summarize(
    session: AsyncSession,
    view: CatalogView,
    rules: PriceRules,
    user_id: int,
    spec: WizardSpec,
    request: OrderRequest,
) -> Summary:
    """Price the request against the service as customers see it and the customer's balance.

    Raises ordering.ServiceUnavailable or InvalidOrderParams like ordering.price."""
    priced = ordering.price_in_view(view, rules, spec.service_id, request, spec.profile)
    balance = await ledger.balance_of(session, user_id)
    missing = ordering.missing_amount(balance, priced.quote.price)
    return Summary(
        priced.service,
        priced.quote.price,
        balance,
        balance - priced.quote.price if missing == ZERO else balance,
        missing,
        priced.quote.units,
    )


def step_bounds(step: str, spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
    """Bounds shown in a step's prompt: a number's range, or how many lines a list takes."""
    return number_bounds(step, spec, fields)


def prompt_bounds(step: str, spec: WizardSpec, fields: Mapping[str, Any]) -> tuple[int, int]:
    """What a step's prompt shows as its range: (0, 0) for a step without bounds."""
    definition = STEPS.get(step)
    if definition is None or definition.bounds is None:
        return 0, 0
    return definition.bounds(spec, fields)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated list; `page` is clamped into 0..pages-1."""

    total: int
    page: int
    pages: int
    offset: int
    size: int


def paginate(total: int, page: int, size: int) -> Page:
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    return Page(total, page, pages, page * size, size)


def categories_page(view: CatalogView, page: int, size: int) -> tuple[Page, list[CategoryEntry]]:
    paged = paginate(len(view.categories), page, size)
    return paged, list(view.categories[paged.offset : paged.offset + size])


def services_page(
    view: CatalogView, rules: PriceRules, category_id: int, page: int, size: int
) -> tuple[CategoryEntry | None, Page, list[Listed]]:
    category = view.category_by_id.get(category_id)
    services = view.by_category.get(category_id, ())
    paged = paginate(len(services), page, size)
    rows = services[paged.offset : paged.offset + size]
    return category, paged, listing(view, rules, rows)


def service_card(
    view: CatalogView, rules: PriceRules, service_id: int
) -> tuple[Listed, CategoryEntry | None] | None:
    """A sellable service with its price and category; None when it cannot be sold now."""
    service = view.services.get(service_id)
    if service is None:
        return None
    [listed] = listing(view, rules, [service])
    return listed, view.category_by_id.get(service.category_id)


def search(view: CatalogView, rules: PriceRules, text: str, limit: int) -> list[Listed]:
    return listing(view, rules, view.search(text, limit))
