"""bot.cache, the one in-memory cache: bounded, expiring on an injected clock, invalidated on
demand; and the customers' rows it keeps are never shared between updates."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import inspect

from bot.cache import Cache
from bot.shop.users import RecentUsers
from storage.models import User


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_size_is_bounded_least_recently_used_first() -> None:
    cache: Cache[int, str] = Cache(3)
    for n in range(3):
        cache.put(n, str(n))
    assert cache.get(0) == "0"  # 0 is now the most recently used
    cache.put(3, "3")
    assert len(cache) == 3
    assert 1 not in cache  # the least recently used went
    assert [cache.get(n) for n in (0, 2, 3)] == ["0", "2", "3"]
    for n in range(100):
        cache.put(n, "x")
    assert len(cache) == 3


def test_entries_expire_after_ttl_on_the_given_clock() -> None:
    clock = Clock()
    cache: Cache[str, int] = Cache(10, ttl=30.0, clock=clock)
    cache.put("a", 1)
    clock.now += 29.9
    assert cache.get("a") == 1 and "a" in cache
    cache.put("b", 2)
    clock.now += 0.1
    assert cache.get("a") is None and "a" not in cache  # 30 s old
    assert cache.get("b") == 2  # put later, still fresh
    clock.now += 30
    assert cache.get("b") is None and len(cache) == 0


def test_expiring_cache_is_bounded_too() -> None:
    cache: Cache[int, int] = Cache(2, ttl=60.0, clock=Clock())
    for n in range(5):
        cache.put(n, n)
    assert len(cache) == 2 and cache.get(4) == 4 and cache.get(0) is None


def test_forget_and_clear_invalidate() -> None:
    cache: Cache[str, int] = Cache(10, ttl=30.0, clock=Clock())
    cache.put("a", 1)
    cache.put("b", 2)
    cache.forget("a")
    cache.forget("missing")  # forgetting what is not there is fine
    assert cache.get("a") is None and cache.get("b") == 2
    cache.clear()
    assert cache.get("b") is None and len(cache) == 0


def _user(**changes: object) -> User:
    values: dict[str, object] = {
        "id": 7,
        "telegram_id": 7007,
        "username": "amal",
        "first_name": "Amal",
        "language": "ar",
        "balance": Decimal("5.00"),
        "is_active": True,
        "is_banned": False,
        "referrer_id": None,
        "start_payload": None,
    }
    values.update(changes)
    return User(**values)


def test_a_customer_row_changed_by_one_update_is_not_seen_by_the_next() -> None:
    recent = RecentUsers(clock=Clock())
    recent.remember(_user())
    first = recent.get(7007, "amal", "Amal")
    assert first is not None
    first.language, first.is_banned = "en", True  # one update changes its row
    first.balance = Decimal("0")
    second = recent.get(7007, "amal", "Amal")
    assert second is not None and second is not first
    assert (second.language, second.is_banned, second.balance) == ("ar", False, Decimal("5.00"))


def test_a_remembered_customer_row_is_a_detached_copy() -> None:
    clock = Clock()
    recent = RecentUsers(clock=clock)
    original = _user()
    recent.remember(original)
    original.language = "en"  # the row it was taken from changes later
    row = recent.get(7007, "amal", "Amal")
    assert row is not None and row.language == "ar"
    assert inspect(row).detached  # a copy of the stored row, not a new one to insert
    assert recent.get(7007, "amal", "Renamed") is None  # renamed: read again
    clock.now += RecentUsers.TTL
    assert recent.get(7007, "amal", "Amal") is None  # expired
    recent.remember(original)
    recent.forget(7007)
    assert recent.get(7007, "amal", "Amal") is None
