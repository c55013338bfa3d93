"""The Telegram side of broadcasts: copyMessage as a `send`, the progress message, the report,
and the runners of this process (started, paused, resumed after a restart, stopped at exit)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from bot.context import Shop
from bot.shop import broadcast, users
from bot.shop.broadcast import Control, Counts, JobState, Outcome, Progress, StopReason
from bot.telegram.bot_api_retry import no_retry
from keyboards import broadcast as kb
from storage.models import Broadcast

log = logging.getLogger("bot.shop.broadcast")
SHUTDOWN_GRACE = 10.0  # seconds in-flight sends get to finish at exit
_GONE = ("chat not found", "user is deactivated", "bot was blocked")


def copier(bot: Bot, job: Broadcast) -> broadcast.Send:
    """copyMessage of the admin's message with their buttons; every answer is an Outcome.
    Flood control is the job's business: no retry here."""
    markup = kb.url_buttons((job.reply_markup or {}).get("inline_keyboard"))
    paid = True if job.paid else None

    async def send(chat_id: int) -> Outcome:
        try:
            with no_retry():  # a 429 pauses the whole job (bot.shop.broadcast), not this message
                await bot.copy_message(
                    chat_id=chat_id,
                    from_chat_id=job.from_chat_id,
                    message_id=job.message_id,
                    reply_markup=markup,
                    allow_paid_broadcast=paid,
                )
        except TelegramRetryAfter as exc:
            return Outcome.retry(exc.retry_after)
        except TelegramForbiddenError as exc:
            return Outcome.blocked(exc.message)
        except TelegramBadRequest as exc:
            if any(gone in exc.message.lower() for gone in _GONE):
                return Outcome.blocked(exc.message)
            return Outcome.failed(exc.message)
        except TelegramAPIError as exc:  # network errors included: never risk a second copy
            return Outcome.failed(str(exc))
        return Outcome.sent()

    return send


