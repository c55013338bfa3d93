"""Process entry: validate configuration, migrate, wire the bot, run until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="SMM storefront bot")
    parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets())
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    return 0


async def run(settings: Settings) -> None:
    from bot.runtime import Runtime

    runtime = await Runtime.start(settings)
    try:
        await runtime.poll(handle_signals=True)
    finally:
        await runtime.stop()
