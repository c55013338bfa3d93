"""Promo codes: a fixed balance credit, or a percent bonus on the customer's next top-up.

A code is stored upper case and looked up case-insensitively (Arabic-Indic digits typed in a
code count as ASCII digits). One use per customer is a unique constraint on the redemption;
the maximum uses hold under concurrency because a use is taken by one conditional UPDATE
(`uses = uses + 1 WHERE uses < max_uses`) whose matched rows say whether it was won, in the
same savepoint as the redemption row: a customer who already used the code gives the use back.

Money: a credit is the ledger entry `promo:<code id>:<user id>`; a bonus waits as a pending
redemption and is paid by apply_topup_bonus in the top-up's own transaction under
`promo_bonus:<topup ref>`. A refunded top-up takes its bonus back (as far as the balance
allows) under `promo_bonus_back:<topup ref>`. Every redemption and admin action is audited.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.money import ZERO, round_down
from bot.shop import audit, ledger
from bot.shop.digits import BIDI_MARKS, normalize_digits, parse_decimal, parse_int
from storage.models import LedgerKind, PromoCode, PromoKind, PromoRedemption, User
from storage.types import utcnow

CODE_PATTERN = re.compile(r"[A-Z0-9_-]{3,32}")
MAX_PERCENT = Decimal(100)
MAX_USES = 1_000_000
MAX_DAYS = 3650
Sessions = async_sessionmaker[AsyncSession]


def normalize_code(text: str) -> str | None:
    """The stored form of a typed code (upper case, ASCII digits), or None if it cannot be one."""
    code = normalize_digits(BIDI_MARKS.sub("", text)).strip().upper()
    return code if CODE_PATTERN.fullmatch(code) else None


# -- creating ----------------------------------------------------------------------------------


class Problem(StrEnum):
    SYNTAX = "syntax"
    BAD_CODE = "bad_code"
    BAD_AMOUNT = "bad_amount"
    BAD_PERCENT = "bad_percent"
    BAD_USES = "bad_uses"
    BAD_DAYS = "bad_days"
    EXISTS = "exists"


@dataclass(frozen=True, slots=True)
class NewPromo:
    code: str
    kind: PromoKind
    value: Decimal
    max_uses: int | None = None
    days: int | None = None


def parse_value(text: str, precision: int) -> tuple[PromoKind, Decimal] | Problem:
    """`10` (a credit of 10) or `10%` (a 10 % top-up bonus); Arabic digits welcome."""
    text = normalize_digits(text.strip()).replace("٪", "%")
    if text.endswith("%"):
        percent = parse_decimal(text[:-1])
        if percent is None or not 0 < percent <= MAX_PERCENT or percent != round(percent, 2):
            return Problem.BAD_PERCENT
        return PromoKind.BONUS, percent
    amount = parse_decimal(text)
    if amount is None or amount <= 0 or amount != round_down(amount, precision):
        return Problem.BAD_AMOUNT
    if amount > Decimal(10) ** 9:
        return Problem.BAD_AMOUNT
    return PromoKind.CREDIT, amount


def parse_limit(text: str, upper: int) -> int | None:
    value = parse_int(text)
    return value if value is not None and 0 < value <= upper else None


def parse_newpromo(args: str | None, precision: int) -> NewPromo | Problem:
    """`CODE AMOUNT [uses=N] [days=N]` or `CODE PERCENT% [uses=N] [days=N]`."""
    words = (args or "").split()
    if len(words) < 2 or len(words) > 4:
        return Problem.SYNTAX
    code = normalize_code(words[0])
    if code is None:
        return Problem.BAD_CODE
    value = parse_value(words[1], precision)
    if isinstance(value, Problem):
        return value
    uses: int | None = None
    days: int | None = None
    for word in words[2:]:
        name, _, raw = word.partition("=")
        name = name.lower()
        if name == "uses" and uses is None:
            uses = parse_limit(raw, MAX_USES)
            if uses is None:
                return Problem.BAD_USES
        elif name == "days" and days is None:
            days = parse_limit(raw, MAX_DAYS)
            if days is None:
                return Problem.BAD_DAYS
        else:
            return Problem.SYNTAX
    return NewPromo(code, value[0], value[1], uses, days)


async def create(
    sessions: Sessions, admin_id: int, new: NewPromo, now: datetime | None = None
) -> PromoCode | Problem:
    """Store a new code with its audit row; Problem.EXISTS when the code is taken."""
    now = now or utcnow()
    expires = now + timedelta(days=new.days) if new.days else None
    try:
        async with sessions() as session, session.begin():
            promo = PromoCode(
                code=new.code,
                kind=new.kind.value,
                value=new.value,
                max_uses=new.max_uses,
                uses=0,
                expires_at=expires,
                disabled=False,
                created_by=admin_id,
                created_at=now,
            )
            session.add(promo)
            await session.flush()
            audit.record(
                session,
                admin_id,
                "promo.create",
                f"promo:{promo.id}",
                None,
                {
                    "code": new.code,
                    "kind": new.kind.value,
                    "value": str(new.value),
                    "max_uses": new.max_uses,
                    "expires_at": expires.isoformat() if expires else None,
                },
            )
    except IntegrityError:
        return Problem.EXISTS
    return promo


async def list_codes(sessions: Sessions, limit: int = 50) -> list[PromoCode]:
    async with sessions() as session:
        return list(
            await session.scalars(select(PromoCode).order_by(PromoCode.id.desc()).limit(limit))
        )


async def get(sessions: Sessions, promo_id: int) -> PromoCode | None:
    async with sessions() as session:
        return await session.get(PromoCode, promo_id)


async def disable(sessions: Sessions, admin_id: int, promo_id: int) -> PromoCode | None:
    """Stop a code from being redeemed (pending bonuses stay due); audited. None: no such code."""
    async with sessions() as session, session.begin():
        promo = await session.get(PromoCode, promo_id)
        if promo is None:
            return None
        if not promo.disabled:
            promo.disabled = True
            audit.record(
                session,
                admin_id,
                "promo.disable",
                f"promo:{promo.id}",
                {"disabled": False},
                {"disabled": True, "code": promo.code},
            )
    return promo


# -- redeeming ---------------------------------------------------------------------------------


class Redeem(StrEnum):
    CREDITED = "credited"
    BONUS_PENDING = "bonus_pending"
    INVALID = "invalid"  # not a code's shape
    NOT_FOUND = "not_found"  # unknown or disabled
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # every use taken
    ALREADY = "already"  # this customer used it before
    BONUS_WAITING = "bonus_waiting"  # a bonus from another code waits for a top-up already


@dataclass(frozen=True, slots=True)
class Redemption:
    status: Redeem
    code: str = ""
    value: Decimal = ZERO  # the credit, or the bonus percent
    balance: Decimal | None = None


class _Refused(Exception):
    def __init__(self, status: Redeem) -> None:
        self.status = status


def _usable(now: datetime) -> list[object]:
    table = PromoCode.__table__.c
    return [
        table.disabled.is_(False),
        or_(table.max_uses.is_(None), table.uses < table.max_uses),
        or_(table.expires_at.is_(None), table.expires_at > now),
    ]


async def redeem(
    sessions: Sessions, *, user_id: int, telegram_id: int, text: str, now: datetime | None = None
) -> Redemption:
    """Redeem a typed code for a customer: exactly once per customer, within the code's uses."""
    code = normalize_code(text)
    if code is None:
        return Redemption(Redeem.INVALID)
    now = now or utcnow()
    try:
        async with sessions() as session, session.begin():
            return await _redeem(session, user_id, telegram_id, code, now)
    except _Refused as refused:
        return Redemption(refused.status, code)


