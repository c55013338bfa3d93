"""The configuration contract: readable errors, exit status 2, secrets never printed."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:SECRET-token-value-abcdefghijkl"
PANEL_KEY = "panel-key-SECRET-0123456789"


def run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_CONTRACT)}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


_CONTRACT = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "ADMIN_IDS",
    "DATABASE_URL",
    "REDIS_URL",
    "PANEL_URL",
    "PANEL_KEY",
    "PANELS",
    "MARKUP_PERCENT",
    "CURRENCY",
    "DEFAULT_LANGUAGE",
    "STATUS_POLL_SECONDS",
    "CATALOG_SYNC_MINUTES",
    "LOG_LEVEL",
    "TELEGRAM_PROXY",
    "PANEL_PROXY",
)

BAD_VALUES = {
    "BOT_TOKEN": "not-a-token",
    "TELEGRAM_API_URL": "ftp://example",
    "ADMIN_IDS": "12,abc",
    "DATABASE_URL": "mysql://x",
    "MARKUP_PERCENT": "-5",
    "CURRENCY": "DOLLARS",
    "CURRENCY_RATE": "0",
    "DEFAULT_LANGUAGE": "fr",
    "STATUS_POLL_SECONDS": "soon",
    "CATALOG_SYNC_MINUTES": "0",
    "LOG_LEVEL": "LOUD",
    "PANELS": '[{"name": "a", "url": "https://a.example/api/v2", "key": "' + PANEL_KEY + '"',
}


@pytest.mark.parametrize("variable", sorted(BAD_VALUES))
def test_each_bad_variable_exits_2_naming_it(variable: str, tmp_path: Path) -> None:
    env = {"BOT_TOKEN": TOKEN, "PANEL_URL": "sandbox", variable: BAD_VALUES[variable]}
    if variable == "PANELS":
        env.pop("PANEL_URL")
    result = run_bot(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Invalid configuration:")
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert PANEL_KEY not in result.stderr + result.stdout


def test_every_bad_variable_is_named_at_once(tmp_path: Path) -> None:
    result = run_bot({"ADMIN_IDS": "x", "CURRENCY": "??", "PANEL_KEY": PANEL_KEY}, tmp_path)
    assert result.returncode == 2
    for name in ("BOT_TOKEN", "ADMIN_IDS", "CURRENCY"):
        assert name in result.stderr
    assert PANEL_KEY not in result.stderr


def test_missing_panel_is_explained(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": TOKEN}, tmp_path)
    assert result.returncode == 2
    assert "PANEL_URL" in result.stderr and "PANELS" in result.stderr
    assert TOKEN not in result.stderr


def test_panel_url_without_key(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": TOKEN, "PANEL_URL": "https://p.example/api/v2"}, tmp_path)
    assert result.returncode == 2
    assert "PANEL_KEY is required" in result.stderr


def test_panels_entry_error_names_the_field(tmp_path: Path) -> None:
    panels = '[{"name": "a", "url": "https://a.example/api/v2"}]'
    result = run_bot({"BOT_TOKEN": TOKEN, "PANELS": panels}, tmp_path)
    assert result.returncode == 2
    assert "PANELS[0]" in result.stderr and "key is required" in result.stderr


def test_dotenv_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CONTRACT:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\nPANEL_URL=sandbox\nADMIN_IDS=5, 7\nCURRENCY=sar\n"
        "CURRENCY_RATE=3.75\nMARKUP_PERCENT=12.5\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.admin_ids == frozenset({5, 7})
    assert settings.currency == "SAR" and settings.currency_rate == Decimal("3.75")
    assert settings.markup == Decimal("0.125")
    assert settings.database_url == "sqlite+aiosqlite:///data/bot.sqlite3"
    assert settings.status_poll_seconds == 60 and settings.catalog_sync_minutes == 60
    assert [spec.name for spec in settings.panel_specs()] == ["sandbox"]
    assert TOKEN not in repr(settings)


def test_panels_json_with_dialects(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CONTRACT:
        monkeypatch.delenv(name, raising=False)
    panels = (
        '[{"name": "plus", "url": "https://smm.plus/api/v2", "key": "k1"},'
        ' {"name": "pans", "url": "https://smmpans.com/api/v1", "key": "k2"},'
        ' {"name": "odd", "url": "https://odd.example/api", "key": "k3", "dialect": "v1"},'
        ' {"name": "try", "url": "sandbox"}]'
    )
    settings = load_settings(bot_token=TOKEN, panels=panels)
    dialects = {spec.name: spec.dialect for spec in settings.panel_specs()}
    assert dialects == {"plus": "v2", "pans": "v1", "odd": "v1", "try": "v2"}
    assert set(settings.secrets()) == {TOKEN, "k1", "k2", "k3"}


def test_duplicate_panel_names_rejected() -> None:
    panels = '[{"name": "a", "url": "sandbox"}, {"name": "a", "url": "sandbox"}]'
    with pytest.raises(ConfigError, match="unique"):
        load_settings(bot_token=TOKEN, panels=panels)


async def test_panel_concurrency_reaches_each_panel_client() -> None:
    from bot.panel import PanelRegistry

    async def concurrency(settings: Settings) -> dict[str, int]:
        registry = PanelRegistry(settings.panel_specs())
        try:
            return {client.name: client.concurrency for client in registry}
        finally:
            await registry.aclose()

    single = load_settings(bot_token=TOKEN, panel_url="https://a.example/api/v2", panel_key="k")
    assert await concurrency(single) == {"main": 16}
    panels = (
        '[{"name": "a", "url": "https://a.example/api/v2", "key": "k1"},'
        ' {"name": "b", "url": "https://b.example/api/v2", "key": "k2", "concurrency": 2}]'
    )
    several = load_settings(bot_token=TOKEN, panels=panels, panel_concurrency="5")
    assert await concurrency(several) == {"a": 5, "b": 2}
    with pytest.raises(ConfigError, match="PANEL_CONCURRENCY"):
        load_settings(bot_token=TOKEN, panel_url="sandbox", panel_concurrency="0")
    with pytest.raises(ConfigError, match="concurrency"):
        load_settings(
            bot_token=TOKEN,
            panels='[{"name": "a", "url": "sandbox", "concurrency": 1000}]',
        )


# -- proxies (secrets: named when wrong, never printed) -----------------------------------------

PROXY_PASSWORD = "proxy-SECRET-pass"


@pytest.mark.parametrize("variable", ["TELEGRAM_PROXY", "PANEL_PROXY"])
def test_bad_proxy_exits_2_naming_it_without_the_url(variable: str, tmp_path: Path) -> None:
    bad = f"ftp://user:{PROXY_PASSWORD}@proxy.example:21"
    result = run_bot({"BOT_TOKEN": TOKEN, "PANEL_URL": "sandbox", variable: bad}, tmp_path)
    assert result.returncode == 2
    assert variable in result.stderr and "must start with one of" in result.stderr
    assert PROXY_PASSWORD not in result.stderr + result.stdout
    assert "proxy.example" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://u:PW-SECRET@h.example:1", "must start with one of http://, socks5://"),
        ("https://u:PW-SECRET@h.example:443", "TLS to the proxy is not supported"),
        ("http://u:PW-SECRET@h.example:notaport", "not a valid proxy URL"),
        ("socks5://u:PW-SECRET@:1080", "has no proxy host"),
        ("http://u:PW-SECRET@h.example:8080/path", "nothing more"),
        ("http://user-only@h.example:8080", "without a password"),
    ],
)
def test_telegram_proxy_checked(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(bot_token=TOKEN, panel_url="sandbox", telegram_proxy=value)
    text = str(info.value)
    assert "TELEGRAM_PROXY" in text and message in text
    assert "PW-SECRET" not in text and "h.example" not in text


def test_panel_proxy_accepts_https_and_socks5h_and_a_panels_entry_is_checked() -> None:
    settings = load_settings(
        bot_token=TOKEN, panel_url="sandbox", panel_proxy="https://u:p4ss-word@h.example"
    )
    [spec] = settings.panel_specs()
    assert spec.proxy == "https://u:p4ss-word@h.example:443"  # the default port made explicit
    panels = (
        '[{"name": "a", "url": "https://a.example/api/v2", "key": "k1",'
        ' "proxy": "gopher://u:PW-SECRET@h.example:70"}]'
    )
    with pytest.raises(ConfigError) as info:
        load_settings(bot_token=TOKEN, panels=panels)
    assert "PANELS[0].proxy" in str(info.value) and "PW-SECRET" not in str(info.value)


def test_proxies_are_secrets_and_a_panels_entry_overrides_panel_proxy() -> None:
    own = f"socks5://shop:{PROXY_PASSWORD}@10.0.0.2:1080"
    shared = "http://shared-user:shared-pass@10.0.0.1:3128"
    panels = (
        '[{"name": "a", "url": "https://a.example/api/v2", "key": "k1"},'
        ' {"name": "b", "url": "https://b.example/api/v2", "key": "k2",'
        f' "proxy": "{own}"}}]'
    )
    tg = "socks5://tg:tg-pass-word@10.0.0.3:1080"
    settings = load_settings(bot_token=TOKEN, panels=panels, panel_proxy=shared, telegram_proxy=tg)
    assert {spec.name: spec.proxy for spec in settings.panel_specs()} == {"a": shared, "b": own}
    assert settings.telegram_proxy_url == tg
    shown = repr(settings) + str(settings) + repr(settings.panel_specs())
    for secret in (PROXY_PASSWORD, "shared-pass", "tg-pass-word", "10.0.0."):
        assert secret not in shown
    assert {own, shared, tg, PROXY_PASSWORD, "shared-pass", "tg-pass-word"} <= set(
        settings.secrets()
    )


def test_empty_proxies_are_none() -> None:
    settings = load_settings(
        bot_token=TOKEN, panel_url="sandbox", telegram_proxy=" ", panel_proxy=""
    )
    assert settings.telegram_proxy_url is None
    assert [spec.proxy for spec in settings.panel_specs()] == [None]


def test_fresh_clone_names_every_missing_variable_and_how_to_start(tmp_path: Path) -> None:
    """No .env, nothing set: the token and the panel in one message, then how to begin."""
    result = run_bot({}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Invalid configuration:")
    assert "BOT_TOKEN: is required" in result.stderr
    assert "PANEL_URL: no upstream panel" in result.stderr
    assert "cp .env.example .env" in result.stderr
    assert "PANEL_URL=sandbox" in result.stderr
    assert "Traceback" not in result.stderr


def test_with_a_dotenv_no_start_hint(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=x\n")
    result = run_bot({}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN: is required" in result.stderr and "PANEL_URL" in result.stderr
    assert "cp .env.example" not in result.stderr


def test_the_example_placeholder_token_is_refused_at_once(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    (tmp_path / ".env").write_text(example)
    result = run_bot({}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN: is still the .env.example placeholder" in result.stderr
    assert "@BotFather" in result.stderr


def test_bad_token_and_missing_panel_key_reported_together(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": "nope", "PANEL_URL": "https://p.example/api/v2"}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert "PANEL_KEY: is required with PANEL_URL" in result.stderr
