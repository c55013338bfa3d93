"""The router tree: nothing a customer's update passes through runs in a worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiogram import F, Router
from aiogram.types import Chat, Message

from handlers import build_router
from handlers.filters import NOT_TEXT, TYPED_TEXT, Magic


def routers(router: Router) -> Iterator[Router]:
    yield router
    for sub in router.sub_routers:
        yield from routers(sub)


def test_every_handler_and_filter_is_awaited_on_the_event_loop() -> None:
    """aiogram sends a synchronous handler or filter (a bare `F.text`, a `State`) through
    asyncio.to_thread on every check; wrap it (handlers.filters.Magic, StateFilter) instead."""
    root = build_router()
    checked, threaded = 0, []
    for router in routers(root):
        for event, observer in router.observers.items():
            for filter_ in observer._handler.filters or []:
                checked += 1
                if not filter_.awaitable:
                    threaded.append(f"{router.name}.{event} router filter {filter_.callback!r}")
            for handler in observer.handlers:
                checked += 1
                if not handler.awaitable:
                    threaded.append(f"{router.name}.{event} handler {handler.callback!r}")
                for filter_ in handler.filters or []:
                    checked += 1
                    if not filter_.awaitable:
                        threaded.append(
                            f"{router.name}.{event} {handler.callback.__name__} "
                            f"filter {filter_.callback!r}"
                        )
    assert checked > 100  # the whole tree was walked
    assert threaded == []


def message(text: str | None = None, **fields: object) -> Message:
    return Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type="private"), text=text, **fields
    )


@pytest.mark.parametrize(
    ("text", "typed", "not_text"),
    [
        ("https://instagram.com/p/x", True, False),
        ("١٠٠٠", True, False),
        ("/cancel", False, False),
        (None, False, True),
    ],
)
async def test_text_filters(text: str | None, typed: bool, not_text: bool) -> None:
    event = message(text)
    assert bool(await TYPED_TEXT(event)) is typed
    assert bool(await NOT_TEXT(event)) is not_text


async def test_magic_returns_what_the_rule_resolves() -> None:
    assert await Magic(F.text.len())(message("abcd")) == 4
    assert not await Magic(F.photo)(message("no photo"))
