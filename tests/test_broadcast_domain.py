"""The broadcast domain without Telegram: recipients, the job's states, pacing, 429s, pause,
cancel and resuming after a restart or a crash."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shop import broadcast
from bot.shop.broadcast import (
    Control,
    Counts,
    JobState,
    Outcome,
    Pacer,
    RecipientState,
    StopReason,
)
from storage.models import AuditLog, BroadcastRecipient, User

Sessions = async_sessionmaker[AsyncSession]
ADMIN = 900_001


async def add_users(sessions: Sessions, ids: range, **values: object) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            insert(User), [{"telegram_id": i, "language": "en", **values} for i in ids]
        )


async def started_job(sessions: Sessions, exclude: frozenset[int] = frozenset()) -> int:
    job_id = await broadcast.create_draft(
        sessions, admin_telegram_id=ADMIN, from_chat_id=ADMIN, message_id=7, reply_markup=None
    )
    total = await broadcast.start(
        sessions,
        job_id,
        admin_telegram_id=ADMIN,
        progress_chat_id=ADMIN,
        progress_message_id=8,
        exclude_telegram_ids=exclude,
    )
    assert total is not None
    return job_id


async def states(sessions: Sessions, job_id: int) -> dict[int, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(User.telegram_id, BroadcastRecipient.state)
            .join(User, User.id == BroadcastRecipient.user_id)
            .where(BroadcastRecipient.broadcast_id == job_id)
        )
        return {telegram_id: state for telegram_id, state in rows}


class FakeClock:
    """Time that passes only when someone sleeps: pacing is checked exactly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class Recorder:
    """A `send` that remembers when each chat got the message and answers as told."""

    def __init__(
        self, clock: Callable[[], float], answers: dict[int, list[Outcome]] | None = None
    ) -> None:
        self.clock = clock
        self.answers = answers or {}
        self.calls: list[tuple[int, float]] = []
        self.delivered: Counter[int] = Counter()
        self.after: Callable[[int], None] | None = None

    async def __call__(self, chat_id: int) -> Outcome:
        self.calls.append((chat_id, self.clock()))
        queue = self.answers.get(chat_id)
        outcome = queue.pop(0) if queue else Outcome.sent()
        if outcome.state is RecipientState.SENT:
            self.delivered[chat_id] += 1
        if self.after is not None:
            self.after(len(self.calls))
        return outcome


def test_buttons_parse_rows_and_refuse_nonsense() -> None:
    rows = broadcast.parse_buttons(
        "Shop - https://a.example/x | Help - tg://resolve?domain=x\n\nNews - http://b.example"
    )
    assert rows == [
        [
            {"text": "Shop", "url": "https://a.example/x"},
            {"text": "Help", "url": "tg://resolve?domain=x"},
        ],
        [{"text": "News", "url": "http://b.example"}],
    ]
    for bad in (
        "",
        "Shop",
        "Shop - ftp://x",
        "Shop -https://x",
        " - https://x",
        "\n".join(f"B{i} - https://x.example" for i in range(11)),
    ):
        assert broadcast.parse_buttons(bad) is None, bad


def test_progress_helpers() -> None:
    assert broadcast.progress_bar(0, 10) == "░" * 10
    assert broadcast.progress_bar(5, 10) == "▓" * 5 + "░" * 5
    assert broadcast.progress_bar(0, 0) == "▓" * 10
    assert broadcast.percent(1, 3) == 33
    assert broadcast.eta_seconds(100, 25) == 4
    assert broadcast.format_duration(65) == "1:05"
    assert broadcast.format_duration(3725) == "1:02:05"
    assert broadcast.format_duration(None) == "—"


def test_pacer_spaces_slots_and_a_hold_moves_every_later_slot() -> None:
    clock = FakeClock()
    pacer = Pacer(25, clock)
    slots = [pacer.reserve() for _ in range(5)]
    assert [round(b - a, 6) for a, b in itertools.pairwise(slots)] == [0.04] * 4
    taken = pacer.reserve()
    pacer.hold(3)
    assert pacer.delay(taken) == pytest.approx(3)  # a slot reserved before the 429 waits too
    assert pacer.reserve() - clock() == pytest.approx(3.04)


