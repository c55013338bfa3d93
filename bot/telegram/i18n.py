"""Locales: Fluent files under locales/<lang>/, Arabic and English.

Bidirectional text is handled deliberately rather than by Fluent's blanket isolation (which
wraps every placeable in FSI…PDI, including words that need none): Arabic messages wrap
left-to-right fragments — links, @usernames, prices — in `LTR()` (order references in
`ORDER()`, which adds the '#'), which puts them
between LEFT-TO-RIGHT ISOLATE (U+2066) and POP DIRECTIONAL ISOLATE (U+2069). Inside an Arabic
sentence the fragment then keeps its own order and does not drag neighbouring punctuation or
numbers along. English messages need no isolation.
"""

from __future__ import annotations

import contextlib
import html
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiogram_i18n import I18nContext
from aiogram_i18n.cores import FluentRuntimeCore
from babel.numbers import get_currency_precision

from bot.cache import Cache
from storage.models import OrderState

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
LANGUAGES = ("en", "ar")
LRI, PDI = "\u2066", "\u2069"


def isolate_ltr(value: Any) -> str:
    return f"{LRI}{value}{PDI}"


def _fluent_ltr(value: Any, **_: Any) -> str:
    return isolate_ltr(_plain(value))


class HtmlSafeCore(FluentRuntimeCore):
    """Messages are sent as HTML: every string argument is escaped here, once, for all callers,
    so a service name or a customer's link can never break or inject markup. Arguments named
    `id` or `*_id` are identifiers, not quantities: they are never digit-grouped (#1234)."""

    # Rendered texts by (message, locale, arguments): menus, buttons and prompts repeat with
    # the same arguments all day, and Fluent resolving them again was ~3% of the bot's CPU.
    CACHE_SIZE = 20_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rendered: Cache[tuple[Any, ...], str] = Cache(self.CACHE_SIZE)

    def get(self, message_id: str, locale: str | None = None, /, **kwargs: Any) -> str:
        locale = self.get_locale(locale=locale)  # None means the current customer's
        # Only texts whose arguments are exactly str or int are kept: equal values of other
        # types can render differently (Decimal("1.0") == Decimal("1.00"), True == 1).
        cacheable = all(type(value) in _CACHEABLE for value in kwargs.values())
        key = (message_id, locale, *kwargs.items())
        if cacheable and (text := self._rendered.get(key)) is not None:
            return text
        text = super().get(message_id, locale, **{k: _safe(k, v) for k, v in kwargs.items()})
        if cacheable:
            self._rendered.put(key, text)
        return text


_CACHEABLE = frozenset({str, int})


def _safe(name: str, value: Any) -> Any:
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (name == "id" or name.endswith("_id"))
    ):
        return str(value)
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


def _fluent_order(value: Any, **_: Any) -> str:
    """An order reference, '#123', kept left-to-right as one unit inside Arabic text."""
    return isolate_ltr(order_number(_plain(value)))


def _plain(value: Any) -> str:
    # Fluent hands numbers over as FluentNumber; format them without locale grouping.
    return str(value) if isinstance(value, str) else str(getattr(value, "value", value))


def make_core(default_language: str = "en") -> FluentRuntimeCore:
    return HtmlSafeCore(
        path=LOCALES_DIR / "{locale}",
        default_locale=default_language,
        use_isolating=False,
        functions={"LTR": _fluent_ltr, "ORDER": _fluent_order},
        raise_key_error=True,
    )


def guess_language(language_code: str | None, default: str) -> str:
    """Telegram's language_code: 'ar', 'ar-EG' → Arabic; anything else → the shop default."""
    if language_code and language_code.lower().split("-")[0] == "ar":
        return "ar"
    return default


def format_panel_money(amount: Decimal, currency: str | None, unknown: str) -> str:
    """A panel's amount (cost, rate, balance) for admins: the panel's own currency named (it may
    differ from the shop's), `unknown` when the panel never reported it. Fixed decimals, the
    currency's own (2 when unknown), more only when the amount has them: a per-unit cost like
    0.0012 must not read as 0.00."""
    precision = 2
    if currency:
        with contextlib.suppress(Exception):  # babel: an unknown code has no precision
            precision = get_currency_precision(currency.upper())
    exponent = amount.normalize().as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    quantum = Decimal(1).scaleb(-max(precision, own))
    return f"{amount.quantize(quantum):,} {currency.upper() if currency else unknown}"


class Translator:
    """Renders messages outside an update (scheduler, notifications) in a given language."""

    def __init__(self, core: FluentRuntimeCore) -> None:
        self.core = core

    def __call__(self, language: str, key: str, /, **kwargs: Any) -> str:
        return self.core.get(key, language if language in LANGUAGES else None, **kwargs)


def order_number(order_id: object) -> str:
    """An order's reference as customers and admins read it, '#123' (Fluent's `ORDER()` too).
    A string: Fluent would group a number ("#1,234")."""
    return f"#{order_id}"


def order_status(i18n: I18nContext, state: OrderState | str | None) -> str:
    """An order state's name in the reader's language; '—' when there is none."""
    return i18n.get(f"order-status-{OrderState(state).value}") if state else "—"
