"""The one in-memory cache of the bot: bounded in size, optionally expiring, on an injectable clock.

Every copy the bot keeps in memory to spare a database read or a re-render goes through here,
so each has the same rules: at most `size` entries (the least recently used goes first), an
entry older than `ttl` seconds is gone, and `forget()`/`clear()` invalidate. It wraps cachetools
(maintained, the usual choice) rather than hand-kept dicts. A cached copy of stored data must
be immutable (tuples, frozen dataclasses, str): it is handed to every update that asks, and one
update must never see another's changes (the flood limit keeps each customer's own token
bucket here, state rather than a copy). It sits at the bottom and imports nothing of the
project.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import cachetools
from cachetools import LRUCache, TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Cache(Generic[K, V]):
    """A bounded map that forgets: LRU beyond `size` entries, and after `ttl` seconds if set."""

    __slots__ = ("_entries",)

    def __init__(
        self, size: int, ttl: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: cachetools.Cache[K, V] = (
            LRUCache(maxsize=size) if ttl is None else TTLCache(maxsize=size, ttl=ttl, timer=clock)
        )

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
