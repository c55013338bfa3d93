"""Order wizard keyboards. Every button carries the wizard's token: a button of a finished or
replaced wizard is recognised as such, and Confirm's token is the order's idempotency key."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.cache import Cache
from bot.panel import SUBSCRIPTION_DELAYS
from keyboards.menu import LANGUAGE_NAMES, Menu, home_button


class Wz(CallbackData, prefix="wz"):
    act: str  # back, cancel, yes, no, skip, delay, interval, ok, topup, resume
    t: str  # the wizard token
    v: int = 0  # the chosen delay or drip-feed interval


def _button(text: str, act: str, token: str, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=Wz(act=act, t=token, v=value).pack())


def _nav(i18n: I18nContext, token: str) -> list[InlineKeyboardButton]:
    return [
        _button(i18n.get("btn-back"), "back", token),
        _button(i18n.get("btn-cancel"), "cancel", token),
    ]


def step(
    i18n: I18nContext, token: str, name: str, choices: Sequence[int] = ()
) -> InlineKeyboardMarkup:
    """The keyboard under a step's prompt: its choices (if any), then Back and Cancel.
    `choices`: the drip-feed intervals the panel accepts, offered as buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    if name == "drip":
        rows.append(
            [_button(i18n.get("btn-yes"), "yes", token), _button(i18n.get("btn-no"), "no", token)]
        )
    elif name == "delay":
        labels = [
            _button(i18n.get("wz-delay-choice", minutes=m), "delay", token, m)
            for m in SUBSCRIPTION_DELAYS
        ]
        rows += [labels[i : i + 4] for i in range(0, len(labels), 4)]
    elif name == "expiry":
        rows.append([_button(i18n.get("btn-skip"), "skip", token)])
    elif name == "interval" and choices:
        labels = [
            _button(i18n.get("wz-delay-choice", minutes=m), "interval", token, m)
            for m in choices[:24]
        ]  # a profile holds up to 100; buttons stay readable
        rows += [labels[i : i + 4] for i in range(0, len(labels), 4)]
    rows.append(_nav(i18n, token))
    return InlineKeyboardBuilder(markup=rows).as_markup()


def summary(i18n: I18nContext, token: str, affordable: bool) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if affordable:
        rows.append([_button(i18n.get("btn-confirm"), "ok", token)])
    else:
        # Top up opens below the summary, which stays: after paying, Continue brings it back.
        rows.append([_button(i18n.get("btn-top-up"), "topup", token)])
    rows.append(_nav(i18n, token))
    return InlineKeyboardBuilder(markup=rows).as_markup()


def resume(label: str, token: str) -> InlineKeyboardMarkup:
    """Under a receipt or a credit notice: the order summary waiting for that money, again."""
    return InlineKeyboardBuilder(markup=[[_button(label, "resume", token)]]).as_markup()


_after_orders: Cache[str, InlineKeyboardMarkup] = Cache(len(LANGUAGE_NAMES))


def after_order(i18n: I18nContext) -> InlineKeyboardMarkup:
    """Under every order's outcome: built once per language."""
    markup = _after_orders.get(i18n.locale)
    if markup is None:
        orders = InlineKeyboardButton(
            text=i18n.get("menu-orders"), callback_data=Menu(action="orders").pack()
        )
        markup = InlineKeyboardBuilder(markup=[[orders], [home_button(i18n)]]).as_markup()
        _after_orders.put(i18n.locale, markup)
    return markup
