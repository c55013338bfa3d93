"""Order again: a past order's answers, checked against the service as it is sold today.

Every stored answer is parsed again by the wizard's own step rules (bot/shop/wizard_steps.py), so
a repeated order passes exactly what a typed one would: the service's bounds of today, the
panel's drip-feed intervals, a future expiry date. The first answer that no longer fits is where
the wizard reopens, the answers before it kept (the link, usually).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.panel.profile import PanelProfile
from bot.shop.catalog_entries import ServiceEntry
from bot.shop.catalog_view import CatalogView
from bot.shop.wizard_steps import (
    DRIP,
    SKIPPABLE,
    STEPS,
    StepInputError,
    WizardSpec,
    WizardState,
    is_orderable,
    steps,
)
from storage.models import Order, Service


class Problem(StrEnum):
    UNAVAILABLE = "unavailable"  # the service is gone, disabled or no longer orderable
    OUT_OF_RANGE = "out-of-range"  # a number or a list no longer within today's bounds
    CHANGED = "changed"  # an answer the service no longer takes as it was


@dataclass(frozen=True, slots=True)
class Reorder:
    """`state` is None only for UNAVAILABLE. With no problem, every answer is in and the
    summary is next; otherwise `state.step` is the step to answer again."""

    state: WizardState | None
    problem: Problem | None = None
    error: StepInputError | None = None


def sellable_service(view: CatalogView, order: Order) -> ServiceEntry | None:
    """The order's service as sold today, or None (gone, disabled, not orderable)."""
    service = view.services.get(order.service_id)
    return service if service is not None and is_orderable(service) else None


def past_answers(order: Order) -> dict[str, Any]:
    """The answers the order was placed with (orders.params), with the link and quantity
    columns for orders stored before params held them."""
    answers = dict(order.params or {}) if isinstance(order.params, Mapping) else {}
    if order.link and "link" not in answers:
        answers["link"] = order.link
    if order.quantity is not None and "quantity" not in answers and "runs" not in answers:
        answers["quantity"] = order.quantity
    return answers


def _as_typed(value: Any) -> str:
    """A stored answer as the customer would type it (lists one entry per line)."""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def plan(
    order: Order,
    service: Service | ServiceEntry | None,
    profile: PanelProfile,
    *,
    token: str,
    name: str,
) -> Reorder:
    """A wizard pre-filled with `order`'s answers for `service` (None: it cannot be sold)."""
    if service is None:
        return Reorder(None, Problem.UNAVAILABLE)
    spec = WizardSpec.of(service, profile)
    answers = past_answers(order)
    drip = bool(answers.get("runs")) and DRIP in steps(spec, drip=True)
    state = WizardState(token=token, spec=spec, name=name, step=None, drip=drip)
    for step in steps(spec, drip):
        if step == DRIP:
            continue
        state.step = step
        value = answers.get(step)
        if value is None or value == []:
            if step in SKIPPABLE:
                continue
            return Reorder(state, Problem.CHANGED)
        try:
            state.fields[step] = state.parse(_as_typed(value))
        except StepInputError as exc:
            bounded = STEPS.get(step) is not None and exc.code in ("out-of-range", "lines")
            return Reorder(state, Problem.OUT_OF_RANGE if bounded else Problem.CHANGED, exc)
    if answers.get("runs") and not drip:  # it was drip-fed; the service no longer is
        state.step = next((s for s in steps(spec) if s != "link"), state.step)
        return Reorder(state, Problem.CHANGED)
    return Reorder(state)
