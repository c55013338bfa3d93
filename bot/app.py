"""Process entry: validate configuration, migrate, wire the bot, run until stopped."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import ConfigError, Settings, load_settings
from bot.dbcli import add_db_commands, run_db_command
from bot.logs import configure_logging

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="SMM storefront bot")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_db_commands(commands)  # `python -m bot db copy|backup`; no command: run the bot
    args = parser.parse_args(argv)
    if args.command == "db":
        return run_db_command(args)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets())
    try:
        run_loop()(run(settings))
    except KeyboardInterrupt:
        pass
    except TelegramUnauthorizedError:
        print(
            "BOT_TOKEN was rejected by Telegram (Unauthorized): check it with @BotFather.",
            file=sys.stderr,
        )
        return 2
    return 0


def run_loop() -> Callable[[Coroutine[Any, Any, None]], None]:
    """uvloop where it exists (Linux, macOS): its event loop and sockets cost less CPU per
    update than asyncio's own (figures: README "Performance", bench/bench_storefront.py)."""
    try:
        import uvloop
    except ImportError:  # Windows or PyPy: asyncio's loop
        return asyncio.run
    return uvloop.run


async def run(settings: Settings) -> None:
    from bot.runtime import Runtime

    runtime = await Runtime.start(settings)
    settle_garbage_collector()
    try:
        if settings.webhook_url:
            await runtime.serve_webhook(handle_signals=True)
        else:
            await runtime.poll(handle_signals=True)
    finally:
        await runtime.stop()
        ignore_repeated_signals()


# Net allocations between young passes (CPython's default: 700).
YOUNG_PASS_EVERY = 7_000
FULL_PASS_EVERY = 100  # middle-generation passes between full ones (CPython's default: 10)


def settle_garbage_collector() -> None:
    """Exempt what startup built from the collector's full passes.

    Imported modules, aiogram's hundreds of pydantic models and SQLAlchemy's mappers live as
    long as the process; while the collector keeps walking them, every full pass froze the
    event loop long enough under load to break the latency target on its own. Frozen, a full
    pass walks only what was created since.

    Full passes are also made ten times rarer (after 100 young-generation passes instead of
    10): what survives since startup (customers' cached rows, wizard state, rendered texts)
    still made each full pass delay every update in flight; cyclic garbage old enough to reach
    the last generation waits longer.

    Young passes come after 7,000 net allocations instead of 700. An update in flight (its
    models, its request and answer, its session) lives a few milliseconds: at 700 a young pass
    caught it alive many times a second and promoted it, so it was walked again by the middle
    passes and filled the last generation, making the full passes more frequent and longer.
    (Figures go stale in docstrings: they are in the README's "Performance" and
    bench/bench_storefront.py.)
    """
    gc.collect()
    gc.freeze()
    _, middle, _ = gc.get_threshold()
    gc.set_threshold(YOUNG_PASS_EVERY, middle, FULL_PASS_EVERY)


def ignore_repeated_signals() -> None:
    """Stopping is done: a repeated SIGTERM or SIGINT (a deploy tool nudging twice) must not
    kill the process with a signal status while the event loop closes."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
        signal.signal(sig, signal.SIG_IGN)