def test_pacer_lets_a_late_sender_catch_up_a_little() -> None:
    clock = FakeClock()
    pacer = Pacer(10, clock, burst=3)
    pacer.reserve()
    clock.now += 1.0  # the sender was busy for ten slots
    delays = [round(pacer.reserve() - clock(), 6) for _ in range(4)]
    assert delays == [-0.2, -0.1, 0.0, 0.1]  # two missed slots won back, then the pace


async def test_recipients_are_active_unbanned_customers_once(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 6))
    await add_users(sessions, range(6, 8), is_active=False)
    await add_users(sessions, range(8, 9), is_banned=True)
    await add_users(sessions, range(ADMIN, ADMIN + 1))
    assert await broadcast.count_audience(sessions, frozenset({ADMIN})) == 5
    job_id = await started_job(sessions, frozenset({ADMIN}))
    assert await states(sessions, job_id) == {i: "pending" for i in range(1, 6)}
    # A second confirm (double tap) neither restarts it nor adds rows.
    assert (
        await broadcast.start(
            sessions, job_id, admin_telegram_id=ADMIN, progress_chat_id=1, progress_message_id=1
        )
        is None
    )
    assert await broadcast.counts(sessions, job_id) == Counts(pending=5)


async def test_state_machine_and_audit(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 3))
    job_id = await started_job(sessions)
    run = broadcast.transition
    assert await run(sessions, job_id, "resume", admin_telegram_id=ADMIN) is False
    assert await run(sessions, job_id, "pause", admin_telegram_id=ADMIN) is True
    assert await run(sessions, job_id, "pause", admin_telegram_id=ADMIN) is False
    assert await run(sessions, job_id, "resume", admin_telegram_id=ADMIN) is True
    assert await run(sessions, job_id, "cancel", admin_telegram_id=ADMIN) is True
    assert await run(sessions, job_id, "cancel", admin_telegram_id=ADMIN) is False
    assert await broadcast.finish(sessions, job_id) is False  # canceled stays canceled
    job = await broadcast.get(sessions, job_id)
    assert job is not None and job.state == JobState.CANCELED and job.finished_at is not None
    async with sessions() as session:
        audit = [
            (a.action, a.target, a.after)
            for a in await session.scalars(select(AuditLog).order_by(AuditLog.id))
        ]
    assert [a[0] for a in audit] == [
        "broadcast_start",
        "broadcast_pause",
        "broadcast_resume",
        "broadcast_cancel",
    ]
    assert audit[0][1] == f"broadcast:{job_id}" and audit[0][2]["recipients"] == 2
    draft = await broadcast.create_draft(
        sessions, admin_telegram_id=ADMIN, from_chat_id=1, message_id=1, reply_markup=None
    )
    assert await broadcast.set_paid(sessions, draft, True) is True
    assert await run(sessions, draft, "discard", admin_telegram_id=ADMIN) is True
    assert await broadcast.set_paid(sessions, draft, False) is False  # not a draft any more


async def test_pacing_holds_the_rate(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 51))
    job_id = await started_job(sessions)
    clock = FakeClock()
    send = Recorder(clock)
    final = await broadcast.deliver(
        sessions, job_id, send, rate=10, clock=clock, control=Control(sleep=clock.sleep)
    )
    assert final == Counts(sent=50)
    times = [t for _, t in send.calls]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 - 1e-9
    assert times[-1] - times[0] == pytest.approx(4.9)
    for start in times:  # never more than `rate` sends in any one-second window
        assert sum(1 for t in times if start <= t < start + 1) <= 10


async def test_retry_after_pauses_the_whole_job(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 31))
    job_id = await started_job(sessions)
    clock = FakeClock()
    send = Recorder(clock, {10: [Outcome.retry(5)]})
    final = await broadcast.deliver(
        sessions,
        job_id,
        send,
        rate=20,
        concurrency=1,
        clock=clock,
        control=Control(sleep=clock.sleep),
    )
    assert final == Counts(sent=30)
    refused_at = next(t for chat, t in send.calls if chat == 10)
    later = [t for _, t in send.calls if t > refused_at]
    assert later and min(later) >= refused_at + 5  # nobody was sent to during the pause
    assert send.delivered == Counter(range(1, 31))  # the refused one got it once, later


