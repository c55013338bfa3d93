"""/start, the main menu, language, help and /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import referrals
from bot.telegram.i18n import LANGUAGES
from handlers.common import show
from keyboards.menu import Lang, Menu, back_to_menu, languages, main_menu
from storage.models import User


def _menu_text(i18n: I18nContext, user: User) -> str:
    return i18n.get("menu-title", name=user.first_name or "")


async def start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    await state.clear()
    await referrals.record_start(shop.sessions, user.id, command.args)
    await message.answer(i18n.get("welcome", name=user.first_name or ""))
    await message.answer(_menu_text(i18n, user), reply_markup=main_menu(i18n))


async def menu_command(message: Message, state: FSMContext, user: User, i18n: I18nContext) -> None:
    await state.clear()
    await message.answer(_menu_text(i18n, user), reply_markup=main_menu(i18n))


async def cancel_command(
    message: Message, state: FSMContext, user: User, i18n: I18nContext
) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(i18n.get("cancelled") if had_state else i18n.get("nothing-to-cancel"))
    await message.answer(_menu_text(i18n, user), reply_markup=main_menu(i18n))


async def menu_home(query: CallbackQuery, state: FSMContext, user: User, i18n: I18nContext) -> None:
    await state.clear()
    await show(query, _menu_text(i18n, user), main_menu(i18n))


async def help_command(message: Message, i18n: I18nContext, shop: Shop) -> None:
    await message.answer(_help(i18n, shop), reply_markup=back_to_menu(i18n))


async def help_button(query: CallbackQuery, i18n: I18nContext, shop: Shop) -> None:
    await show(query, _help(i18n, shop), back_to_menu(i18n))


def _help(i18n: I18nContext, shop: Shop) -> str:
    return i18n.get("help-text", currency=shop.settings.currency)


async def language_command(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("language-choose"), reply_markup=languages(i18n))


async def language_button(query: CallbackQuery, i18n: I18nContext) -> None:
    await show(query, i18n.get("language-choose"), languages(i18n))


async def language_set(
    query: CallbackQuery, callback_data: Lang, user: User, i18n: I18nContext
) -> None:
    if callback_data.code not in LANGUAGES:
        await query.answer()
        return
    await i18n.set_locale(callback_data.code)
    await query.answer(i18n.get("language-set"))
    await show(query, _menu_text(i18n, user), main_menu(i18n), answer=False)


def router() -> Router:
    """A fresh router each time: aiogram routers attach to one dispatcher only."""
    r = Router(name="start")
    r.message.register(start, CommandStart())
    r.message.register(menu_command, Command("menu"))
    r.message.register(cancel_command, Command("cancel"))
    r.callback_query.register(menu_home, Menu.filter(F.action == "home"))
    r.message.register(help_command, Command("help"))
    r.callback_query.register(help_button, Menu.filter(F.action == "help"))
    r.message.register(language_command, Command("language"))
    r.callback_query.register(language_button, Menu.filter(F.action == "language"))
    r.callback_query.register(language_set, Lang.filter())
    return r