async def _redeem(
    session: AsyncSession, user_id: int, telegram_id: int, code: str, now: datetime
) -> Redemption:
    promo = await session.scalar(select(PromoCode).where(PromoCode.code == code))
    if promo is None or promo.disabled:
        return Redemption(Redeem.NOT_FOUND, code)
    if promo.expires_at is not None and promo.expires_at <= now:
        return Redemption(Redeem.EXPIRED, code)
    used = await session.scalar(
        select(PromoRedemption.id).where(
            PromoRedemption.promo_id == promo.id, PromoRedemption.user_id == user_id
        )
    )
    if used is not None:
        return Redemption(Redeem.ALREADY, code)
    kind = PromoKind(promo.kind)
    if kind is PromoKind.BONUS and await pending_bonus(session, user_id) is not None:
        return Redemption(Redeem.BONUS_WAITING, code)
    try:
        async with session.begin_nested():  # the use and the row commit or vanish together
            taken = await session.execute(
                update(PromoCode)
                .where(PromoCode.id == promo.id, *_usable(now))  # type: ignore[arg-type]
                .values(uses=PromoCode.uses + 1)
                .execution_options(synchronize_session=False)
            )
            if not taken.rowcount:  # type: ignore[attr-defined]
                raise _Refused(Redeem.EXHAUSTED)
            session.add(
                PromoRedemption(
                    promo_id=promo.id,
                    user_id=user_id,
                    kind=kind.value,
                    value=promo.value,
                    created_at=now,
                )
            )
            await session.flush()
    except IntegrityError:  # a racing redemption by the same customer won
        return Redemption(Redeem.ALREADY, code)
    audit.record(
        session,
        telegram_id,
        "promo.redeem",
        f"promo:{promo.id}",
        None,
        {"code": code, "kind": kind.value, "value": str(promo.value), "user_id": user_id},
    )
    if kind is PromoKind.BONUS:
        return Redemption(Redeem.BONUS_PENDING, code, promo.value)
    posting = await ledger.apply(
        session,
        user_id=user_id,
        amount=promo.value,
        kind=LedgerKind.PROMO,
        key=f"promo:{promo.id}:{user_id}",
        reference=f"promo:{promo.id}",
        note=code,
    )
    return Redemption(Redeem.CREDITED, code, promo.value, posting.entry.balance_after)


