"""The collector's settings the bot runs with (bot.app.settle_garbage_collector)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.app import FULL_PASS_EVERY, YOUNG_PASS_EVERY, settle_garbage_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_startup_objects_frozen_and_passes_rarer(restored_collector: None) -> None:
    _, middle, _ = gc.get_threshold()
    before = gc.get_freeze_count()

    settle_garbage_collector()

    assert gc.get_threshold() == (YOUNG_PASS_EVERY, middle, FULL_PASS_EVERY) == (7_000, middle, 100)
    assert gc.get_freeze_count() > before  # what startup built is out of the full passes
