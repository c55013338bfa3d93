"""Admin /stats (and the console's Stats button): the figures as text, then the chart."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import stats
from bot.shop.catalog import display_name
from bot.telegram import chart
from bot.telegram.telegram_session import describe
from handlers.common import show
from handlers.filters import IsAdmin
from handlers.telegram_errors import reason
from keyboards.admin import AdminCb
from keyboards.admin_console import back_home

log = logging.getLogger("bot.shop.stats")


async def stats_command(message: Message, shop: Shop, i18n: I18nContext) -> None:
    figures = await _collect(shop)
    await message.answer(_text(figures, shop, i18n), reply_markup=_back(i18n))
    if message.bot is not None:
        await _send_chart(message.bot, message.chat.id, figures, shop, i18n)


async def stats_button(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    figures = await _collect(shop)
    await show(query, _text(figures, shop, i18n), _back(i18n))
    if query.bot is not None:
        await _send_chart(query.bot, query.from_user.id, figures, shop, i18n)


async def _collect(shop: Shop) -> stats.ShopStats:
    return await stats.collect(
        shop.sessions,
        currency_rate=shop.settings.currency_rate,
        precision=shop.settings.currency_precision,
    )


def _back(i18n: I18nContext) -> InlineKeyboardMarkup:
    return back_home(i18n)


def _text(figures: stats.ShopStats, shop: Shop, i18n: I18nContext) -> str:
    users = figures.users
    lines = [
        i18n.get("stats-title"),
        i18n.get(
            "stats-users",
            total=users.total,
            active=users.active,
            today=users.new["today"],
            week=users.new["week"],
            month=users.new["month"],
        ),
        "",
        i18n.get("stats-money-header"),
    ]
    for period, money in figures.money.items():
        lines.append(
            i18n.get(
                "stats-money",
                period=i18n.get(f"stats-period-{period}"),
                orders=money.orders,
                revenue=shop.money(money.revenue),
                cost=shop.money(money.cost),
                profit=shop.money(money.profit),
            )
        )
    lines += ["", i18n.get("stats-topups-header")]
    lines += [
        i18n.get(
            "stats-topup-method",
            method=i18n.get(f"ledger-topup-{total.method}"),
            count=total.count,
            amount=shop.money(total.credited),
        )
        for total in figures.topups
        if total.method in ("stars", "crypto", "manual")
    ] or [i18n.get("stats-none")]
    lines += ["", i18n.get("stats-orders-header")]
    if figures.by_state:
        lines += [
            i18n.get("stats-order-state", state=i18n.get(f"order-status-{state}"), count=count)
            for state, count in figures.by_state.items()
        ]
    else:
        lines.append(i18n.get("stats-none"))
    lines += ["", i18n.get("stats-top-header")]
    language = i18n.locale or shop.settings.default_language
    if figures.top:
        lines += [
            i18n.get(
                "stats-top-line",
                rank=rank,
                name=display_name(top.service, language),
                orders=top.orders,
                revenue=shop.money(top.revenue),
            )
            for rank, top in enumerate(figures.top, 1)
        ]
    else:
        lines.append(i18n.get("stats-none"))
    return "\n".join(lines)


async def _send_chart(
    bot: Bot, chat_id: int, figures: stats.ShopStats, shop: Shop, i18n: I18nContext
) -> None:
    days = figures.days
    png = await asyncio.to_thread(  # some tens of ms of drawing: off the event loop
        chart.render,
        [d.day for d in days],
        [d.orders for d in days],
        [d.revenue for d in days],
        shop.settings.currency,
    )
    try:
        await bot.send_photo(
            chat_id,
            BufferedInputFile(png, "stats.png"),
            caption=i18n.get(
                "stats-chart-caption", days=len(days), currency=shop.settings.currency
            ),
        )
    except TelegramAPIError as exc:  # the figures are already there: say the chart is not
        log.warning("stats chart for %s not sent: %s", chat_id, describe(exc))
        with contextlib.suppress(TelegramAPIError):  # Telegram down: the log line it is
            await bot.send_message(chat_id, i18n.get("tg-chart-failed", reason=reason(exc, i18n)))


def router() -> Router:
    r = Router(name="stats")
    r.message.filter(IsAdmin())  # customers skip the router at once
    r.callback_query.filter(IsAdmin())
    r.message.register(stats_command, Command("stats"))
    r.callback_query.register(stats_button, AdminCb.filter(F.action == "stats"))
    return r
