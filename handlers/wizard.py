"""The order wizard: one prompt per step, Back and Cancel everywhere, then the summary.

The FSM holds one plain JSON dict under WIZARD: the token, the service spec, the current step,
the drip-feed choice and the collected fields (keyed by OrderRequest field names). The storage
is the shop database, so a wizard survives a restart. Placing the order is in wizard_confirm.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.panel import InvalidOrderParams
from bot.shop import catalog, ordering, wizard_steps
from bot.shop.wizard_steps import DRIP, SKIPPABLE, StepInputError, Summary, WizardSpec
from bot.telegram.notify import Notifier
from handlers.common import show
from handlers.filters import NOT_TEXT, TYPED_TEXT
from keyboards import wizard as kb
from keyboards.catalog import Buy
from keyboards.menu import back_to_menu, main_menu
from storage.models import User

WIZARD = "wizard"
SUMMARY = "summary"


class OrderWizard(StatesGroup):
    active = State()


Target = Message | CallbackQuery


async def render(target: Target, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """A button edits its own message; typed input gets a fresh message below it."""
    if isinstance(target, CallbackQuery):
        await show(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


async def load(state: FSMContext) -> dict[str, Any] | None:
    if await state.get_state() != OrderWizard.active.state:
        return None
    wizard = (await state.get_data()).get(WIZARD)
    return wizard if isinstance(wizard, dict) else None


async def save(state: FSMContext, wizard: dict[str, Any]) -> None:
    await state.set_state(OrderWizard.active)
    await state.set_data({WIZARD: wizard})


def spec_of(wizard: dict[str, Any]) -> WizardSpec:
    return WizardSpec.from_json(wizard["spec"])


# -- rendering -----------------------------------------------------------------------------------


def prompt_text(i18n: I18nContext, wizard: dict[str, Any], error: str | None = None) -> str:
    step = wizard["step"]
    lo, hi = (0, 0) if step in (DRIP, "delay", "expiry", "link", "media", "username",
                                "hashtag") else wizard_steps.step_bounds(
        step, spec_of(wizard), wizard["f"])
    intervals = spec_of(wizard).intervals if step == "interval" else None
    ask = i18n.get("wz-ask-interval-choice", allowed=", ".join(map(str, intervals))) \
        if intervals else i18n.get(f"wz-ask-{step}", min=lo, max=hi)
    parts = [i18n.get("wz-header", service=wizard["name"]), ask]
    if error:
        parts.insert(1, error)
    return "\n\n".join(parts)


async def prompt(target: Target, i18n: I18nContext, wizard: dict[str, Any],
                 error: str | None = None) -> None:
    step = wizard["step"]
    choices = (spec_of(wizard).intervals or ()) if step == "interval" else ()
    await render(target, prompt_text(i18n, wizard, error),
                 kb.step(i18n, wizard["t"], step, choices))


def error_text(i18n: I18nContext, exc: StepInputError) -> str:
    return i18n.get(f"wz-err-{exc.code}", **exc.args_)


def _field_line(i18n: I18nContext, step: str, value: Any) -> str:
    if isinstance(value, list):
        return i18n.get(f"wz-line-{step}", count=len(value))
    return i18n.get(f"wz-line-{step}", value=value, handle=f"@{value}")


def summary_text(shop: Shop, i18n: I18nContext, wizard: dict[str, Any], summary: Summary) -> str:
    spec, fields = spec_of(wizard), wizard["f"]
    lines = [i18n.get("wz-summary-title"), i18n.get("wz-header", service=wizard["name"])]
    for step in wizard_steps.steps(spec, wizard["drip"]):
        if step == DRIP:
            if wizard["drip"]:
                lines.append(i18n.get("wz-line-drip", runs=fields["runs"],
                                      interval=fields["interval"], total=summary.units or 0))
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
    target: Target, state: FSMContext, wizard: dict[str, Any], user: User, shop: Shop,
    i18n: I18nContext, notice: str | None = None,
) -> None:
    spec = spec_of(wizard)
    request = wizard_steps.build_request(spec, wizard["f"], wizard["drip"])
    try:
        view = await shop.catalog.view()
        async with shop.sessions() as session:
            summary = await wizard_steps.summarize(session, view, shop.rules, user.id, spec,
                                                   request)
    except ordering.ServiceUnavailable:
        await state.clear()
        await render(target, i18n.get("svc-unavailable"), back_to_menu(i18n))
        return
    except InvalidOrderParams as exc:
        await service_changed(target, state, wizard, i18n, exc)
        return
    wizard["step"] = SUMMARY
    wizard["price"] = str(summary.price)  # what the customer confirms; checked at Confirm
    await save(state, wizard)
    text = summary_text(shop, i18n, wizard, summary)
    await render(target, f"{notice}\n\n{text}" if notice else text,
                 kb.summary(i18n, wizard["t"], summary.affordable))


async def service_changed(target: Target, state: FSMContext, wizard: dict[str, Any],
                          i18n: I18nContext, exc: InvalidOrderParams) -> None:
    """The service's bounds or type changed since the wizard began: redo that step or stop."""
    sequence = wizard_steps.steps(spec_of(wizard), wizard["drip"])
    if exc.field in sequence:
        wizard["step"] = exc.field
        await save(state, wizard)
        await prompt(target, i18n, wizard, i18n.get("wz-err-changed"))
        return
    await state.clear()
    await render(target, i18n.get("svc-unavailable"), back_to_menu(i18n))


