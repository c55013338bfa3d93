"""Logging setup with secret redaction: tokens and panel keys never reach a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "***"
# Bot tokens can show up inside URLs logged by libraries (…/bot123:ABC/getUpdates).
_TOKEN_PATTERN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Chatty at INFO: aiogram logs every handled update, APScheduler every job run, Alembic its
    # plugins at each start. Their warnings still show; their details only with LOG_LEVEL=DEBUG.
    quiet = max(logging.getLevelName(level), logging.WARNING)
    # httpcore's DEBUG traces name a SOCKS proxy's credentials (the filter redacts them).
    for name in ("aiogram.event", "apscheduler", "alembic.runtime.plugins", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(quiet)
