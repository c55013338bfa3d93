"""Customers: created on first contact, language remembered, activity and bans tracked."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import make_transient_to_detached

from bot.cache import Cache
from storage.models import User


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    """A customer row's column values, immutable: what RecentUsers keeps between updates."""

    values: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, user: User) -> UserSnapshot:
        return cls(
            tuple((column.key, getattr(user, column.key)) for column in inspect(User).column_attrs)
        )

    def row(self) -> User:
        """A fresh detached row with these values: each update gets its own to change."""
        user = User(**dict(self.values))
        make_transient_to_detached(user)  # the stored row it is a copy of, not a new one
        return user


class RecentUsers:
    """Customer rows seen in the last few seconds, for the update middleware.

    What changes a row behind the middleware's back in this process calls forget(): a ban or
    unban, a customer found to have blocked the bot. Another process's change takes effect
    within TTL seconds. A customer taps every second or two while shopping; 30 seconds means
    one read per visit rather than one every few taps. Kept as immutable snapshots and handed
    out as a new row per update: updates run concurrently, and one must never see (or make)
    another's changes to a shared object.
    """

    TTL = 30.0
    SIZE = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._rows: Cache[int, UserSnapshot] = Cache(self.SIZE, self.TTL, clock)

    def get(self, telegram_id: int, username: str | None, first_name: str | None) -> User | None:
        hit = self._rows.get(telegram_id)
        if hit is None:
            return None
        user = hit.row()
        if (user.username, user.first_name) != (username, first_name):
            return None  # renamed: the stored names need refreshing
        return user

    def remember(self, user: User) -> None:
        self._rows.put(user.telegram_id, UserSnapshot.of(user))

    def forget(self, telegram_id: int) -> None:
        self._rows.forget(telegram_id)


async def touch(
    sessions: async_sessionmaker[AsyncSession],
    *,
    telegram_id: int,
    username: str | None,
    first_name: str | None,
    language: str,
) -> User:
    """Load the customer, creating them on first contact; refresh names and activity.

    Writes only when something changed, so an ordinary update costs one indexed read.
    """
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        if user is not None and (user.username, user.first_name, user.is_active) == (
            username,
            first_name,
            True,
        ):
            return user
    try:
        async with sessions() as session, session.begin():
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            if user is None:
                user = User(telegram_id=telegram_id, language=language)
                session.add(user)
            user.username, user.first_name, user.is_active = username, first_name, True
    except IntegrityError:  # created by a concurrent update of the same customer
        async with sessions() as session:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user


async def set_language(
    sessions: async_sessionmaker[AsyncSession], user_id: int, language: str
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(language=language))


async def mark_inactive(sessions: async_sessionmaker[AsyncSession], telegram_id: int) -> None:
    """The customer blocked the bot or deleted their account: stop messaging them."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.telegram_id == telegram_id).values(is_active=False)
        )


async def by_telegram_id(
    sessions: async_sessionmaker[AsyncSession], telegram_id: int
) -> User | None:
    async with sessions() as session:
        return await session.scalar(select(User).where(User.telegram_id == telegram_id))
