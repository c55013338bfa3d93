"""Admin: orders. /refund ORDER [AMOUNT], /order ID (shop or panel order ID, or typed after
"Orders"), the orders held for review and their resolution (attach the panel's order ID, or
refund in full)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop.admin import lookups, refunds, review
from bot.shop.admin.lookups import OrderCard
from bot.shop.admin.refunds import RefundResult, RefundStatus
from bot.shop.admin.review import AttachStatus
from bot.shop.catalog import display_name
from bot.shop.credits import parse_amount
from bot.shop.digits import parse_int
from bot.shop.orders import MAX_BAD_CYCLES
from bot.telegram.i18n import format_panel_money, order_number, order_status
from bot.telegram.notify import Notifier, tell_referral_reward
from handlers.admin_people import date
from handlers.admin_states import AdminInput, leave_prompt
from handlers.common import show
from handlers.filters import TYPED_TEXT, IsAdmin
from keyboards import admin_console as kb
from keyboards.admin import AdminCb
from keyboards.admin_console import AdminX, Ax
from storage.models import Order, OrderState

REVIEW_PAGE = 20


def card_text(i18n: I18nContext, shop: Shop, card: OrderCard) -> str:
    order, none = card.order, i18n.get("admin-none")
    text = i18n.get(
        "admin-order-card",
        number=order_number(order.id),
        status=order_status(i18n, order.state),
        user=str(card.user.telegram_id),
        username=f"@{card.user.username}" if card.user.username else none,
        service=display_name(card.service, i18n.locale),
        panel=card.panel.name,
        panel_order=order.panel_order_id or none,
        link=order.link or none,
        quantity=f"{order.quantity:,}" if order.quantity is not None else none,
        charge=shop.money(order.charge),
        refunded=shop.money(order.refunded),
        cost=format_panel_money(
            order.cost, card.panel.currency, i18n.get("admin-panel-currency-unknown")
        ),
        panel_status=order.panel_status or none,
        start_count=str(order.start_count) if order.start_count is not None else none,
        remains=str(order.remains) if order.remains is not None else none,
        error=order.error or none,
        created=date(order.created_at),
    )
    return "\n".join([text, *status_trouble(i18n, order)])


def status_trouble(i18n: I18nContext, order: Order) -> list[str]:
    """What the status poll could not settle: bad rows in a row, a status nobody knows."""
    lines = []
    if order.status_errors:
        lines.append(
            i18n.get(
                "admin-order-bad-cycles", count=str(order.status_errors), limit=str(MAX_BAD_CYCLES)
            )
        )
    if order.unknown_status_since is not None:
        lines.append(
            i18n.get(
                "admin-order-unknown-status",
                status=order.panel_status or "",
                since=f"{date(order.unknown_status_since)} UTC",
            )
        )
    return lines


async def render(
    shop: Shop, i18n: I18nContext, order_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await lookups.order_card(shop.sessions, order_id)
    if card is None:
        return None
    in_review = card.order.state == OrderState.REVIEW.value
    return card_text(i18n, shop, card), kb.order_card(i18n, card.order.id, card.user.id, in_review)


async def lookup(message: Message, text: str, shop: Shop, i18n: I18nContext) -> bool:
    query = lookups.clean_query(text)
    ids = await lookups.find_orders(shop.sessions, query) if query else []
    if not ids:
        await message.answer(i18n.get("admin-order-not-found", query=text.strip()[:64]))
        return False
    if len(ids) == 1:
        rendered = await render(shop, i18n, ids[0])
        assert rendered is not None
        await message.answer(rendered[0], reply_markup=rendered[1])
        return True
    labels = [(order_id, order_number(order_id)) for order_id in ids]
    await message.answer(
        i18n.get("admin-order-matches", query=query or ""), reply_markup=kb.order_list(i18n, labels)
    )
    return True


async def order_command(
    message: Message, command: CommandObject, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await leave_prompt(state)
    if not command.args:
        await message.answer(i18n.get("admin-order-usage"))
        return
    await lookup(message, command.args, shop, i18n)


async def typed_order(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    if await lookup(message, message.text or "", shop, i18n):
        await state.clear()


async def open_order(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    rendered = await render(shop, i18n, callback_data.id)
    if rendered is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    await show(query, *rendered)


# -- refunds ----------------------------------------------------------------------------------


def refund_reply(i18n: I18nContext, shop: Shop, result: RefundResult) -> str:
    args = {
        "number": order_number(result.order_id),
        "amount": shop.money(result.amount),
        "left": shop.money(result.left),
        "status": order_status(i18n, result.state),
    }
    return i18n.get(f"admin-refund-{result.status.value.replace('_', '-')}", **args)


async def tell_customer(notifier: Notifier, shop: Shop, result: RefundResult) -> None:
    if result.status is RefundStatus.APPLIED and result.user_id is not None:
        await notifier.to_customer(
            result.user_id,
            "admin-refund-notice",
            number=order_number(result.order_id),
            amount=shop.money(result.amount),
        )


async def refund_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    shop: Shop,
    i18n: I18nContext,
    notifier: Notifier,
) -> None:
    await leave_prompt(state)
    precision = shop.settings.currency_precision
    parts = (command.args or "").split()
    order_id = parse_int(parts[0].lstrip("#")) if parts else None
    amount = parse_amount(parts[1], precision) if len(parts) == 2 else None
    if (
        order_id is None
        or order_id <= 0
        or len(parts) > 2
        or message.from_user is None
        or (len(parts) == 2 and (amount is None or amount <= 0))
    ):
        await message.answer(i18n.get("admin-refund-usage", decimals=precision))
        return
    result = await refunds.refund_order(
        shop.sessions,
        admin_id=message.from_user.id,
        order_id=order_id,
        amount=amount,
        # One refund per command message: a replayed update finds this key and moves nothing.
        key=f"admin-refund:{message.chat.id}:{message.message_id}",
        referral_percent=shop.settings.referral_percent,
        precision=precision,
    )
    await tell_customer(notifier, shop, result)
    if result.reward is not None:
        await tell_referral_reward(notifier, result.reward)
    await message.answer(refund_reply(i18n, shop, result))


# -- review -----------------------------------------------------------------------------------


async def review_list(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await leave_prompt(state)
    total, rows = await review.held(shop.sessions, REVIEW_PAGE)
    if total == 0:
        await show(query, i18n.get("admin-review-empty"), kb.back_home(i18n))
        return
    labels = [(order.id, review_label(i18n, shop, order)) for order in rows]
    await show(query, i18n.get("admin-review-title", count=total), kb.order_list(i18n, labels))


def review_label(i18n: I18nContext, shop: Shop, order: Order) -> str:
    """An order the panel accepted (it has the panel's order ID) says so on its button: it may
    be delivered, so refunding it in full is not the obvious resolution."""
    args = {
        "number": order_number(order.id),
        "charge": shop.money(order.charge),
        "created": date(order.created_at),
    }
    if order.panel_order_id:
        return i18n.get("admin-review-button-placed", panel_order=order.panel_order_id, **args)
    return i18n.get("admin-review-button", **args)


async def ask_panel_order(
    query: CallbackQuery, callback_data: AdminX, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    card = await lookups.order_card(shop.sessions, callback_data.id)
    if card is None or card.order.state != OrderState.REVIEW.value:
        await query.answer(i18n.get("admin-not-in-review"), show_alert=True)
        return
    await state.set_state(AdminInput.panel_order)
    await state.set_data({"order": card.order.id})
    await show(
        query,
        i18n.get("admin-attach-prompt", number=order_number(card.order.id), panel=card.panel.name),
        kb.cancel_input(i18n),
    )


async def typed_panel_order(
    message: Message, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    order_id = int((await state.get_data())["order"])
    assert message.from_user is not None
    result = await review.attach_panel_order(
        shop.sessions,
        admin_id=message.from_user.id,
        order_id=order_id,
        panel_order_id=message.text or "",
    )
    args = {
        "number": order_number(order_id),
        "panel_order": result.panel_order_id,
        "other": order_number(result.other_order_id or 0),
    }
    if result.status in (AttachStatus.INVALID, AttachStatus.TAKEN):
        await message.answer(
            i18n.get(f"admin-attach-{result.status.value}", **args),
            reply_markup=kb.cancel_input(i18n),
        )
        return  # the prompt stays
    await state.clear()
    rendered = await render(shop, i18n, order_id)
    text = i18n.get(
        "admin-attach-done" if result.status is AttachStatus.APPLIED else "admin-not-in-review",
        **args,
    )
    await message.answer(text, reply_markup=rendered[1] if rendered else kb.back_home(i18n))


async def ask_refund(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    card = await lookups.order_card(shop.sessions, callback_data.id)
    if card is None or card.order.state != OrderState.REVIEW.value:
        await query.answer(i18n.get("admin-not-in-review"), show_alert=True)
        return
    left = card.order.charge - card.order.refunded
    text = i18n.get(
        "admin-refund-confirm",
        number=order_number(card.order.id),
        amount=shop.money(left),
        user=str(card.user.telegram_id),
    )
    if card.order.panel_order_id:  # the panel accepted it: it may be delivered
        text = "\n\n".join(
            [
                i18n.get(
                    "admin-refund-placed-warning",
                    panel=card.panel.name,
                    panel_order=card.order.panel_order_id,
                    panel_status=card.order.panel_status or i18n.get("admin-none"),
                ),
                text,
            ]
        )
    await show(query, text, kb.refund_confirm(i18n, card.order.id))


async def refund_review(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext, notifier: Notifier
) -> None:
    result = await refunds.refund_order(
        shop.sessions,
        admin_id=query.from_user.id,
        order_id=callback_data.id,
        amount=None,
        key=review.review_key(callback_data.id),
        review_only=True,
    )
    await query.answer()
    await tell_customer(notifier, shop, result)
    rendered = await render(shop, i18n, callback_data.id)
    text = refund_reply(i18n, shop, result)
    if rendered is not None:
        text = "\n\n".join([text, rendered[0]])
    await show(query, text, rendered[1] if rendered else kb.back_home(i18n), answer=False)


def router() -> Router:
    r = Router(name="admin-orders")
    r.message.filter(IsAdmin())
    r.callback_query.filter(IsAdmin())
    r.message.register(refund_command, Command("refund"))
    r.message.register(order_command, Command("order"))
    r.message.register(typed_order, StateFilter(AdminInput.order_query), TYPED_TEXT)
    r.message.register(typed_panel_order, StateFilter(AdminInput.panel_order), TYPED_TEXT)
    r.callback_query.register(open_order, AdminX.filter(F.act == Ax.ORDER))
    r.callback_query.register(review_list, AdminCb.filter(F.action == "review"))
    r.callback_query.register(review_list, AdminX.filter(F.act == Ax.REVIEW))
    r.callback_query.register(ask_panel_order, AdminX.filter(F.act == Ax.ATTACH))
    r.callback_query.register(ask_refund, AdminX.filter(F.act == Ax.REFUND))
    r.callback_query.register(refund_review, AdminX.filter(F.act == Ax.REFUND_YES))
    return r
