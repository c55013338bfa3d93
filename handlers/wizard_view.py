"""The order wizard's state and screens: the FSM record, the step prompts and the summary.

The FSM holds one plain JSON dict under WIZARD, a `WizardState` serialised by `load`/`save` here
and nowhere else: the token, the service spec, the current step, the drip-feed choice and the
collected fields (keyed by OrderRequest field names). The storage is the shop database, so a
wizard survives a restart. The buttons and typed answers are handled in handlers/wizard.py,
placing the order in handlers/wizard_confirm.py; both use this module, which imports neither.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.panel import InvalidOrderParams
from bot.shop import ordering, wizard_steps
from bot.shop.wizard_steps import DRIP, SUMMARY, StepInputError, Summary, WizardState
from handlers.common import show
from keyboards import wizard as kb
from keyboards.menu import back_to_menu
from storage.models import User

WIZARD = "wizard"


class OrderWizard(StatesGroup):
    active = State()


Target = Message | CallbackQuery


async def render(target: Target, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """A button edits its own message; typed input gets a fresh message below it."""
    if isinstance(target, CallbackQuery):
        await show(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


async def load(state: FSMContext) -> WizardState | None:
    """The wizard in progress, or None (no wizard, another conversation, or a damaged record)."""
    if await state.get_state() != OrderWizard.active.state:
        return None
    wizard = (await state.get_data()).get(WIZARD)
    return WizardState.from_json(wizard) if isinstance(wizard, dict) else None


async def save(state: FSMContext, wizard: WizardState) -> None:
    await state.set_state(OrderWizard.active)
    await state.set_data({WIZARD: wizard.to_json()})


# -- rendering -----------------------------------------------------------------------------------


def prompt_text(i18n: I18nContext, wizard: WizardState, error: str | None = None) -> str:
    step = str(wizard.step)
    lo, hi = wizard_steps.prompt_bounds(step, wizard.spec, wizard.fields)
    intervals = wizard.spec.intervals if step == "interval" else None
    ask = (
        i18n.get("wz-ask-interval-choice", allowed=", ".join(map(str, intervals)))
        if intervals
        else i18n.get(f"wz-ask-{step}", min=lo, max=hi)
    )
    parts = [i18n.get("wz-header", service=wizard.name), ask]
    if error:
        parts.insert(1, error)
    return "\n\n".join(parts)


async def prompt(
    target: Target, i18n: I18nContext, wizard: WizardState, error: str | None = None
) -> None:
    step = str(wizard.step)
    choices = (wizard.spec.intervals or ()) if step == "interval" else ()
    await render(
        target, prompt_text(i18n, wizard, error), kb.step(i18n, wizard.token, step, choices)
    )


def error_text(i18n: I18nContext, exc: StepInputError) -> str:
    return i18n.get(f"wz-err-{exc.code}", **exc.args_)


def _field_line(i18n: I18nContext, step: str, value: Any) -> str:
    if isinstance(value, list):
        return i18n.get(f"wz-line-{step}", count=len(value))
    return i18n.get(f"wz-line-{step}", value=value, handle=f"@{value}")


def summary_text(shop: Shop, i18n: I18nContext, wizard: WizardState, summary: Summary) -> str:
    fields = wizard.fields
    lines = [i18n.get("wz-summary-title"), i18n.get("wz-header", service=wizard.name)]
    for step in wizard.steps():
        if step == DRIP:
            if wizard.drip:
                lines.append(
                    i18n.get(
                        "wz-line-drip",
                        runs=fields["runs"],
                        interval=fields["interval"],
                        total=summary.units or 0,
                    )
                )
        elif step not in ("runs", "interval") and fields.get(step) is not None:
            lines.append(_field_line(i18n, step, fields[step]))
    lines.append("")
    lines.append(i18n.get("wz-line-price", price=shop.money(summary.price)))
    lines.append(i18n.get("wz-line-balance", balance=shop.money(summary.balance)))
    if summary.affordable:
        lines.append(i18n.get("wz-line-after", balance=shop.money(summary.balance_after)))
    else:
        lines.append(i18n.get("wz-line-missing", missing=shop.money(summary.missing)))
    return "\n".join(lines)


async def show_summary(
    target: Target,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    notice: str | None = None,
) -> None:
    try:
        view = await shop.catalog.view()
        async with shop.sessions() as session:
            summary = await wizard_steps.summarize(
                session, view, shop.rules, user.id, wizard.spec, wizard.request()
            )
    except ordering.ServiceUnavailable:
        await state.clear()
        await render(target, i18n.get("svc-unavailable"), back_to_menu(i18n))
        return
    except InvalidOrderParams as exc:
        await service_changed(target, state, wizard, i18n, exc)
        return
    wizard.step = SUMMARY
    wizard.price = str(summary.price)  # what the customer confirms; checked at Confirm
    await save(state, wizard)
    text = summary_text(shop, i18n, wizard, summary)
    await render(
        target,
        f"{notice}\n\n{text}" if notice else text,
        kb.summary(i18n, wizard.token, summary.affordable),
    )


async def service_changed(
    target: Target,
    state: FSMContext,
    wizard: WizardState,
    i18n: I18nContext,
    exc: InvalidOrderParams,
) -> None:
    """The service's bounds or type changed since the wizard began: redo that step or stop."""
    if exc.field in wizard.steps():
        wizard.step = exc.field
        await save(state, wizard)
        await prompt(target, i18n, wizard, i18n.get("wz-err-changed"))
        return
    await state.clear()
    await render(target, i18n.get("svc-unavailable"), back_to_menu(i18n))


async def advance(
    target: Target,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    following = wizard.next_step()
    if following is None:
        await show_summary(target, state, wizard, user, shop, i18n)
        return
    wizard.step = following
    await save(state, wizard)
    await prompt(target, i18n, wizard)


async def pending_summary(state: FSMContext) -> str | None:
    """The token of an order summary waiting in this customer's FSM, or None."""
    wizard = await load(state)
    return wizard.token if wizard is not None and wizard.at_summary else None
