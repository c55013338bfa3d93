"""Fan a list of panel IDs out in requests of at most 100, concurrently within the panel's own
concurrency limit; a failing request loses only its own chunk."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.panel import MAX_IDS_PER_REQUEST, PanelError

log = logging.getLogger("bot.jobs")
T = TypeVar("T")


def chunked(items: Sequence[T], size: int = MAX_IDS_PER_REQUEST) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def fetch_in_chunks(
    ids: Sequence[str], fetch: Callable[[Sequence[str]], Awaitable[dict[str, T]]], what: str
) -> tuple[dict[str, T], int]:
    """Returns (answers by id, number of requests made)."""
    chunks = chunked(ids)

    async def one(chunk: Sequence[str]) -> dict[str, T]:
        try:
            return await fetch(chunk)
        except PanelError as exc:
            log.warning("%s: a request for %d ids failed: %s", what, len(chunk), exc)
            return {}

    merged: dict[str, T] = {}
    for answer in await asyncio.gather(*(one(chunk) for chunk in chunks)):
        merged.update(answer)
    return merged, len(chunks)
