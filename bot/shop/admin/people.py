"""Customers as an admin sees them: look-up by Telegram ID or @username, and bans."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import audit
from bot.shop.digits import parse_int
from storage.models import LedgerEntry, Order, Service, User

RECENT = 5
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True, slots=True)
class UserCard:
    user: User
    orders: list[tuple[Order, Service]]  # newest first
    ledger: list[LedgerEntry]  # newest first
    order_count: int


def parse_query(text: str) -> int | str | None:
    """A Telegram ID (int) or a username without '@' (str); None when it is neither."""
    text = text.strip()
    telegram_id = parse_int(text)
    if telegram_id is not None:
        return telegram_id if telegram_id > 0 else None
    name = text.removeprefix("@").lower()
    if 1 <= len(name) <= 64 and set(name) <= USERNAME_CHARS:
        return name
    return None


async def find_user(sessions: async_sessionmaker[AsyncSession], query: int | str) -> User | None:
    async with sessions() as session:
        if isinstance(query, int):
            return await session.scalar(select(User).where(User.telegram_id == query))
        return await session.scalar(  # Telegram usernames are case-insensitive
            select(User).where(func.lower(User.username) == query).order_by(User.id).limit(1)
        )


async def user_card(sessions: async_sessionmaker[AsyncSession], user_id: int) -> UserCard | None:
    async with sessions() as session:
        user = await session.get(User, user_id)
        if user is None:
            return None
        orders: list[tuple[Order, Service]] = [
            (o, s)
            for o, s in (
                await session.execute(
                    select(Order, Service)
                    .join(Service, Service.id == Order.service_id)
                    .where(Order.user_id == user_id)
                    .order_by(Order.id.desc())
                    .limit(RECENT)
                )
            )
        ]
        entries = list(
            await session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.user_id == user_id)
                .order_by(LedgerEntry.id.desc())
                .limit(RECENT)
            )
        )
        count = await session.scalar(
            select(func.count()).select_from(Order).where(Order.user_id == user_id)
        )
    return UserCard(user, orders, entries, count or 0)


class BanStatus(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"  # already in that state
    NOT_FOUND = "not_found"
    ADMIN = "admin"  # admins cannot be banned (the ban middleware ignores them anyway)


async def set_banned(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    user_id: int,
    banned: bool,
    admin_ids: Collection[int],
) -> tuple[BanStatus, int | None]:
    """The outcome and the customer's Telegram ID (whose cached row the caller must forget)."""
    async with sessions() as session, session.begin():
        user = await session.get(User, user_id)
        if user is None:
            return BanStatus.NOT_FOUND, None
        if banned and user.telegram_id in admin_ids:
            return BanStatus.ADMIN, user.telegram_id
        if user.is_banned == banned:
            return BanStatus.UNCHANGED, user.telegram_id
        user.is_banned = banned
        audit.record(
            session,
            admin_id,
            "user.ban" if banned else "user.unban",
            f"user:{user.telegram_id}",
            {"is_banned": not banned},
            {"is_banned": banned},
        )
    return BanStatus.APPLIED, user.telegram_id
