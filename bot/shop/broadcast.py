"""Broadcasts: one message copied to every active customer, as a persisted, resumable job.

A job is a `broadcasts` row (draft → running ⇄ paused → done | canceled) and one
`broadcast_recipients` row per customer, snapshotted when the admin confirms. A recipient moves
pending → sending → sent | blocked | failed; `sending` is written before the Telegram call and
the outcome after Telegram answered, so a restart never sends to anyone twice:
a graceful stop lets in-flight sends finish, and after a crash a row left in `sending` (we
cannot know whether Telegram delivered it) becomes `failed: interrupted` instead of being
re-sent.

Sending is paced globally by a token bucket below Telegram's ~30 messages/s; a 429
(retry_after) pushes the whole job's next slot back, not just one call. Everything here is
plain async Python taking a `send(chat_id) -> Outcome` callable, so it runs without Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Update,
    and_,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.rate import TokenBucket
from bot.shop import audit, users
from storage.db import changed_rows
from storage.models import Broadcast, BroadcastRecipient, User
from storage.types import utcnow

log = logging.getLogger("bot.shop.broadcast")

FREE_RATE = 25.0  # messages/s: under Telegram's ~30/s for bots
PAID_RATE = 1000.0  # with allow_paid_broadcast (charged in Stars above 30/s)
PACER_BURST = 3  # missed slots a late sender may win back
PROGRESS_INTERVAL = 3.0  # seconds between progress-message edits, at least
BATCH = 200  # recipients read per query
MAX_BUTTON_ROWS = 10
MAX_BUTTONS_PER_ROW = 4
INTERRUPTED = "interrupted"


class JobState(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELED = "canceled"


class RecipientState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


# -- outcomes of one send ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    state: RecipientState | None  # None: not sent, try again after retry_after
    reason: str | None = None
    retry_after: float = 0.0

    @classmethod
    def sent(cls) -> Outcome:
        return cls(RecipientState.SENT)

    @classmethod
    def blocked(cls, reason: str) -> Outcome:
        return cls(RecipientState.BLOCKED, reason[:255])

    @classmethod
    def failed(cls, reason: str) -> Outcome:
        return cls(RecipientState.FAILED, reason[:255])

    @classmethod
    def retry(cls, seconds: float) -> Outcome:
        return cls(None, retry_after=max(float(seconds), 0.0))


Send = Callable[[int], Awaitable[Outcome]]


# -- the admin's buttons -------------------------------------------------------------------------

_BUTTON = re.compile(r"^(?P<text>.+?)\s+-\s+(?P<url>\S+)$")
_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", re.IGNORECASE)


def parse_buttons(text: str) -> list[list[dict[str, str]]] | None:
    """Lines of `Text - https://url`; ` | ` puts several buttons on one row.
    None when any line does not fit (the admin is told the format and tries again)."""
    rows: list[list[dict[str, str]]] = []
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        row = []
        for part in line.split(" | "):
            match = _BUTTON.match(part.strip())
            if match is None or not _URL.match(match["url"]) or len(match["text"]) > 64:
                return None
            row.append({"text": match["text"].strip(), "url": match["url"]})
        rows.append(row)
    if not rows or len(rows) > MAX_BUTTON_ROWS or any(len(r) > MAX_BUTTONS_PER_ROW for r in rows):
        return None
    return rows


def keyboard_json(rows: list[list[dict[str, str]]] | None) -> dict[str, Any] | None:
    return {"inline_keyboard": rows} if rows else None


# -- the job's lifecycle (every admin action is audited in the same transaction) -----------------


async def create_draft(
    sessions: async_sessionmaker[AsyncSession],
    *,
    admin_telegram_id: int,
    from_chat_id: int,
    message_id: int,
    reply_markup: dict[str, Any] | None,
) -> int:
    async with sessions() as session, session.begin():
        job = Broadcast(
            admin_telegram_id=admin_telegram_id,
            from_chat_id=from_chat_id,
            message_id=message_id,
            reply_markup=reply_markup,
            state=JobState.DRAFT,
        )
        session.add(job)
        await session.flush()
        return job.id


async def _changed(session: AsyncSession, statement: Update) -> int:
    """Rows a guarded UPDATE changed: 1 when the transition happened, 0 when lost to another."""
    return changed_rows(await session.execute(statement))


async def get(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Broadcast | None:
    async with sessions() as session:
        return await session.get(Broadcast, job_id)


async def set_paid(sessions: async_sessionmaker[AsyncSession], job_id: int, paid: bool) -> bool:
    """Only a draft can change how it will be sent."""
    async with sessions() as session, session.begin():
        changed = await _changed(
            session,
            update(Broadcast)
            .where(Broadcast.id == job_id, Broadcast.state == JobState.DRAFT)
            .values(paid=paid),
        )
        return changed == 1


def _recipients(exclude_telegram_ids: frozenset[int]) -> Any:
    """Who receives a broadcast: active, not banned customers (admins have the preview)."""
    query = select(User.id).where(User.is_active.is_(True), User.is_banned.is_(False))
    if exclude_telegram_ids:
        query = query.where(User.telegram_id.not_in(exclude_telegram_ids))
    return query


async def count_audience(
    sessions: async_sessionmaker[AsyncSession], exclude_telegram_ids: frozenset[int] = frozenset()
) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(_recipients(exclude_telegram_ids).subquery())
        return int(await session.scalar(query) or 0)


async def start(
    sessions: async_sessionmaker[AsyncSession],
    job_id: int,
    *,
    admin_telegram_id: int,
    progress_chat_id: int,
    progress_message_id: int,
    exclude_telegram_ids: frozenset[int] = frozenset(),
) -> int | None:
    """draft → running, snapshotting the recipients; None when it was not a draft (a double
    tap). Returns the number of recipients."""
    async with sessions() as session, session.begin():
        changed = await _changed(
            session,
            update(Broadcast)
            .where(Broadcast.id == job_id, Broadcast.state == JobState.DRAFT)
            .values(
                state=JobState.RUNNING,
                started_at=utcnow(),
                progress_chat_id=progress_chat_id,
                progress_message_id=progress_message_id,
            ),
        )
        if changed != 1:
            return None
        recipients = _recipients(exclude_telegram_ids).add_columns(
            literal(job_id, Integer),
            literal(RecipientState.PENDING.value, String(16)),
        )
        await session.execute(
            insert(BroadcastRecipient).from_select(["user_id", "broadcast_id", "state"], recipients)
        )
        total = int(
            await session.scalar(
                select(func.count()).where(BroadcastRecipient.broadcast_id == job_id)
            )
            or 0
        )
        await _audit(
            session,
            admin_telegram_id,
            "broadcast_start",
            job_id,
            {"state": JobState.DRAFT.value},
            {"state": JobState.RUNNING.value, "recipients": total},
        )
    return total


_TRANSITIONS = {
    "pause": ((JobState.RUNNING,), JobState.PAUSED),
    "resume": ((JobState.PAUSED,), JobState.RUNNING),
    "cancel": ((JobState.RUNNING, JobState.PAUSED), JobState.CANCELED),
    "discard": ((JobState.DRAFT,), JobState.CANCELED),  # the admin dropped the preview
}


async def transition(
    sessions: async_sessionmaker[AsyncSession],
    job_id: int,
    action: str,
    *,
    admin_telegram_id: int,
) -> bool:
    """pause / resume / cancel / discard as a compare-and-set; False when the job was not in a state
    that allows it (already finished, a stale button)."""
    sources, target = _TRANSITIONS[action]
    async with sessions() as session, session.begin():
        before = await session.scalar(select(Broadcast.state).where(Broadcast.id == job_id))
        if before not in sources:
            return False
        values: dict[str, Any] = {"state": target}
        if target is JobState.CANCELED:
            values["finished_at"] = utcnow()
        changed = await _changed(
            session,
            update(Broadcast)
            .where(Broadcast.id == job_id, Broadcast.state == before)
            .values(**values),
        )
        if changed != 1:
            return False
        await _audit(
            session,
            admin_telegram_id,
            f"broadcast_{action}",
            job_id,
            {"state": before},
            {"state": target.value},
        )
    return True


async def finish(sessions: async_sessionmaker[AsyncSession], job_id: int) -> bool:
    """running → done, once nobody is left pending."""
    async with sessions() as session, session.begin():
        changed = await _changed(
            session,
            update(Broadcast)
            .where(Broadcast.id == job_id, Broadcast.state == JobState.RUNNING)
            .values(state=JobState.DONE, finished_at=utcnow()),
        )
        return changed == 1


async def running_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Broadcast.id)
                .where(Broadcast.state == JobState.RUNNING)
                .order_by(Broadcast.id)
            )
        )


async def settle_interrupted(sessions: async_sessionmaker[AsyncSession], job_id: int) -> int:
    """After a crash: rows caught mid-send may or may not have been delivered; never risk a
    second copy. Only called before a job's runner starts, so no send is in flight."""
    async with sessions() as session, session.begin():
        changed = await _changed(
            session,
            update(BroadcastRecipient)
            .where(
                BroadcastRecipient.broadcast_id == job_id,
                BroadcastRecipient.state == RecipientState.SENDING,
            )
            .values(state=RecipientState.FAILED, error=INTERRUPTED),
        )
        return changed


