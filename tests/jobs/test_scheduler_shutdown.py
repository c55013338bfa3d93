"""Stopping the scheduler while jobs run or are just submitted logs no errors."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.scheduler import QUIET_SHUTDOWN

EXECUTOR_LOG = logging.getLogger("apscheduler.executors.default")


async def _stop_with_jobs_in_flight() -> None:
    running = asyncio.Event()

    async def hangs() -> None:
        running.set()
        await asyncio.sleep(3600)

    async def quick() -> None:
        await asyncio.sleep(0)

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(hangs, "interval", seconds=60, next_run_time=datetime.now(UTC))
    scheduler.start()
    await asyncio.wait_for(running.wait(), 5)
    scheduler.add_job(quick, next_run_time=datetime.now(UTC))  # submitted, not yet started
    for _ in range(3):
        await asyncio.sleep(0)
    scheduler.shutdown(wait=False)
    for _ in range(5):
        await asyncio.sleep(0)


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno >= logging.ERROR
    ]


async def test_cancelled_jobs_at_shutdown_are_not_logged_as_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="apscheduler")
    await _stop_with_jobs_in_flight()
    assert _errors(caplog) == []
    assert any("Running job" in r.getMessage() for r in caplog.records)  # the jobs did run


async def test_without_the_filter_apscheduler_logs_the_cancellation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="apscheduler")
    EXECUTOR_LOG.removeFilter(QUIET_SHUTDOWN)
    try:
        await _stop_with_jobs_in_flight()
    finally:
        EXECUTOR_LOG.addFilter(QUIET_SHUTDOWN)
    errors = _errors(caplog)
    assert errors  # "Job … raised an exception" for the running one, "Error running job" else
    assert all(r.exc_info and r.exc_info[0] is asyncio.CancelledError for r in errors)


def test_real_failures_still_get_through() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = EXECUTOR_LOG.makeRecord(
            EXECUTOR_LOG.name,
            logging.ERROR,
            __file__,
            1,
            "Error running job %s",
            ("x",),
            sys.exc_info(),
        )
    assert QUIET_SHUTDOWN.filter(record)
