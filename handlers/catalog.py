"""Browsing the catalog: categories → services → a service card, and search by typing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import catalog, wizard_steps
from bot.shop.wizard_steps import Listed
from handlers.common import show
from handlers.filters import TYPED_TEXT
from keyboards import catalog as kb
from keyboards.menu import Menu, back_to_menu

CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 6
SEARCH_LIMIT = 10
MAX_DESCRIPTION = 1500


def badges(i18n: I18nContext, listed: Listed) -> str:
    service = listed.service
    found = [
        i18n.get(key)
        for key, on in (
            ("badge-refill", service.refill),
            ("badge-cancel", service.cancel),
            ("badge-dripfeed", service.dripfeed),
            ("badge-not-orderable", not listed.orderable),
        )
        if on
    ]
    return " · ".join(found)


def _price_args(shop: Shop, listed: Listed) -> dict[str, object]:
    return {
        "price": shop.money(listed.price),
        "per": "package" if listed.per_package else "k",
        "min": listed.service.min_quantity,
        "max": listed.service.max_quantity,
    }


def service_line(i18n: I18nContext, shop: Shop, number: int, listed: Listed) -> str:
    text = i18n.get(
        "svc-line",
        n=number,
        name=catalog.display_name(listed.service, i18n.locale),
        **_price_args(shop, listed),
    )
    marks = badges(i18n, listed)
    return f"{text}\n{marks}" if marks else text


def _button_label(shop: Shop, i18n: I18nContext, number: int, listed: Listed) -> str:
    return f"{number}. {catalog.display_name(listed.service, i18n.locale)}"


async def open_catalog(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    await show_categories(query, shop, i18n, 0)


async def categories_button(
    query: CallbackQuery, callback_data: kb.Cats, shop: Shop, i18n: I18nContext
) -> None:
    await show_categories(query, shop, i18n, callback_data.page)


async def show_categories(query: CallbackQuery, shop: Shop, i18n: I18nContext, page: int) -> None:
    paged, rows = wizard_steps.categories_page(await shop.catalog.view(), page, CATEGORIES_PER_PAGE)
    if not paged.total:
        await show(query, i18n.get("catalog-empty"), back_to_menu(i18n))
        return
    items = [(c.id, catalog.display_name(c, i18n.locale)) for c in rows]
    await show(
        query,
        i18n.get("catalog-categories", count=paged.total),
        kb.categories(i18n, items, paged.page, paged.pages),
    )


async def services_button(
    query: CallbackQuery, callback_data: kb.Svcs, shop: Shop, i18n: I18nContext
) -> None:
    category, paged, listed = wizard_steps.services_page(
        await shop.catalog.view(),
        shop.rules,
        callback_data.cat,
        callback_data.page,
        SERVICES_PER_PAGE,
    )
    if category is None or not listed:
        # Disabled or emptied since this button was sent: back to the categories.
        await query.answer(i18n.get("catalog-gone"), show_alert=True)
        await show_categories(query, shop, i18n, 0)
        return
    first = paged.offset + 1
    lines = [service_line(i18n, shop, first + i, item) for i, item in enumerate(listed)]
    title = i18n.get(
        "svc-page-title", category=catalog.display_name(category, i18n.locale), count=paged.total
    )
    buttons = [
        (item.service.id, _button_label(shop, i18n, first + i, item))
        for i, item in enumerate(listed)
    ]
    await show(
        query,
        "\n\n".join([title, *lines]),
        kb.services(i18n, buttons, category.id, paged.page, paged.pages),
    )


async def card_button(
    query: CallbackQuery, callback_data: kb.Card, shop: Shop, i18n: I18nContext
) -> None:
    await show_card(query, shop, i18n, callback_data.id, callback_data.cat, callback_data.page)


async def show_card(
    query: CallbackQuery,
    shop: Shop,
    i18n: I18nContext,
    service_id: int,
    category_id: int,
    page: int,
) -> None:
    found = wizard_steps.service_card(await shop.catalog.view(), shop.rules, service_id)
    if found is None:
        await query.answer(i18n.get("svc-unavailable"), show_alert=True)
        return
    listed, category = found
    parts = [
        i18n.get(
            "card",
            name=catalog.display_name(listed.service, i18n.locale),
            category=catalog.display_name(category, i18n.locale) if category else "—",
            **_price_args(shop, listed),
        )
    ]
    if marks := badges(i18n, listed):
        parts.append(marks)
    if listed.service.description:
        parts.append(
            i18n.get("card-description", text=listed.service.description[:MAX_DESCRIPTION])
        )
    if not listed.orderable:
        parts.append(i18n.get("card-not-orderable"))
    await show(
        query,
        "\n\n".join(parts),
        kb.card(
            i18n,
            listed.service.id,
            listed.orderable,
            category.id if category else category_id,
            page,
        ),
    )


async def search(message: Message, shop: Shop, i18n: I18nContext) -> None:
    text = (message.text or "").strip()
    found = wizard_steps.search(await shop.catalog.view(), shop.rules, text[:100], SEARCH_LIMIT)
    if not found:
        await message.answer(
            i18n.get("search-none", query=text[:100]), reply_markup=kb.search_results(i18n, [])
        )
        return
    lines = [service_line(i18n, shop, i + 1, item) for i, item in enumerate(found)]
    buttons = [
        (item.service.id, item.service.category_id, _button_label(shop, i18n, i + 1, item))
        for i, item in enumerate(found)
    ]
    await message.answer(
        "\n\n".join([i18n.get("search-title", count=len(found)), *lines]),
        reply_markup=kb.search_results(i18n, buttons),
    )


def router() -> Router:
    r = Router(name="catalog")
    r.callback_query.register(open_catalog, Menu.filter(F.action == "new_order"))
    r.callback_query.register(categories_button, kb.Cats.filter())
    r.callback_query.register(services_button, kb.Svcs.filter())
    r.callback_query.register(card_button, kb.Card.filter())
    return r


def search_router() -> Router:
    """Plain text outside any conversation is a search. Commands are not (TYPED_TEXT), and every
    other text handler waits for a state of its own, so this router can come right after the
    wizard; non-text still falls through to the fallback."""
    r = Router(name="catalog-search")
    r.message.register(search, StateFilter(None), TYPED_TEXT)
    return r