async def _audit(
    session: AsyncSession,
    admin_telegram_id: int,
    action: str,
    job_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(session, admin_telegram_id, action, f"broadcast:{job_id}", before, after)


# -- counting ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    pending: int = 0  # pending and in flight

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed + self.pending

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


async def counts(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Counts:
    async with sessions() as session:
        rows = await session.execute(
            select(BroadcastRecipient.state, func.count())
            .where(BroadcastRecipient.broadcast_id == job_id)
            .group_by(BroadcastRecipient.state)
        )
        by_state = {state: int(n) for state, n in rows}
    return Counts(
        sent=by_state.get(RecipientState.SENT, 0),
        blocked=by_state.get(RecipientState.BLOCKED, 0),
        failed=by_state.get(RecipientState.FAILED, 0),
        pending=by_state.get(RecipientState.PENDING, 0) + by_state.get(RecipientState.SENDING, 0),
    )


def progress_bar(done: int, total: int, width: int = 10) -> str:
    filled = width if total <= 0 else min(width, done * width // total)
    return "▓" * filled + "░" * (width - filled)


def percent(done: int, total: int) -> int:
    return 100 if total <= 0 else done * 100 // total


def eta_seconds(pending: int, rate: float) -> int | None:
    return None if rate <= 0 else math.ceil(pending / rate)


def format_duration(seconds: float | None) -> str:
    """`m:ss` or `h:mm:ss`: the same digits in every language."""
    if seconds is None:
        return "—"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


# -- pacing ------------------------------------------------------------------------------------


class Pacer:
    """The bot's token bucket (bot.rate) as a pace: slots `1/rate` apart, shared by every
    concurrent send of a job. A small burst lets a late sender (a slow database write, network
    jitter) win back up to `burst − 1` missed slots, so the average holds the rate: at most
    rate + burst − 1 sends in any second (27 of Telegram's 30 by default). A 429 holds every
    slot until `retry_after` has passed: the whole job pauses."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, burst: int = PACER_BURST
    ) -> None:
        self.clock = clock
        # A job begins at the pace, with one slot rather than a full burst.
        self._bucket = TokenBucket(rate, burst, clock(), full=False)
        self._hold_until = 0.0

    def reserve(self) -> float:
        """Take the next slot; returns its time on `clock`."""
        return self._bucket.reserve(self.clock())

    def delay(self, slot: float) -> float:
        """How long until a reserved slot may be used (a later hold postpones it)."""
        return max(slot, self._hold_until) - self.clock()

    def hold(self, seconds: float) -> None:
        self._hold_until = max(self._hold_until, self.clock() + seconds)
        self._bucket.hold(self._hold_until)


# -- running a job -----------------------------------------------------------------------------


class StopReason(StrEnum):
    PAUSE = "pause"
    CANCEL = "cancel"
    SHUTDOWN = "shutdown"


@dataclass
class Control:
    """How the outside asks a running job to stop; in-flight sends always finish first."""

    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    reason: StopReason | None = None
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self, reason: StopReason) -> None:
        if self.reason is None:
            self.reason = reason
        self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    async def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when asked to stop."""
        if seconds <= 0 or self.stopped:
            return
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        waiter = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waiter):
                task.cancel()


@dataclass(frozen=True, slots=True)
class Progress:
    counts: Counts
    rate: float  # recipients settled per second in this run (or the pacer's rate at first)
    elapsed: float


Report = Callable[[Progress], Awaitable[None]]


async def deliver(
    sessions: async_sessionmaker[AsyncSession],
    job_id: int,
    send: Send,
    *,
    rate: float,
    control: Control,
    concurrency: int | None = None,
    on_progress: Report | None = None,
    progress_interval: float = PROGRESS_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> Counts:
    """Send to every pending recipient until none is left or `control` stops the run.
    Returns the counts at the end; the caller decides what the end means (done, paused…)."""
    pacer = Pacer(rate, clock)
    # Enough sends in flight to keep the pace despite network latency, no more.
    limit = asyncio.Semaphore(concurrency or max(2, min(64, math.ceil(rate / 5))))
    in_flight: set[asyncio.Task[None]] = set()
    started, settled = clock(), 0

    async def one(user_id: int, telegram_id: int) -> None:
        nonlocal settled
        try:
            try:
                outcome = await send(telegram_id)
            except Exception as exc:  # a bug in the adapter must not kill the job
                log.exception("broadcast %s: send to %s raised", job_id, telegram_id)
                outcome = Outcome.failed(type(exc).__name__)
            if outcome.state is None:
                log.info("broadcast %s: 429, pausing %.1f s", job_id, outcome.retry_after)
                pacer.hold(outcome.retry_after)
            else:
                settled += 1
            await _record(sessions, job_id, user_id, outcome)
            if outcome.state is RecipientState.BLOCKED:
                await users.mark_inactive(sessions, telegram_id)
        finally:
            limit.release()

    async def report() -> None:
        assert on_progress is not None
        while not control.stopped:
            await control.wait(progress_interval)
            if control.stopped:
                return
            elapsed = clock() - started
            current = settled / elapsed if elapsed > 0 and settled else rate
            try:
                await on_progress(Progress(await counts(sessions, job_id), current, elapsed))
            except Exception:  # progress is a courtesy; the job goes on
                log.exception("broadcast %s: progress report failed", job_id)

    reporter = asyncio.ensure_future(report()) if on_progress else None
    try:
        while not control.stopped:
            batch = await _pending(sessions, job_id)
            if not batch:
                if not in_flight:
                    break
                await asyncio.wait(in_flight)  # a 429'd send may put its row back
                continue
            for user_id, telegram_id in batch:
                await limit.acquire()
                slot = pacer.reserve()
                while (delay := pacer.delay(slot)) > 0 and not control.stopped:
                    await control.wait(delay)
                if control.stopped or not await _claim(sessions, job_id, user_id):
                    limit.release()
                    if control.stopped:
                        break
                    continue
                task = asyncio.ensure_future(one(user_id, telegram_id))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
    finally:
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
        if reporter is not None:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)
    return await counts(sessions, job_id)


async def _pending(
    sessions: async_sessionmaker[AsyncSession], job_id: int
) -> list[tuple[int, int]]:
    async with sessions() as session:
        rows = await session.execute(
            select(BroadcastRecipient.user_id, User.telegram_id)
            .join(User, User.id == BroadcastRecipient.user_id)
            .where(
                BroadcastRecipient.broadcast_id == job_id,
                BroadcastRecipient.state == RecipientState.PENDING,
            )
            .order_by(BroadcastRecipient.user_id)
            .limit(BATCH)
        )
        return [(int(user_id), int(telegram_id)) for user_id, telegram_id in rows]


def _row(job_id: int, user_id: int, state: RecipientState) -> Any:
    return and_(
        BroadcastRecipient.broadcast_id == job_id,
        BroadcastRecipient.user_id == user_id,
        BroadcastRecipient.state == state,
    )


async def _claim(sessions: async_sessionmaker[AsyncSession], job_id: int, user_id: int) -> bool:
    """pending → sending; False when someone else (another runner) took the row."""
    async with sessions() as session, session.begin():
        changed = await _changed(
            session,
            update(BroadcastRecipient)
            .where(_row(job_id, user_id, RecipientState.PENDING))
            .values(state=RecipientState.SENDING),
        )
        return changed == 1


async def _record(
    sessions: async_sessionmaker[AsyncSession], job_id: int, user_id: int, outcome: Outcome
) -> None:
    values: dict[str, Any]
    if outcome.state is None:
        values = {"state": RecipientState.PENDING}  # not sent: back in the queue
    else:
        sent_at: datetime | None = utcnow() if outcome.state is RecipientState.SENT else None
        values = {"state": outcome.state, "error": outcome.reason, "sent_at": sent_at}
    async with sessions() as session, session.begin():
        await session.execute(
            update(BroadcastRecipient)
            .where(_row(job_id, user_id, RecipientState.SENDING))
            .values(**values)
        )
