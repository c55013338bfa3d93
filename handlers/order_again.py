"""Order again: an order's card → the wizard pre-filled with that order's answers.

With every answer still valid the customer lands on the summary at today's price, one tap from
Confirm (a fresh wizard token: a new order, never the old one's idempotency key). Otherwise the
wizard opens at the first answer that no longer fits, with the reason; a service that cannot be
sold any more is an alert, and the card stays. The checks are the domain's (bot/shop/reorder.py).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import aftersale, reorder, wizard_steps
from bot.shop.catalog import display_name
from bot.shop.reorder import Problem
from bot.shop.wizard_steps import new_token
from bot.telegram.i18n import order_number
from handlers.orders import alert
from handlers.wizard_view import prompt, save, show_summary
from keyboards.orders import OrderAgain
from storage.models import User


async def order_again(
    query: CallbackQuery,
    callback_data: OrderAgain,
    state: FSMContext,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    found = await aftersale.load_order(shop.sessions, user.id, callback_data.id)
    if found is None:  # a forged or foreign order id
        await alert(query, i18n.get("order-not-found"))
        return
    order, number = found.order, order_number(found.order.id)
    view = await shop.catalog.view()
    service = reorder.sellable_service(view, order)
    if service is None:
        await alert(query, i18n.get("oa-unavailable", number=number))
        return
    profile = wizard_steps.panel_profile(shop.panels, view.panel_names.get(service.panel_id))
    planned = reorder.plan(
        order, service, profile, token=new_token(), name=display_name(service, i18n.locale)
    )
    wizard = planned.state
    if wizard is None:
        await alert(query, i18n.get("oa-unavailable", number=number))
        return
    if planned.problem is None:
        notice = i18n.get("oa-notice", number=number)
        await show_summary(query, state, wizard, user, shop, i18n, notice)
        return
    if planned.problem is Problem.OUT_OF_RANGE:
        lo, hi = wizard_steps.step_bounds(str(wizard.step), wizard.spec, wizard.fields)
        error = i18n.get("oa-out-of-range", number=number, min=lo, max=hi)
    else:
        error = i18n.get("oa-changed", number=number)
    await save(state, wizard)
    await prompt(query, i18n, wizard, error)


def router() -> Router:
    r = Router(name="order-again")
    r.callback_query.register(order_again, OrderAgain.filter())
    return r