async def test_blocked_and_failed_outcomes(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 6))
    job_id = await started_job(sessions)
    clock = FakeClock()
    send = Recorder(
        clock,
        {
            2: [Outcome.blocked("Forbidden: bot was blocked by the user")],
            3: [Outcome.blocked("Forbidden: user is deactivated")],
            4: [Outcome.failed("Bad Request: message to copy not found")],
        },
    )

    async def crashing(chat_id: int) -> Outcome:
        if chat_id == 5:
            raise RuntimeError("adapter bug")
        return await send(chat_id)

    final = await broadcast.deliver(
        sessions, job_id, crashing, rate=100, clock=clock, control=Control(sleep=clock.sleep)
    )
    assert final == Counts(sent=1, blocked=2, failed=2)
    async with sessions() as session:
        active = dict((await session.execute(select(User.telegram_id, User.is_active))).all())
        errors = dict(
            (
                await session.execute(select(BroadcastRecipient.user_id, BroadcastRecipient.error))
            ).all()
        )
    assert active == {1: True, 2: False, 3: False, 4: True, 5: True}
    assert errors[4] == "Bad Request: message to copy not found" and errors[5] == "RuntimeError"


async def test_pause_then_resume_sends_everyone_once(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 41))
    job_id = await started_job(sessions)
    clock = FakeClock()
    send = Recorder(clock)
    control = Control(sleep=clock.sleep)
    send.after = lambda n: control.stop(StopReason.PAUSE) if n == 15 else None
    paused = await broadcast.deliver(
        sessions, job_id, send, rate=50, concurrency=4, clock=clock, control=control
    )
    assert 15 <= paused.sent < 40 and paused.total == 40
    assert "sending" not in (await states(sessions, job_id)).values()  # in-flight finished
    resumed = await broadcast.deliver(
        sessions, job_id, send, rate=50, clock=clock, control=Control(sleep=clock.sleep)
    )
    assert resumed == Counts(sent=40)
    assert send.delivered == Counter(range(1, 41))


async def test_cancel_leaves_the_rest_unsent(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 21))
    job_id = await started_job(sessions)
    clock = FakeClock()
    send = Recorder(clock)
    control = Control(sleep=clock.sleep)
    send.after = lambda n: control.stop(StopReason.CANCEL) if n == 5 else None
    assert await broadcast.transition(sessions, job_id, "cancel", admin_telegram_id=ADMIN)
    final = await broadcast.deliver(
        sessions, job_id, send, rate=50, concurrency=1, clock=clock, control=control
    )
    assert final == Counts(sent=5, pending=15)


async def test_restart_never_resends_sent_or_interrupted_rows(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 11))
    job_id = await started_job(sessions)
    async with sessions() as session, session.begin():  # as a crash leaves it
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        await session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.user_id.in_([ids[1], ids[2], ids[3]]))
            .values(state="sent")
        )
        await session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.user_id == ids[4])
            .values(state="sending")
        )
    assert await broadcast.running_jobs(sessions) == [job_id]
    assert await broadcast.settle_interrupted(sessions, job_id) == 1
    clock = FakeClock()
    send = Recorder(clock)
    final = await broadcast.deliver(
        sessions, job_id, send, rate=100, clock=clock, control=Control(sleep=clock.sleep)
    )
    assert sorted(send.delivered) == [5, 6, 7, 8, 9, 10]
    assert final == Counts(sent=9, failed=1)
    assert (await states(sessions, job_id))[4] == "failed"
    assert await broadcast.finish(sessions, job_id) is True
    assert await broadcast.running_jobs(sessions) == []


async def test_progress_is_reported_at_the_interval(sessions: Sessions) -> None:
    await add_users(sessions, range(1, 41))
    job_id = await started_job(sessions)
    reports: list[tuple[float, broadcast.Progress]] = []

    async def on_progress(report: broadcast.Progress) -> None:
        reports.append((time.monotonic(), report))

    began = time.monotonic()
    await broadcast.deliver(
        sessions,
        job_id,
        Recorder(time.monotonic),
        rate=50,
        control=Control(),
        on_progress=on_progress,
        progress_interval=0.2,
    )
    assert 0.75 <= time.monotonic() - began < 3  # 40 at 50/s
    times = [began] + [t for t, _ in reports]
    assert len(reports) >= 2
    assert all(b - a >= 0.2 - 0.01 for a, b in itertools.pairwise(times))
    last = reports[-1][1]
    assert last.counts.total == 40 and last.counts.sent >= 10 and 20 < last.rate < 80