async def advance(target: Target, state: FSMContext, wizard: dict[str, Any], user: User,
                  shop: Shop, i18n: I18nContext) -> None:
    following = wizard_steps.next_step(spec_of(wizard), wizard["step"], wizard["drip"])
    if following is None:
        await show_summary(target, state, wizard, user, shop, i18n)
        return
    wizard["step"] = following
    await save(state, wizard)
    await prompt(target, i18n, wizard)


# -- handlers ----------------------------------------------------------------------------------


async def begin(query: CallbackQuery, callback_data: Buy, state: FSMContext, shop: Shop,
                i18n: I18nContext) -> None:
    service = (await shop.catalog.view()).services.get(callback_data.id)
    if service is None or not wizard_steps.is_orderable(service):
        await query.answer(i18n.get("svc-unavailable"), show_alert=True)
        return
    async with shop.sessions() as session:
        profile = await wizard_steps.panel_profile(session, shop.panels, service.panel_id)
    spec = WizardSpec.of(service, profile)
    wizard = {
        "t": secrets.token_hex(6),  # a fresh token per wizard: Confirm's idempotency key
        "spec": spec.to_json(),
        "name": catalog.display_name(service, i18n.locale),
        "step": wizard_steps.next_step(spec, None),
        "drip": False,
        "f": {},
    }
    await save(state, wizard)
    await prompt(query, i18n, wizard)


async def typed(message: Message, state: FSMContext, user: User, shop: Shop,
                i18n: I18nContext) -> None:
    wizard = await load(state)
    if wizard is None:
        await state.clear()
        await message.answer(i18n.get("wz-stale"), reply_markup=main_menu(i18n))
        return
    step = wizard["step"]
    if step == SUMMARY:
        await message.answer(i18n.get("wz-use-buttons"))
        return
    if step == DRIP:
        await prompt(message, i18n, wizard, i18n.get("wz-use-buttons"))
        return
    try:
        value = wizard_steps.parse(step, message.text or "", spec_of(wizard), wizard["f"])
    except StepInputError as exc:
        await prompt(message, i18n, wizard, error_text(i18n, exc))
        return
    wizard["f"][step] = value
    await advance(message, state, wizard, user, shop, i18n)


