"""An order's reference and its state's name are rendered by one function each, for the
customer's screens, the admin console, the jobs' reports and Fluent's ORDER()."""

from __future__ import annotations

from typing import Any, cast

import pytest
from aiogram_i18n import I18nContext

from bot.telegram.i18n import (
    Translator,
    isolate_ltr,
    make_core,
    order_number,
    order_status,
)
from storage.models import OrderState


@pytest.fixture
async def translate() -> Translator:
    core = make_core()
    await core.startup()
    return Translator(core)


async def test_order_number_is_never_digit_grouped(translate: Translator) -> None:
    assert order_number(12345) == "#12345"
    button = translate("en", "orders-button", number=order_number(12345), status="s", service="x")
    assert button.startswith("#12345 ")
    # Fluent's ORDER() (Arabic messages) renders the same reference, kept left-to-right.
    started = translate("ar", "notify-order-started", order_id=12345, service="x")
    assert isolate_ltr(order_number(12345)) in started


class _Keys:
    def get(self, key: str, **_: Any) -> str:
        return key


def test_order_status_names_every_state_and_none() -> None:
    i18n = cast(I18nContext, _Keys())
    for state in OrderState:
        assert (
            order_status(i18n, state)
            == order_status(i18n, state.value)
            == (f"order-status-{state.value}")
        )
    assert order_status(i18n, None) == "—"
