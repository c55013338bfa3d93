"""Confirm: reserve (debit + `submitting` row), then submit to the panel, then tell the outcome.

The request key is the wizard token, so a double tap or a replayed button finds the order the
first tap created (reserve → created=False) and never submits it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.panel import ErrorKind, InvalidOrderParams
from bot.shop import ordering, panel_alerts
from bot.shop.ledger import InsufficientFunds
from bot.shop.ordering import Outcome, Placement
from bot.shop.wizard_steps import WizardState
from bot.telegram.notify import Notifier
from handlers.common import show, spinner_stopped
from handlers.orders import alert
from handlers.wizard_view import service_changed, show_summary
from keyboards import wizard as kb
from keyboards.menu import back_to_menu
from storage.models import Order, User


def request_key(user: User, token: str) -> str:
    return f"confirm:{user.id}:{token}"


async def confirm(
    query: CallbackQuery,
    state: FSMContext,
    wizard: WizardState,
    user: User,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
) -> None:
    try:
        order, created, target = await shop.reserves.run(
            ordering.ReserveAsk(
                shop.rules,
                user_id=user.id,
                service_id=wizard.spec.service_id,
                request=wizard.request(),
                request_key=request_key(user, wizard.token),
                expected_price=Decimal(wizard.price) if wizard.price else None,
            )
        )
    except ordering.PriceChanged:
        shop.catalog.invalidate()  # it showed the old price: changed by another process
        await show_summary(query, state, wizard, user, shop, i18n, i18n.get("wz-price-changed"))
        return
    except InsufficientFunds:
        # The balance changed since the summary: show it again, with what is missing now.
        await show_summary(query, state, wizard, user, shop, i18n, i18n.get("wz-not-enough"))
        return
    except ordering.ServiceUnavailable:
        shop.catalog.invalidate()
        await state.clear()
        await show(query, i18n.get("svc-unavailable"), back_to_menu(i18n))
        return
    except InvalidOrderParams as exc:
        await service_changed(query, state, wizard, i18n, exc)
        return
    if not created:
        await already_placed(query, i18n, order)
        return
    await state.clear()
    placing = PlacingNotice(query, i18n.get("wz-placing", order=str(order.id)))
    try:
        placement = await ordering.submit(
            shop.sessions, shop.panels, order, target, placements=shop.placements
        )
    finally:
        answered = await placing.settle()
    await tell_outcome(query, shop, i18n, notifier, user, wizard.name, placement, answered)


class PlacingNotice:
    """ "Placing order #N…" over the summary, once the panel has taken PLACING_AFTER seconds.

    A panel that answers sooner never makes it flash by: the button's spinner covers the wait,
    and the customer gets the outcome straight away (one Bot API call fewer per order).
    """

    PLACING_AFTER = 0.4

    def __init__(self, query: CallbackQuery, text: str) -> None:
        self.query = query
        self.text = text
        self.started = False
        self._task = asyncio.ensure_future(self._show_later())

    async def _show_later(self) -> None:
        await asyncio.sleep(self.PLACING_AFTER)
        self.started = True
        await show(self.query, self.text, None)  # answers the query too

    async def settle(self) -> bool:
        """Called once the panel answered: a notice on its way is waited for (shown before the
        outcome, never after it); one not started yet never goes. Returns whether the query was
        answered."""
        if not self.started:
            self._task.cancel()
            return False
        # If it cannot be shown, the outcome still is (notifier.send never raises).
        with contextlib.suppress(TelegramAPIError):
            await self._task
        return True


async def replayed(
    query: CallbackQuery, token: str, user: User, shop: Shop, i18n: I18nContext
) -> None:
    order = await ordering.order_for_request_key(shop.sessions, request_key(user, token))
    if order is None:
        await alert(query, i18n.get("wz-stale"))
        return
    await already_placed(query, i18n, order)


async def already_placed(query: CallbackQuery, i18n: I18nContext, order: Order) -> None:
    await alert(query, i18n.get("wz-already-placed", order=str(order.id)))


def failure_reason(i18n: I18nContext, reason: str | None) -> str:
    """The customer's words for why the panel did not place it: chosen by the error's kind
    (or "unavailable"), never the panel's own text."""
    return i18n.get("wz-reason", kind=reason or ErrorKind.OTHER.value)


async def tell_outcome(
    query: CallbackQuery,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
    user: User,
    service_name: str,
    placement: Placement,
    answered: bool = True,
) -> None:
    order = placement.order
    number = str(order.id)
    if placement.outcome is Outcome.PLACED:
        text = i18n.get("wz-placed", order=number, charge=shop.money(order.charge))
        if placement.held_first:  # the review alert went out: say it is resolved
            await notifier.to_admins(
                "admin-order-accepted-after-hold",
                order=number,
                panel_order=order.panel_order_id or "",
            )
    elif placement.outcome is Outcome.FAILED:
        text = i18n.get(
            "wz-failed",
            order=number,
            refund=shop.money(order.charge),
            reason=failure_reason(i18n, placement.reason),
        )
    elif placement.outcome is Outcome.REVIEW:
        text = i18n.get("wz-review", order=number)
        await notifier.to_admins(
            "admin-order-review",
            order=number,
            customer=str(user.telegram_id),
            service=service_name,
            charge=shop.money(order.charge),
            error=placement.error or "",
        )
    elif placement.outcome is Outcome.HELD:  # the admins were told when it was held
        text = i18n.get("wz-review", order=number)
    elif placement.outcome is Outcome.LATE_PLACED:
        text = i18n.get("wz-review", order=number)
        await notifier.to_admins(
            "admin-order-accepted-after-resolution",
            order=number,
            panel_order=placement.panel_order_id or "",
            status=order.state,
            refunded=shop.money(order.refunded),
        )
    else:
        text = i18n.get("wz-already-placed", order=number)
    markup = kb.after_order(i18n)
    answering = None if answered else asyncio.ensure_future(query.answer())
    delivered = await notifier.send(query.from_user.id, text, markup)
    await spinner_stopped(answering)
    await settle_placing(query, text, markup, delivered)
    if placement.outcome is Outcome.FAILED:  # a bad key, panel funds: admins alerted after
        await panel_alerts.placement_failed(notifier, placement)


async def settle_placing(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup, delivered: bool
) -> None:
    """ "Placing order #N…" (the summary's message) must not stay in the chat for good beside
    the outcome: once the outcome arrived it goes; when the outcome could not be sent, that
    message becomes the outcome. The outcome is a new message, so the customer is notified."""
    message = query.message
    if not isinstance(message, Message):
        return
    with contextlib.suppress(TelegramAPIError):  # the outcome is what matters, and it is out
        if delivered:
            await message.delete()
        else:
            await message.edit_text(text, reply_markup=markup)
