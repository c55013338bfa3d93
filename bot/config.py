"""The configuration contract: environment variables (and `.env`), validated once at startup."""

from __future__ import annotations

import json
import re
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from babel.numbers import get_currency_precision, list_currencies
from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.money import MAX_STARS_PER_INVOICE, stars_for
from bot.panel.client import Dialect
from bot.panel.profile import PanelProfile
from bot.panel.registry import PanelSpec, detect_dialect
from bot.proxy import PANEL_SCHEMES, TELEGRAM_SCHEMES, parse_proxy

SANDBOX_URL = "sandbox"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/bot.sqlite3"
# Words of the .env.example placeholder token (123456789:replace-with-your-token).
_PLACEHOLDER_WORDS = ("replace-with", "your-token", "your_token")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook's secret_token allows


MAX_PANEL_CONCURRENCY = 64


class PanelEntry(BaseModel):
    """One item of the PANELS JSON list."""

    name: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=1)
    key: SecretStr = SecretStr("")
    dialect: Literal["v1", "v2"] | None = None
    # Pins of the panel's dialect profile (bot/panel/profile.py field names): always win over
    # what the bot learns. Unknown fields or values are refused here, not silently ignored.
    profile: dict[str, Any] = {}
    # This panel's proxy, over PANEL_PROXY (a secret: never printed).
    proxy: SecretStr | None = None
    # This panel's parallel calls, over PANEL_CONCURRENCY.
    concurrency: int | None = Field(default=None, ge=1, le=MAX_PANEL_CONCURRENCY)

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy_url(cls, value: object) -> object:
        return _checked_proxy(value, PANEL_SCHEMES)

    @field_validator("profile")
    @classmethod
    def _check_profile(cls, value: dict[str, Any]) -> dict[str, Any]:
        default = PanelProfile()
        for name, item in value.items():
            known = name in PanelProfile.__dataclass_fields__
            if not known or (
                default.merged({name: item}) == default and item != getattr(default, name)
            ):
                raise ValueError(
                    f"profile: {name!r} is not a profile field or its value {item!r} is not allowed"
                )
        return value

    @model_validator(mode="after")
    def _check(self) -> PanelEntry:
        if self.url != SANDBOX_URL:
            if not self.url.startswith(("http://", "https://")):
                raise ValueError(f"panel {self.name!r}: url must be http(s):// or 'sandbox'")
            if not self.key.get_secret_value():
                raise ValueError(f"panel {self.name!r}: key is required")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    telegram_api_url: str | None = None
    # Proxies (secrets: validated here, never printed). TELEGRAM_PROXY carries the Bot API
    # traffic; PANEL_PROXY every panel's, unless a PANELS entry has its own "proxy"; with
    # neither, panels honour HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/NO_PROXY.
    telegram_proxy: SecretStr | None = None
    panel_proxy: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    panel_url: str | None = None
    panel_key: SecretStr | None = None
    panels: Annotated[list[PanelEntry], NoDecode] = []
    # Calls in flight to one panel at once (a PANELS entry's "concurrency" overrides it). A
    # call holds its slot from the order's last check to the panel's answer, so a busy shop
    # needs several; a panel that rate-limits may want fewer.
    panel_concurrency: int = Field(default=16, ge=1, le=MAX_PANEL_CONCURRENCY)
    markup_percent: Decimal = Field(default=Decimal(30), ge=0, le=10_000)
    currency: str = "USD"
    currency_rate: Decimal = Field(default=Decimal(1), gt=0)
    default_language: Literal["en", "ar"] = "en"
    status_poll_seconds: int = Field(default=60, ge=5, le=86_400)
    catalog_sync_minutes: int = Field(default=60, ge=1, le=10_080)
    low_balance_alert: Decimal = Field(default=Decimal(10), ge=0)
    # Referral reward: this percent of what a referred customer's order finally cost goes to
    # whoever invited them (0 = off); admins override it at runtime (bot.shop.shop_settings).
    referral_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Webhook mode (else long polling): Telegram posts updates to WEBHOOK_URL, which a reverse
    # proxy forwards to WEBHOOK_HOST:WEBHOOK_PORT; the secret header proves the sender.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65_535)
    # Telegram Stars top-ups: Stars per one unit of the shop currency, and the amounts allowed.
    stars_per_unit: Decimal = Field(default=Decimal(50), gt=0, le=1_000_000)
    topup_min: Decimal = Field(default=Decimal(1), gt=0)
    topup_max: Decimal = Field(default=Decimal(100), gt=0)
    # Signs invoice payloads; empty: derived from BOT_TOKEN (bot.shop.payments.payload_key).
    payment_payload_secret: SecretStr | None = None
    # The support desk: a forum supergroup where each customer gets a topic (the bot an admin
    # with "Manage topics"); empty: customers' messages go to the ADMIN_IDS private chats.
    support_chat_id: int | None = None
    # Messages a customer may send into support per minute (0: no cap beyond the flood limit).
    support_messages_per_minute: int = Field(default=20, ge=0, le=600)
    # Crypto Pay (@CryptoBot) top-ups: off while CRYPTO_PAY_TOKEN is empty. The webhook is
    # served at CRYPTO_PAY_WEBHOOK_PATH of the Telegram webhook's server (webhook mode only);
    # otherwise active invoices are polled every CRYPTO_PAY_POLL_SECONDS.
    crypto_pay_token: SecretStr | None = None
    crypto_pay_network: Literal["mainnet", "testnet"] = "mainnet"
    crypto_pay_api_url: str | None = None
    crypto_pay_assets: str = "USDT,TON,BTC"
    # The fiat invoices are priced in (empty: CURRENCY) and, when it is not CURRENCY, how many
    # units of it one unit of CURRENCY is worth (the invoice is rounded up to its cent).
    crypto_pay_fiat: str | None = None
    crypto_pay_rate: Decimal | None = Field(default=None, gt=0, le=1_000_000)
    crypto_pay_invoice_minutes: int = Field(default=60, ge=1, le=2_880)
    crypto_pay_webhook_path: str = "/cryptopay"
    crypto_pay_poll_seconds: int = Field(default=30, ge=5, le=3_600)
    # Manual transfers: how many receipts one customer may have waiting for review at once.
    transfer_max_pending: int = Field(default=3, ge=1, le=100)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        head, _, tail = token.partition(":")
        if not (head.isdigit() and tail):
            raise ValueError("must look like 123456:ABC… (as BotFather gives it)")
        if any(word in tail.lower() for word in _PLACEHOLDER_WORDS):
            # Telegram would answer 401 and the bot would retry "unreachable" for good.
            raise ValueError(
                "is still the .env.example placeholder: put the token that @BotFather gave your bot"
            )
        return value

    @field_validator(
        "telegram_api_url",
        "redis_url",
        "panel_url",
        "webhook_url",
        "webhook_secret",
        "support_chat_id",
        "crypto_pay_token",
        "crypto_pay_api_url",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_proxy", mode="before")
    @classmethod
    def _telegram_proxy(cls, value: object) -> object:
        return _checked_proxy(value, TELEGRAM_SCHEMES)

    @field_validator("panel_proxy", mode="before")
    @classmethod
    def _panel_proxy(cls, value: object) -> object:
        return _checked_proxy(value, PANEL_SCHEMES)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value.rstrip("/") if value else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL (Telegram posts updates there)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_pair(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            bad = [part for part in parts if not part.isdigit()]
            if bad:
                raise ValueError("must be comma-separated numeric Telegram user IDs")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("panels", mode="before")
    @classmethod
    def _parse_panels(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                # Never echo the value: it carries API keys.
                raise ValueError(f"must be a JSON list (invalid JSON at char {exc.pos})") from None
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in list_currencies():
            raise ValueError("must be an ISO 4217 currency code such as USD or SAR")
        return code

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @model_validator(mode="after")
    def _panels_present(self) -> Settings:
        if self.panels and self.panel_url:
            raise ValueError("set either PANEL_URL or PANELS, not both")
        key = self.panel_key.get_secret_value() if self.panel_key else None
        problem = panel_problem(self.panel_url, key, bool(self.panels))
        if problem:
            raise ValueError(problem)
        names = [panel.name for panel in self.panels]
        if len(names) != len(set(names)):
            raise ValueError("PANELS: panel names must be unique")
        return self

    @model_validator(mode="after")
    def _topup_bounds(self) -> Settings:
        if self.topup_min > self.topup_max:
            raise ValueError("TOPUP_MIN must not exceed TOPUP_MAX")
        if stars_for(self.topup_max, self.stars_per_unit) > MAX_STARS_PER_INVOICE:
            raise ValueError(
                f"TOPUP_MAX × STARS_PER_UNIT exceeds {MAX_STARS_PER_INVOICE} Stars, "
                "Telegram's limit per invoice"
            )
        return self

    @field_validator("crypto_pay_assets")
    @classmethod
    def _assets(cls, value: str) -> str:
        assets = [a.strip().upper() for a in value.split(",") if a.strip()]
        if not assets or not all(a.isascii() and a.isalnum() and len(a) <= 10 for a in assets):
            raise ValueError("must be asset codes separated by commas, e.g. USDT,TON,BTC")
        return ",".join(assets)

    @field_validator("crypto_pay_fiat", mode="before")
    @classmethod
    def _fiat(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("must be a three-letter fiat code such as USD")
        value = value.strip().upper()
        if not (value.isascii() and value.isalpha() and len(value) == 3):
            raise ValueError("must be a three-letter fiat code such as USD")
        return value

    @field_validator("crypto_pay_rate", mode="before")
    @classmethod
    def _empty_rate(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _crypto_fiat(self) -> Settings:
        if (
            self.crypto_pay_enabled
            and self.crypto_fiat != self.currency
            and not self.crypto_pay_rate
        ):
            raise ValueError(
                f"CRYPTO_PAY_FIAT {self.crypto_fiat} is not CURRENCY {self.currency}: "
                "set CRYPTO_PAY_RATE (units of CRYPTO_PAY_FIAT per unit of CURRENCY)"
            )
        return self

    @field_validator("crypto_pay_webhook_path")
    @classmethod
    def _crypto_path(cls, value: str) -> str:
        if not value.startswith("/") or len(value) < 2:
            raise ValueError("must be a path such as /cryptopay")
        return value.rstrip("/")

    # -- derived values ---------------------------------------------------------------------

    @property
    def crypto_pay_enabled(self) -> bool:
        return bool(self.crypto_pay_token and self.crypto_pay_token.get_secret_value())

    @property
    def crypto_fiat(self) -> str:
        """The fiat crypto invoices are priced in."""
        return self.crypto_pay_fiat or self.currency

    def crypto_invoice_amount(self, amount: Decimal) -> Decimal:
        """A top-up of `amount` (CURRENCY) priced in crypto_fiat, rounded up to the cent."""
        if self.crypto_fiat == self.currency or not self.crypto_pay_rate:
            return amount
        return (amount * self.crypto_pay_rate).quantize(Decimal("0.01"), rounding=ROUND_CEILING)

    @property
    def crypto_pay_base_url(self) -> str:
        """The API root: CRYPTO_PAY_API_URL, else the network's."""
        if self.crypto_pay_api_url:
            return self.crypto_pay_api_url.rstrip("/")
        host = "testnet-pay.crypt.bot" if self.crypto_pay_network == "testnet" else "pay.crypt.bot"
        return f"https://{host}/api"

    @property
    def currency_precision(self) -> int:
        return get_currency_precision(self.currency)

    @property
    def markup(self) -> Decimal:
        """Markup as a fraction (30 → 0.30)."""
        return self.markup_percent / 100

    @property
    def telegram_proxy_url(self) -> str | None:
        """TELEGRAM_PROXY for aiogram's session (aiohttp-socks); None: direct."""
        return _secret(self.telegram_proxy)

    def panel_specs(self) -> list[PanelSpec]:
        if self.panel_url:
            key = self.panel_key.get_secret_value() if self.panel_key else ""
            name = "sandbox" if self.panel_url == SANDBOX_URL else "main"
            return [
                PanelSpec(
                    name,
                    self.panel_url,
                    key,
                    _dialect(self.panel_url, None),
                    options={"max_concurrency": self.panel_concurrency},
                    proxy=_secret(self.panel_proxy),
                )
            ]
        return [
            PanelSpec(
                p.name,
                p.url,
                p.key.get_secret_value(),
                _dialect(p.url, p.dialect),
                options={"max_concurrency": p.concurrency or self.panel_concurrency},
                profile=dict(p.profile),
                proxy=_secret(p.proxy or self.panel_proxy),
            )
            for p in self.panels
        ]

    def secrets(self) -> list[str]:
        """Every secret value, for log redaction."""
        values = [self.bot_token.get_secret_value()]
        if self.panel_key:
            values.append(self.panel_key.get_secret_value())
        values += [p.key.get_secret_value() for p in self.panels]
        if self.payment_payload_secret:
            values.append(self.payment_payload_secret.get_secret_value())
        if self.webhook_secret:
            values.append(self.webhook_secret.get_secret_value())
        if self.crypto_pay_token:
            values.append(self.crypto_pay_token.get_secret_value())
        proxies = [self.telegram_proxy, self.panel_proxy, *(p.proxy for p in self.panels)]
        for proxy in proxies:
            if proxy is not None:
                values += proxy_secrets(proxy.get_secret_value())
        return [v for v in values if v]


def _checked_proxy(value: object, schemes: tuple[str, ...]) -> object:
    """An empty value is no proxy; anything else must be a usable proxy URL (normalised)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    return parse_proxy(value, schemes)  # ProxyURLError (a ValueError) never quotes the URL


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def proxy_secrets(url: str) -> list[str]:
    """The parts of a proxy URL that logs must never show: the whole URL, its password."""
    password = urlsplit(url).password
    return [url, *([unquote(password), password] if password and len(password) >= 4 else [])]


def _dialect(url: str, explicit: Dialect | None) -> Dialect:
    if explicit:
        return explicit
    return "v2" if url == SANDBOX_URL else detect_dialect(url)


def panel_problem(panel_url: str | None, panel_key: str | None, has_panels: bool) -> str | None:
    """What is wrong with the panel variables, or None (PANELS' own entries are checked apart)."""
    if not has_panels and not panel_url:
        return (
            "no upstream panel: set PANEL_URL and PANEL_KEY, or PANELS "
            "(PANEL_URL=sandbox tries the bot without a real panel)"
        )
    if panel_url and panel_url != SANDBOX_URL:
        if not panel_url.startswith(("http://", "https://")):
            return "PANEL_URL must be an http(s):// URL or 'sandbox'"
        if not panel_key:
            return "PANEL_KEY is required with PANEL_URL"
    return None


class _PanelVariables(BaseSettings):
    """Only the panel variables, read from the same sources as Settings. When any field of
    Settings fails, its model checks do not run: this reports a missing panel in the same
    message instead of on the next try."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    panel_url: str | None = None
    panel_key: str | None = None
    panels: str | None = None  # only whether it is set: its entries are Settings' to check


START_HINT = (
    "No .env file here. To start: cp .env.example .env, then put your bot's token from "
    "@BotFather in BOT_TOKEN. PANEL_URL=sandbox (the default there) tries the shop with a "
    "built-in panel, without spending money."
)


class ConfigError(Exception):
    """Raised with one readable message naming every bad variable; never carries values."""


def describe_errors(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        loc = item["loc"]
        variable = str(loc[0]).upper() if loc else "configuration"
        if len(loc) > 1:  # e.g. PANELS[0].key
            variable += "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:]
            )
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "is required"
        lines.append(f"  {variable}: {message}")
    return "Invalid configuration:\n" + "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = describe_errors(exc)
    problem = None if "PANEL" in message else _unchecked_panel_problem(overrides)
    if problem:
        variable = "PANEL_KEY" if problem.startswith("PANEL_KEY") else "PANEL_URL"
        message += f"\n  {variable}: {problem.removeprefix(variable + ' ')}"
    if not Path(".env").exists() and "BOT_TOKEN: is required" in message:  # a fresh clone
        message += "\n\n" + START_HINT
    raise ConfigError(message)


def _unchecked_panel_problem(overrides: dict[str, object]) -> str | None:
    given = {k: v for k, v in overrides.items() if k in ("panel_url", "panel_key")}
    try:
        found = _PanelVariables(**given)  # type: ignore[arg-type]
    except ValidationError:
        return None
    has_panels = bool(overrides.get("panels")) or bool(_filled(found.panels))
    return panel_problem(_filled(found.panel_url), _filled(found.panel_key), has_panels)


def _filled(value: object) -> str | None:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip() if isinstance(text, str) and text.strip() else None