async def pending_bonus(session: AsyncSession, user_id: int) -> PromoRedemption | None:
    """The customer's bonus waiting for a top-up (the oldest, should there be several)."""
    return await session.scalar(
        select(PromoRedemption)
        .where(
            PromoRedemption.user_id == user_id,
            PromoRedemption.kind == PromoKind.BONUS.value,
            PromoRedemption.applied_at.is_(None),
        )
        .order_by(PromoRedemption.id)
        .limit(1)
    )


async def pending_bonus_percent(sessions: Sessions, user_id: int) -> Decimal | None:
    async with sessions() as session:
        pending = await pending_bonus(session, user_id)
    return None if pending is None else pending.value


# -- the top-up bonus --------------------------------------------------------------------------


def _key(prefix: str, topup_ref: str) -> str:
    key = f"{prefix}:{topup_ref}"
    if len(key) <= 191:
        return key
    return f"{prefix}:#{hashlib.sha256(topup_ref.encode()).hexdigest()}"  # still unique


def bonus_key(topup_ref: str) -> str:
    return _key("promo_bonus", topup_ref)


async def apply_topup_bonus(
    session: AsyncSession,
    user_id: int,
    topup_amount: Decimal,
    topup_ref: str,
    *,
    precision: int = 2,
) -> Decimal | None:
    """Pay the customer's pending bonus on a successful top-up of `topup_amount`, in the
    caller's (the top-up's) transaction; `topup_ref` names the top-up uniquely (e.g.
    `stars:<charge id>`). Returns the bonus paid, or None (no pending bonus, or paid before).
    The bonus rounds down to the currency's `precision` (a gift, never more than promised)."""
    key = bonus_key(topup_ref)
    if topup_amount <= 0 or await ledger.entry_for_key(session, key) is not None:
        return None
    pending = await pending_bonus(session, user_id)
    if pending is None:
        return None
    bonus = round_down(topup_amount * pending.value / 100, precision)
    claimed = await session.execute(
        update(PromoRedemption)
        .where(PromoRedemption.id == pending.id, PromoRedemption.applied_at.is_(None))
        .values(applied_at=utcnow(), topup_ref=topup_ref[:191], bonus=bonus)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount or bonus <= 0:  # type: ignore[attr-defined]
        return None  # a racing top-up took it; or a bonus too small to pay (the code is used)
    await ledger.apply(
        session,
        user_id=user_id,
        amount=bonus,
        kind=LedgerKind.PROMO_BONUS,
        key=key,
        reference=f"promo:{pending.promo_id}",
        note=f"{pending.value}% of {topup_amount}",
    )
    return bonus


async def take_back_bonus(session: AsyncSession, topup_ref: str) -> Decimal:
    """A refunded top-up gives back the bonus it paid, as far as the balance allows (never
    below zero), once. Returns what was taken back."""
    key = bonus_key(topup_ref)
    paid = await ledger.entry_for_key(session, key)
    back_key = _key("promo_bonus_back", topup_ref)
    if paid is None or await ledger.entry_for_key(session, back_key) is not None:
        return ZERO
    balance = await session.scalar(
        select(User.balance).where(User.id == paid.user_id).with_for_update()
    )
    amount = min(paid.amount, balance or ZERO)
    if amount <= 0:
        return ZERO
    await ledger.apply(
        session,
        user_id=paid.user_id,
        amount=-amount,
        kind=LedgerKind.PROMO_BONUS,
        key=back_key,
        reference=paid.reference,
        note="top-up refunded",
    )
    return amount


async def restore_bonus(session: AsyncSession, topup_ref: str) -> Decimal:
    """A top-up refund that Telegram refused: the bonus taken back is given back, once."""
    taken = await ledger.entry_for_key(session, _key("promo_bonus_back", topup_ref))
    if taken is None:
        return ZERO
    posting = await ledger.apply(
        session,
        user_id=taken.user_id,
        amount=-taken.amount,
        kind=LedgerKind.PROMO_BONUS,
        key=_key("promo_bonus_restore", topup_ref),
        reference=taken.reference,
        note="top-up refund refused",
    )
    return -taken.amount if posting.applied else ZERO
