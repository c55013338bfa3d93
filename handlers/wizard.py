"""The order wizard: one prompt per step, Back and Cancel everywhere, then the summary.

The wizard's state and screens are in handlers/wizard_view.py (shared with wizard_confirm and
the payments screen); placing the order is in handlers/wizard_confirm.py.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import catalog, wizard_steps
from bot.shop.wizard_steps import (
    DRIP,
    SKIPPABLE,
    SUMMARY,
    StepInputError,
    WizardSpec,
    WizardState,
    new_token,
)
from bot.telegram.notify import Notifier
from handlers import wizard_confirm
from handlers.catalog import show_card
from handlers.common import show
from handlers.filters import NOT_TEXT, TYPED_TEXT
from handlers.payments import topup_entry
from handlers.wizard_view import (
    OrderWizard,
    advance,
    error_text,
    load,
    prompt,
    save,
    show_summary,
)
from keyboards import wizard as kb
from keyboards.catalog import Buy
from keyboards.menu import main_menu
from storage.models import User

# -- handlers ----------------------------------------------------------------------------------


async def begin(
    query: CallbackQuery, callback_data: Buy, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    view = await shop.catalog.view()
    service = view.services.get(callback_data.id)
    if service is None or not wizard_steps.is_orderable(service):
        await query.answer(i18n.get("svc-unavailable"), show_alert=True)
        return
    profile = wizard_steps.panel_profile(shop.panels, view.panel_names.get(service.panel_id))
    spec = WizardSpec.of(service, profile)
    wizard = WizardState(
        token=new_token(),
        spec=spec,
        name=catalog.display_name(service, i18n.locale),
        step=wizard_steps.next_step(spec, None),
    )
    await save(state, wizard)
    await prompt(query, i18n, wizard)


async def typed(
    message: Message, state: FSMContext, user: User, shop: Shop, i18n: I18nContext
) -> None:
    wizard = await load(state)
    if wizard is None:
        await state.clear()
        await message.answer(i18n.get("wz-stale"), reply_markup=main_menu(i18n))
        return
    step = wizard.step
    if step is None or step == SUMMARY:
        await message.answer(i18n.get("wz-use-buttons"))
        return
    if step == DRIP:
        await prompt(message, i18n, wizard, i18n.get("wz-use-buttons"))
        return
    try:
        value = wizard.parse(message.text or "")
    except StepInputError as exc:
        await prompt(message, i18n, wizard, error_text(i18n, exc))
        return
    wizard.fields[step] = value
    await advance(message, state, wizard, user, shop, i18n)


async def not_text(message: Message, state: FSMContext, i18n: I18nContext) -> None:
    wizard = await load(state)
    if wizard is None or wizard.step in (SUMMARY, DRIP, None):
        await message.answer(i18n.get("wz-use-buttons"))
        return
    await prompt(message, i18n, wizard, i18n.get("wz-err-empty"))


async def button(
    query: CallbackQuery,
    callback_data: kb.Wz,
    state: FSMContext,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
) -> None:
    wizard = await load(state)
    act = callback_data.act
    if wizard is None or wizard.token != callback_data.t:
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
    elif act == "topup" and wizard.at_summary:
        await top_up(query, shop, i18n)
    elif act == "resume" and wizard.at_summary:
        await resume(query, state, wizard, user, shop, i18n)
    elif act == "ok" and wizard.at_summary:
        await wizard_confirm.confirm(query, state, wizard, user, shop, i18n, notifier)
    elif act in ("yes", "no") and wizard.step == DRIP:
        wizard.drip = act == "yes"
        await advance(query, state, wizard, user, shop, i18n)
    elif act == "delay" and wizard.step == "delay":
        await choose(query, state, wizard, user, shop, i18n, str(callback_data.v))
    elif act == "interval" and wizard.step == "interval":
        await choose(query, state, wizard, user, shop, i18n, str(callback_data.v))
    elif act == "skip" and wizard.step in SKIPPABLE:
        wizard.fields.pop(str(wizard.step), None)
        await advance(query, state, wizard, user, shop, i18n)
    else:
        await query.answer(i18n.get("wz-old-button"), show_alert=True)


async def top_up(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    """The top-up screen as a new message below the summary: the summary is kept, and the
    receipt offers to continue the order (pending_summary)."""
    await query.answer()
    if isinstance(query.message, Message):
        text, markup = await topup_entry(shop, i18n)
        await query.message.answer(text, reply_markup=markup)


async def resume(
    query: CallbackQuery,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    """Continue from a receipt: the summary again, recomputed with the new balance, as a new
    message at the bottom of the chat (the receipt stays: it is the customer's record)."""
    await query.answer()
    if isinstance(query.message, Message):
        await show_summary(query.message, state, wizard, user, shop, i18n)


async def choose(
    query: CallbackQuery,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    text: str,
) -> None:
    """A choice button is parsed like typed text, so a forged value is refused the same way."""
    try:
        value = wizard.parse(text)
    except StepInputError as exc:
        await query.answer(error_text(i18n, exc), show_alert=True)
        return
    wizard.fields[str(wizard.step)] = value
    await advance(query, state, wizard, user, shop, i18n)


async def back(
    query: CallbackQuery,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    previous = wizard.previous_step()
    if previous is None:  # Back from the first step: the service card again
        await state.clear()
        await show_card(query, shop, i18n, wizard.spec.service_id, 0, 0)
        return
    wizard.step = previous
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
