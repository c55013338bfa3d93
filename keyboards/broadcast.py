"""Broadcast keyboards: the compose steps, the preview's controls and the progress message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

Translate = Callable[..., str]


class BcCb(CallbackData, prefix="bc"):
    action: str  # skip, abort, send, paid, pause, resume, cancel
    id: int = 0  # the broadcast, once there is a draft


def _button(
    translate: Translate, key: str, action: str, job_id: int = 0, **kwargs: Any
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=translate(key, **kwargs), callback_data=BcCb(action=action, id=job_id).pack()
    )


def compose(
    translate: Translate, home: InlineKeyboardButton, *, skip: bool = False
) -> InlineKeyboardMarkup:
    row = [_button(translate, "bc-btn-abort", "abort")]
    if skip:
        row.insert(0, _button(translate, "bc-btn-skip", "skip"))
    builder = InlineKeyboardBuilder()
    builder.row(*row)
    builder.row(home)
    return builder.as_markup()


def preview(
    translate: Translate, home: InlineKeyboardButton, job_id: int, *, paid: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(_button(translate, "bc-btn-send", "send", job_id))
    builder.row(_button(translate, "bc-btn-paid-on" if paid else "bc-btn-paid-off", "paid", job_id))
    builder.row(_button(translate, "bc-btn-abort", "abort", job_id))
    builder.row(home)
    return builder.as_markup()


def progress(translate: Translate, job_id: int, *, paused: bool) -> InlineKeyboardMarkup:
    first = ("bc-btn-resume", "resume") if paused else ("bc-btn-pause", "pause")
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(translate, first[0], first[1], job_id),
        _button(translate, "bc-btn-cancel", "cancel", job_id),
    )
    return builder.as_markup()


def url_buttons(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    """The admin's own buttons, as stored on the broadcast."""
    if not rows:
        return None
    builder = InlineKeyboardBuilder()
    for row in rows:
        builder.row(*[InlineKeyboardButton(text=b["text"], url=b["url"]) for b in row])
    return builder.as_markup()
