"""Long polling under load waits a moment after a call that brought updates, so the next one
brings several; an idle bot asks again at once; other methods are never delayed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiogram.methods import GetUpdates, SendMessage

from bot.telegram.poll_pacing import PollPacing


class Recorder:
    def __init__(self, answers: list[Any]) -> None:
        self.answers, self.at = answers, []

    async def __call__(self, bot: Any, method: Any) -> Any:
        self.at.append(time.perf_counter())
        return self.answers.pop(0) if isinstance(method, GetUpdates) else True


async def test_a_call_after_updates_waits_to_gather_more() -> None:
    pacing = PollPacing()
    pacing.GATHER = 0.05
    calls = Recorder([["update"], [], ["update"], ["update"]])
    started = time.perf_counter()
    assert await pacing(calls, None, GetUpdates()) == ["update"]  # type: ignore[arg-type]
    await pacing(calls, None, GetUpdates())  # type: ignore[arg-type]
    await pacing(calls, None, GetUpdates())  # type: ignore[arg-type]
    await pacing(calls, None, GetUpdates())  # type: ignore[arg-type]
    first, after_updates, after_idle, after_updates_again = (t - started for t in calls.at)
    assert first < 0.04  # nothing before: asked at once
    assert after_updates - first >= 0.05  # the last call brought updates: gathered
    assert after_idle - after_updates < 0.04  # the last call brought nothing: at once
    assert after_updates_again - after_idle >= 0.05


async def test_other_methods_are_not_delayed() -> None:
    pacing = PollPacing()
    pacing.GATHER = 1.0
    calls = Recorder([["update"]])
    await pacing(calls, None, GetUpdates())  # type: ignore[arg-type]
    started = time.perf_counter()
    sent = await asyncio.wait_for(pacing(calls, None, SendMessage(chat_id=1, text="hi")), 0.5)  # type: ignore[arg-type]
    assert sent is True and time.perf_counter() - started < 0.5
