"""Fan a list of panel IDs out in requests of at most 100, concurrently within the panel's own
concurrency limit; a failing request loses only its own chunk, and a time limit keeps the
chunks that answered in time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.panel import MAX_IDS_PER_REQUEST, PanelError

log = logging.getLogger("bot.jobs")
T = TypeVar("T")


def chunked(items: Sequence[T], size: int = MAX_IDS_PER_REQUEST) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass
class Fetched(Generic[T]):
    answers: dict[str, T] = field(default_factory=dict)
    requests: int = 0
    cut: int = 0  # requests still unanswered at the time limit (cancelled)


async def fetch_in_chunks(
    ids: Sequence[str],
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, T]]],
    what: str,
    *,
    size: int = MAX_IDS_PER_REQUEST,
) -> tuple[dict[str, T], int]:
    """Returns (answers by id, number of requests made)."""
    fetched = await fetch_within(ids, fetch, what, size=size)
    return fetched.answers, fetched.requests


async def fetch_within(
    ids: Sequence[str],
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, T]]],
    what: str,
    *,
    limit: float | None = None,
    unusable: Callable[[str, Exception], T] | None = None,
    size: int = MAX_IDS_PER_REQUEST,
) -> Fetched[T]:
    """Every chunk is requested at once (the client's own limit queues them); after `limit`
    seconds the unanswered ones are cancelled and the answers so far are returned.

    The client promises typed panel errors only. Should anything else escape it (a row its
    parser chokes on), the chunk is asked again in halves down to the one ID at fault, which
    gets `unusable(id, exc)`: a few extra requests, and the rest of the chunk still settles.
    `size` 1 is for a panel asked one ID per request: each answer counts, even past the limit.
    """
    chunks = chunked(ids, size)
    result: Fetched[T] = Fetched(requests=len(chunks))

    async def one(chunk: Sequence[str]) -> dict[str, T]:
        try:
            return await fetch(chunk)
        except PanelError as exc:
            log.warning("%s: a request for %d ids failed: %s", what, len(chunk), exc)
            return {}
        except Exception as exc:
            if unusable is None:
                log.exception("%s: a request for %d ids failed unexpectedly", what, len(chunk))
                return {}
            if len(chunk) == 1:
                log.warning(
                    "%s: the answer for id %s is unusable: %s", what, chunk[0], type(exc).__name__
                )
                return {chunk[0]: unusable(chunk[0], exc)}
            log.warning(
                "%s: a request for %d ids failed unexpectedly (%r); asking in halves",
                what,
                len(chunk),
                exc,
            )
        middle = len(chunk) // 2
        result.requests += 2
        merged: dict[str, T] = {}
        for half in await asyncio.gather(one(chunk[:middle]), one(chunk[middle:])):
            merged.update(half)
        return merged

    if not chunks:
        return result
    tasks = [asyncio.create_task(one(chunk)) for chunk in chunks]
    try:
        done, pending = await asyncio.wait(tasks, timeout=limit)
    finally:
        for task in tasks:
            task.cancel()  # no-op for finished ones; on our own cancellation, none lingers
    if pending:
        await asyncio.wait(pending)  # let the cancellations finish (connections released)
        result.cut = len(pending)
        log.warning(
            "%s: %d of %d requests unanswered after %.0f s; cut until the next cycle",
            what,
            len(pending),
            len(chunks),
            limit or 0,
        )
    for task in done:
        result.answers.update(task.result())
    return result