async def not_text(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    wizard = await load(state)
    if wizard is None or wizard["step"] in (SUMMARY, DRIP):
        await message.answer(i18n.get("wz-use-buttons"))
        return
    await prompt(message, i18n, wizard, i18n.get("wz-err-empty"))


async def button(query: CallbackQuery, callback_data: kb.Wz, state: FSMContext, user: User,
                 shop: Shop, i18n: I18nContext, notifier: Notifier) -> None:
    from handlers import wizard_confirm

    wizard = await load(state)
    act = callback_data.act
    if wizard is None or wizard["t"] != callback_data.t:
        if act == "ok":  # a replayed or double-tapped Confirm: find what it placed
            await wizard_confirm.replayed(query, callback_data.t, user, shop, i18n)
        else:
            await query.answer(i18n.get("wz-stale"), show_alert=True)
        return
    if act == "cancel":
        await state.clear()
        await show(query, i18n.get("cancelled"), main_menu(i18n))
    elif act == "back":
        await back(query, state, wizard, user, shop, i18n)
    elif act == "topup" and wizard["step"] == SUMMARY:
        await top_up(query, shop, i18n)
    elif act == "resume" and wizard["step"] == SUMMARY:
        await resume(query, state, wizard, user, shop, i18n)
    elif act == "ok" and wizard["step"] == SUMMARY:
        await wizard_confirm.confirm(query, state, wizard, user, shop, i18n, notifier)
    elif act in ("yes", "no") and wizard["step"] == DRIP:
        wizard["drip"] = act == "yes"
        await advance(query, state, wizard, user, shop, i18n)
    elif act == "delay" and wizard["step"] == "delay":
        await choose(query, state, wizard, user, shop, i18n, str(callback_data.v))
    elif act == "interval" and wizard["step"] == "interval":
        await choose(query, state, wizard, user, shop, i18n, str(callback_data.v))
    elif act == "skip" and wizard["step"] in SKIPPABLE:
        wizard["f"].pop(wizard["step"], None)
        await advance(query, state, wizard, user, shop, i18n)
    else:
        await query.answer(i18n.get("wz-old-button"), show_alert=True)


async def top_up(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    """The top-up screen as a new message below the summary: the summary is kept, and the
    receipt offers to continue the order (pending_summary)."""
    from handlers.payments import topup_content

    await query.answer()
    if isinstance(query.message, Message):
        text, markup = topup_content(shop, i18n)
        await query.message.answer(text, reply_markup=markup)


async def resume(query: CallbackQuery, state: FSMContext, wizard: dict[str, Any], user: User,
                 shop: Shop, i18n: I18nContext) -> None:
    """Continue from a receipt: the summary again, recomputed with the new balance, as a new
    message at the bottom of the chat (the receipt stays: it is the customer's record)."""
    await query.answer()
    if isinstance(query.message, Message):
        await show_summary(query.message, state, wizard, user, shop, i18n)


async def pending_summary(state: FSMContext) -> str | None:
    """The token of an order summary waiting in this customer's FSM, or None."""
    wizard = await load(state)
    return wizard["t"] if wizard is not None and wizard.get("step") == SUMMARY else None


async def choose(query: CallbackQuery, state: FSMContext, wizard: dict[str, Any], user: User,
                 shop: Shop, i18n: I18nContext, text: str) -> None:
    """A choice button is parsed like typed text, so a forged value is refused the same way."""
    try:
        value = wizard_steps.parse(wizard["step"], text, spec_of(wizard), wizard["f"])
    except StepInputError as exc:
        await query.answer(error_text(i18n, exc), show_alert=True)
        return
    wizard["f"][wizard["step"]] = value
    await advance(query, state, wizard, user, shop, i18n)


async def back(query: CallbackQuery, state: FSMContext, wizard: dict[str, Any], user: User,
               shop: Shop, i18n: I18nContext) -> None:
    from handlers.catalog import show_card

    spec = spec_of(wizard)
    current = None if wizard["step"] == SUMMARY else wizard["step"]
    previous = wizard_steps.previous_step(spec, current, wizard["drip"])
    if previous is None:  # Back from the first step: the service card again
        await state.clear()
        await show_card(query, shop, i18n, spec.service_id, 0, 0)
        return
    wizard["step"] = previous
    await save(state, wizard)
    await prompt(query, i18n, wizard)


def router() -> Router:
    r = Router(name="wizard")
    r.callback_query.register(begin, Buy.filter())
    r.callback_query.register(button, kb.Wz.filter())
    active = StateFilter(OrderWizard.active)
    r.message.register(typed, active, TYPED_TEXT)
    r.message.register(not_text, active, NOT_TEXT)
    return r
