"""Referrals: personal invite codes, the referrer set once at a first /start, and the reward.

An invite code is random (secrets.token_urlsafe), never derived from the Telegram ID, so no one
can claim to have invited someone by guessing a link. The referrer is fixed at the customer's
first /start (users.start_payload goes from NULL to the payload, or '' without one, by one
conditional UPDATE: a second /start never wins it), never to themselves, never in a cycle.

The reward is paid in the transaction that moves a referred customer's order to a final
state (bot.shop.orders), under the ledger key `referral:<order id>`: exactly once per order,
never for an order that cost nothing, and a later admin refund does not take it back.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import ZERO
from bot.shop import ledger, shop_settings
from bot.shop.digits import parse_decimal
from storage.models import InviteCode, LedgerEntry, LedgerKind, OrderState, User

CODE_BYTES = 9  # 12 URL-safe characters, 72 random bits
MAX_CHAIN = 1000  # a referrer chain longer than this is treated as a cycle (it cannot be real)
REWARDED_STATES = frozenset({OrderState.COMPLETED, OrderState.PARTIAL, OrderState.CANCELED})


def _new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


async def invite_code(session: AsyncSession, user_id: int) -> str:
    """The customer's code, created on first use (in the caller's transaction)."""
    code = await session.scalar(select(InviteCode.code).where(InviteCode.user_id == user_id))
    if code is not None:
        return code
    for _ in range(5):  # a clash of 72 random bits does not happen; a racing twin might
        candidate = _new_code()
        try:
            async with session.begin_nested():
                session.add(InviteCode(user_id=user_id, code=candidate))
                await session.flush()
            return candidate
        except IntegrityError:
            code = await session.scalar(
                select(InviteCode.code).where(InviteCode.user_id == user_id)
            )
            if code is not None:
                return code
    raise RuntimeError("no free invite code")


class StartOutcome:
    """What a /start did about referrals (for tests and logs)."""

    REPEAT = "repeat"  # not the first /start: nothing changes
    FIRST = "first"  # first /start, no referrer (no code, unknown code)
    REFERRED = "referred"
    SELF = "self"  # their own code
    CYCLE = "cycle"  # the referrer was (indirectly) referred by this customer


async def first_start(session: AsyncSession, user_id: int, payload: str | None) -> str:
    """Record the customer's /start; at the first one only, link the referrer the payload's
    invite code names (if any, and if it is not themselves or a cycle)."""
    code = (payload or "").strip()
    referrer_id = None
    if code and len(code) <= 32:
        referrer_id = await session.scalar(
            select(InviteCode.user_id).where(InviteCode.code == code)
        )
    if referrer_id is not None and referrer_id != user_id:
        # Two customers joining through each other's codes at once: both rows are locked
        # first, in id order (PostgreSQL; SQLite writes one at a time), so the second waits
        # for the first and then sees its link: no cycle, no deadlock.
        await session.execute(
            select(User.id)
            .where(User.id.in_([user_id, referrer_id]))
            .order_by(User.id)
            .with_for_update()
        )
    won = await session.execute(
        update(User)
        .where(User.id == user_id, User.start_payload.is_(None))
        .values(start_payload=(payload or "")[:64])
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        return StartOutcome.REPEAT
    if referrer_id is None:
        return StartOutcome.FIRST
    if referrer_id == user_id:
        return StartOutcome.SELF
    if await _in_chain(session, referrer_id, user_id):
        return StartOutcome.CYCLE
    await session.execute(
        update(User)
        .where(User.id == user_id, User.referrer_id.is_(None))
        .values(referrer_id=referrer_id)
        .execution_options(synchronize_session=False)
    )
    return StartOutcome.REFERRED


async def record_start(
    sessions: async_sessionmaker[AsyncSession], user_id: int, payload: str | None
) -> str:
    """first_start in its own transaction (what /start calls)."""
    async with sessions() as session, session.begin():
        return await first_start(session, user_id, payload)


async def invite_stats(sessions: async_sessionmaker[AsyncSession], user_id: int) -> InviteStats:
    """stats() in its own transaction (the invite code may be created)."""
    async with sessions() as session, session.begin():
        return await stats(session, user_id)


async def _in_chain(session: AsyncSession, start: int, needle: int) -> bool:
    """Whether `needle` is `start` or one of its referrers, up the chain."""
    seen: set[int] = set()
    current: int | None = start
    while current is not None:
        if current == needle or current in seen or len(seen) > MAX_CHAIN:
            return True
        seen.add(current)
        current = await session.scalar(select(User.referrer_id).where(User.id == current))
    return False


@dataclass(frozen=True, slots=True)
class InviteStats:
    code: str
    joined: int
    earned: Decimal


async def stats(session: AsyncSession, user_id: int) -> InviteStats:
    """The invite screen: the code, how many joined through it, what it earned."""
    code = await invite_code(session, user_id)
    joined = await session.scalar(select(func.count()).where(User.referrer_id == user_id))
    earned = await session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id, LedgerEntry.kind == LedgerKind.REFERRAL.value
        )
    )
    return InviteStats(code, int(joined or 0), Decimal(earned or 0))


@dataclass(frozen=True, slots=True)
class Reward:
    order_id: int
    referrer_id: int  # users.id
    amount: Decimal


@dataclass(frozen=True, slots=True)
class FinishedOrder:
    order_id: int
    user_id: int
    charge: Decimal
    refunded: Decimal  # after this transition's refund


def reward_amount(percent: Decimal, cost: Decimal, precision: int) -> Decimal:
    """`percent` of `cost`, rounded down to the currency's precision (the shop's favour: a
    reward is a gift, never more than promised)."""
    if percent <= 0 or cost <= 0:
        return ZERO
    quantum = Decimal(1).scaleb(-precision)
    return (cost * percent / 100).quantize(quantum, rounding=ROUND_DOWN)


async def reward_finished(
    session: AsyncSession,
    state: OrderState,
    finished: Sequence[FinishedOrder],
    percent: Decimal,
    precision: int,
) -> list[Reward]:
    """Credit the referrers of the customers whose orders just reached `state`, in the
    caller's transaction (the one that won the transition). Returns the rewards paid."""
    if state not in REWARDED_STATES or percent <= 0 or not finished:
        return []
    due = {
        item.order_id: (
            item.user_id,
            reward_amount(percent, item.charge - item.refunded, precision),
        )
        for item in finished
    }
    due = {order_id: pair for order_id, pair in due.items() if pair[1] > 0}
    if not due:
        return []
    rows = await session.execute(
        select(User.id, User.referrer_id).where(
            User.id.in_({user_id for user_id, _ in due.values()}),
            User.referrer_id.is_not(None),
        )
    )
    referrers: dict[int, int] = {
        user_id: referrer for user_id, referrer in rows if referrer is not None
    }
    credits = [
        ledger.Credit(
            referrers[user_id],
            amount,
            LedgerKind.REFERRAL,
            f"referral:{order_id}",
            reference=f"order:{order_id}",
            note=f"{percent}% of order {order_id}",
        )
        for order_id, (user_id, amount) in due.items()
        if user_id in referrers
    ]
    if not credits:
        return []
    applied = await ledger.credit_many(session, credits)
    return [
        Reward(int(credit.key.split(":")[1]), credit.user_id, credit.amount) for credit in applied
    ]


RESET = "reset"


def parse_percent(text: str) -> Decimal | str | None:
    """An admin's typed referral percent: 0..100, at most 2 decimals (Arabic digits welcome);
    "-" is RESET (back to REFERRAL_PERCENT); None when unreadable."""
    text = text.strip()
    if text == "-":
        return RESET
    value = parse_decimal(text.rstrip("%٪"))
    if value is None or not 0 <= value <= 100 or value != round(value, 2):
        return None
    return value


async def current_percent(sessions: async_sessionmaker[AsyncSession], default: Decimal) -> Decimal:
    async with sessions() as session:
        return await shop_settings.referral_percent(session, default)


async def set_percent(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_id: int,
    percent: Decimal | None,
    default: Decimal,
) -> Decimal:
    """Store the override (None: remove it), audited; returns the percent now in force."""
    async with sessions() as session, session.begin():
        await shop_settings.set_referral_percent(
            session, admin_id=admin_id, percent=percent, default=default
        )
    return default if percent is None else percent