class BroadcastManager:
    """Owns the running broadcasts of this process; handlers get it injected as `broadcasts`."""

    def __init__(self, bot: Bot, shop: Shop) -> None:
        self.bot = bot
        self.shop = shop
        self._runs: dict[int, tuple[asyncio.Task[None], Control]] = {}
        self._resumer: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def resume_running(self) -> None:
        """At startup: carry on with every broadcast that was running when the bot stopped."""
        self._resumer = asyncio.create_task(self._resume_all())

    async def _resume_all(self) -> None:
        for job_id in await broadcast.running_jobs(self.shop.sessions):
            log.info("resuming broadcast %s", job_id)
            self.launch(job_id)

    async def shutdown(self) -> None:
        """In-flight sends finish and are recorded; the jobs stay `running` for the next start."""
        if self._resumer is not None:
            self._resumer.cancel()
        runs = list(self._runs.values())
        for _, control in runs:
            control.stop(StopReason.SHUTDOWN)
        tasks = [task for task, _ in runs]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def launch(self, job_id: int) -> None:
        if job_id in self._runs:
            return
        control = Control()
        task = asyncio.create_task(self._run(job_id, control))
        self._runs[job_id] = (task, control)

    # -- the admin's buttons --------------------------------------------------------------------

    async def pause(self, job_id: int, admin_id: int) -> bool:
        if not await broadcast.transition(
            self.shop.sessions, job_id, "pause", admin_telegram_id=admin_id
        ):
            return False
        if not self._stop(job_id, StopReason.PAUSE):  # no runner here: show it ourselves
            await self._show(job_id, JobState.PAUSED)
        return True

    async def resume(self, job_id: int, admin_id: int) -> bool:
        if not await broadcast.transition(
            self.shop.sessions, job_id, "resume", admin_telegram_id=admin_id
        ):
            return False
        self.launch(job_id)
        return True

    async def cancel(self, job_id: int, admin_id: int) -> bool:
        if not await broadcast.transition(
            self.shop.sessions, job_id, "cancel", admin_telegram_id=admin_id
        ):
            return False
        if not self._stop(job_id, StopReason.CANCEL):
            await self._finished(job_id, JobState.CANCELED)
        return True

    def _stop(self, job_id: int, reason: StopReason) -> bool:
        run = self._runs.get(job_id)
        if run is None:
            return False
        run[1].stop(reason)
        return True

    # -- a run ----------------------------------------------------------------------------------

    async def _run(self, job_id: int, control: Control) -> None:
        try:
            job = await broadcast.get(self.shop.sessions, job_id)
            if job is None or job.state != JobState.RUNNING:
                return
            settled = await broadcast.settle_interrupted(self.shop.sessions, job_id)
            if settled:
                log.warning("broadcast %s: %s sends interrupted by a crash", job_id, settled)
            rate = broadcast.PAID_RATE if job.paid else broadcast.FREE_RATE
            await self._show(job_id, JobState.RUNNING, job=job)

            async def progress(report: Progress) -> None:
                await self._show(job_id, JobState.RUNNING, job=job, report=report)

            await broadcast.deliver(
                self.shop.sessions,
                job_id,
                copier(self.bot, job),
                rate=rate,
                control=control,
                on_progress=progress,
            )
            if control.reason is StopReason.PAUSE:
                await self._show(job_id, JobState.PAUSED)
            elif control.reason is StopReason.CANCEL:
                await self._finished(job_id, JobState.CANCELED)
            elif control.reason is None and await broadcast.finish(self.shop.sessions, job_id):
                await self._finished(job_id, JobState.DONE)
        except Exception:
            log.exception("broadcast %s stopped by an error; it resumes at the next start", job_id)
        finally:
            self._runs.pop(job_id, None)

    # -- what the admin sees --------------------------------------------------------------------

    async def _language(self, job: Broadcast) -> str:
        user = await users.by_telegram_id(self.shop.sessions, job.admin_telegram_id)
        return (user.language if user else None) or self.shop.settings.default_language

    async def render(
        self,
        job: Broadcast,
        state: JobState,
        counts: Counts,
        *,
        rate: float | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        language = await self._language(job)

        def t(key: str, **kwargs: Any) -> str:
            return self.shop.translate(language, key, **kwargs)

        rate = rate or (broadcast.PAID_RATE if job.paid else broadcast.FREE_RATE)
        eta = broadcast.eta_seconds(counts.pending, rate) if state is JobState.RUNNING else None
        text = t(
            "bc-progress",
            id=job.id,
            state=t(f"bc-state-{state.value}"),
            bar=broadcast.progress_bar(counts.done, counts.total),
            percent=broadcast.percent(counts.done, counts.total),
            sent=counts.sent,
            blocked=counts.blocked,
            failed=counts.failed,
            pending=counts.pending,
            total=counts.total,
            eta=broadcast.format_duration(eta),
        )
        markup = None
        if state in (JobState.RUNNING, JobState.PAUSED):
            markup = kb.progress(t, job.id, paused=state is JobState.PAUSED)
        return text, markup

    async def _show(
        self,
        job_id: int,
        state: JobState,
        *,
        job: Broadcast | None = None,
        report: Progress | None = None,
    ) -> None:
        job = job or await broadcast.get(self.shop.sessions, job_id)
        if job is None or job.progress_chat_id is None or job.progress_message_id is None:
            return
        counts = report.counts if report else await broadcast.counts(self.shop.sessions, job_id)
        text, markup = await self.render(job, state, counts, rate=report.rate if report else None)
        try:
            with no_retry():  # a progress edit is not worth waiting for: the next tick shows it
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=job.progress_chat_id,
                    message_id=job.progress_message_id,
                    reply_markup=markup,
                )
        except TelegramRetryAfter:
            pass  # the next tick shows it
        except TelegramAPIError as exc:
            if "not modified" not in str(exc):
                log.info("broadcast %s: progress not shown: %s", job_id, exc)

    async def _finished(self, job_id: int, state: JobState) -> None:
        """The progress message's last state, and a report as a new message (it notifies)."""
        await self._show(job_id, state)
        job = await broadcast.get(self.shop.sessions, job_id)
        if job is None or job.progress_chat_id is None:
            return
        counts = await broadcast.counts(self.shop.sessions, job_id)
        started = job.started_at or job.created_at
        ended = job.finished_at or started
        language = await self._language(job)
        key = "bc-report-done" if state is JobState.DONE else "bc-report-canceled"
        text = self.shop.translate(
            language,
            key,
            id=job.id,
            sent=counts.sent,
            blocked=counts.blocked,
            failed=counts.failed,
            pending=counts.pending,
            total=counts.total,
            duration=broadcast.format_duration((ended - started).total_seconds()),
        )
        with contextlib.suppress(TelegramAPIError):
            await self.bot.send_message(job.progress_chat_id, text)
