"""Admin: the catalog. Sync now, the global markup, categories and services: enable/disable,
markup, display names per language (typed after pressing the button; "-" resets)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop.admin import catalog
from bot.shop.admin.catalog import BadInput, Kind, PanelSync
from bot.telegram.i18n import format_panel_money
from handlers.admin_states import AdminInput
from handlers.common import show
from handlers.filters import TYPED_TEXT, IsAdmin
from keyboards import admin_console as kb
from keyboards.admin import AdminCb
from keyboards.admin_console import AdminX, Ax

PAGE = 8
# The catalog screen stays far below Telegram's 4096 characters whatever panels send: a few
# reasons per panel, each cut, and the whole sync block bounded (whole lines only, so no HTML
# entity or tag is ever cut in half).
SHOWN_REASONS = 5
REASON_CHARS = 100
SERVICE_ID_CHARS = 24
SYNC_BLOCK_CHARS = 2500
MESSAGE_CHARS = 4000  # Telegram's limit is 4096


def pct(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 30.00 → "30", 12.50 → "12.5"


def name_or_none(i18n: I18nContext, value: str | None) -> str:
    return value or i18n.get("admin-none")


def pages(total: int) -> int:
    return max(1, -(-total // PAGE))


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def panel_sync_lines(i18n: I18nContext, sync: PanelSync) -> list[str]:
    """One panel's last sync: figures, "N rows skipped" with the first reasons (verbatim;
    the i18n core escapes every argument), and the newest failure."""
    if sync.finished_at is None and sync.failed_at is None:
        return [i18n.get("catsync-never", panel=sync.panel)]
    lines = []
    if sync.finished_at is not None:
        lines.append(
            i18n.get("catsync-ok", panel=sync.panel, when=when(sync.finished_at), total=sync.total)
        )
        if sync.skipped:
            lines.append(i18n.get("catsync-skipped", count=sync.skipped))
            for service_id, reason in sync.reasons[:SHOWN_REASONS]:
                reason = cut(reason, REASON_CHARS)
                lines.append(
                    i18n.get(
                        "catsync-reason", service=cut(service_id, SERVICE_ID_CHARS), reason=reason
                    )
                    if service_id
                    else i18n.get("catsync-reason-no-id", reason=reason)
                )
            if sync.skipped > SHOWN_REASONS:
                lines.append(i18n.get("catsync-more", count=sync.skipped - SHOWN_REASONS))
    else:
        lines.append(i18n.get("catsync-never", panel=sync.panel))
    if sync.failed_at is not None and (
        sync.finished_at is None or sync.failed_at >= sync.finished_at
    ):
        lines.append(
            i18n.get(
                "catsync-failed",
                when=when(sync.failed_at),
                error=cut(sync.error or "?", REASON_CHARS),
            )
        )
    return lines


def sync_block(i18n: I18nContext, syncs: list[PanelSync]) -> str:
    lines = [i18n.get("catsync-title")]
    size = len(lines[0])
    for index, sync in enumerate(syncs):
        block = panel_sync_lines(i18n, sync)
        grown = size + sum(len(line) + 1 for line in block)
        if grown > SYNC_BLOCK_CHARS:
            lines.append(i18n.get("catsync-more-panels", count=len(syncs) - index))
            break
        lines += block
        size = grown
    return "\n".join(lines)


async def catalog_screen(shop: Shop, i18n: I18nContext) -> tuple[str, InlineKeyboardMarkup]:
    info = await catalog.overview(shop)
    text = i18n.get(
        "admin-catalog-title",
        markup=pct(info.markup),
        source=i18n.get("admin-markup-set" if info.override else "admin-markup-env"),
        categories=info.categories,
        services=info.services,
        enabled=info.enabled,
    )
    if info.syncs:
        text = f"{text}\n\n{sync_block(i18n, info.syncs)}"
    return text, kb.catalog(i18n)


async def open_catalog(
    query: CallbackQuery, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    await state.clear()
    await show(query, *await catalog_screen(shop, i18n))


async def sync(query: CallbackQuery, shop: Shop, i18n: I18nContext) -> None:
    await query.answer(i18n.get("admin-sync-started"))
    outcome = await catalog.sync_now(shop, admin_id=query.from_user.id)
    lines = [i18n.get("admin-sync-done")]
    lines += [
        i18n.get(
            "admin-sync-line",
            panel=r.panel,
            total=r.total,
            added=r.added,
            changed=r.changed,
            disabled=r.disabled,
        )
        for r in outcome.reports
    ]
    lines += [i18n.get("admin-sync-failed", panel=name) for name in outcome.failed]
    text, markup = await catalog_screen(shop, i18n)
    combined = "\n".join([*lines, "", text])
    # Many panels: the screen alone (it carries every panel's sync too) fits one message.
    await show(query, combined if len(combined) <= MESSAGE_CHARS else text, markup, answer=False)


# -- categories -------------------------------------------------------------------------------


def item_label(i18n: I18nContext, name: str, enabled: bool) -> str:
    return i18n.get("admin-item-on" if enabled else "admin-item-off", name=name)


async def categories(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    page = max(callback_data.page, 0)
    total, rows = await catalog.categories_page(shop.sessions, page, PAGE)
    items = [(c.id, item_label(i18n, c.name, c.enabled)) for c in rows]
    markup = kb.listing(
        i18n,
        items,
        Ax.CATEGORY,
        page_act=Ax.CATEGORIES,
        page_id=0,
        page=page,
        pages=pages(total),
        back=kb.back_to_catalog(i18n),
    )
    await show(query, i18n.get("admin-categories-title", page=page + 1, pages=pages(total)), markup)


async def category_view(
    shop: Shop, i18n: I18nContext, category_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    found = await catalog.category_card(shop.sessions, category_id)
    if found is None:
        return None
    category, total = found
    info = await catalog.overview(shop)
    own = category.markup_percent
    markup = (
        i18n.get("admin-markup-own", markup=pct(own))
        if own is not None
        else i18n.get("admin-markup-inherited", markup=pct(info.markup))
    )
    text = i18n.get(
        "admin-category-card",
        name=category.name,
        name_en=name_or_none(i18n, category.name_en),
        name_ar=name_or_none(i18n, category.name_ar),
        status=i18n.get("admin-on" if category.enabled else "admin-off"),
        markup=markup,
        count=total,
    )
    return text, kb.category_card(i18n, category.id, category.enabled)


async def category(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    await respond(query, await category_view(shop, i18n, callback_data.id), i18n)


async def services(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    page = max(callback_data.page, 0)
    category_row, total, rows = await catalog.services_page(
        shop.sessions, callback_data.id, page, PAGE
    )
    if category_row is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    items = [(s.id, item_label(i18n, s.name, s.enabled and s.available)) for s in rows]
    markup = kb.listing(
        i18n,
        items,
        Ax.SERVICE,
        page_act=Ax.SERVICES,
        page_id=category_row.id,
        page=page,
        pages=pages(total),
        back=kb.back_to(i18n, Ax.CATEGORY, category_row.id),
    )
    await show(
        query,
        i18n.get(
            "admin-services-title", category=category_row.name, page=page + 1, pages=pages(total)
        ),
        markup,
    )


async def service_view(
    shop: Shop, i18n: I18nContext, service_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await catalog.service_card(shop, service_id)
    if card is None:
        return None
    service = card.service
    own = service.markup_percent
    markup = (
        i18n.get("admin-markup-own", markup=pct(own))
        if own is not None
        else i18n.get("admin-markup-inherited", markup=pct(card.markup))
    )
    if not service.available:
        state = i18n.get("admin-unavailable")
    else:
        state = i18n.get("admin-on" if service.enabled else "admin-off")
    text = i18n.get(
        "admin-service-card",
        name=service.name,
        id=service.id,
        panel=card.panel,
        panel_service=service.panel_service_id,
        category=card.category.name,
        name_en=name_or_none(i18n, service.name_en),
        name_ar=name_or_none(i18n, service.name_ar),
        rate=format_panel_money(
            service.rate, card.panel_currency, i18n.get("admin-panel-currency-unknown")
        ),
        price=shop.money(card.price),
        markup=markup,
        status=state,
    )
    return text, kb.service_card(i18n, service.id, service.category_id, service.enabled)


async def service(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    await respond(query, await service_view(shop, i18n, callback_data.id), i18n)


async def respond(
    query: CallbackQuery,
    rendered: tuple[str, InlineKeyboardMarkup] | None,
    i18n: I18nContext,
    note: str | None = None,
) -> None:
    if rendered is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    if note:
        await query.answer(note)
    await show(query, *rendered, answer=not note)


# -- switches ---------------------------------------------------------------------------------

_KIND: dict[str, Kind] = {
    Ax.CAT_TOGGLE: "category",
    Ax.SVC_TOGGLE: "service",
    Ax.CAT_MARKUP: "category",
    Ax.SVC_MARKUP: "service",
    Ax.CAT_NAME_EN: "category",
    Ax.CAT_NAME_AR: "category",
    Ax.SVC_NAME_EN: "service",
    Ax.SVC_NAME_AR: "service",
}


async def view_of(
    shop: Shop, i18n: I18nContext, kind: Kind, row_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    if kind == "category":
        return await category_view(shop, i18n, row_id)
    return await service_view(shop, i18n, row_id)


async def toggle(
    query: CallbackQuery, callback_data: AdminX, shop: Shop, i18n: I18nContext
) -> None:
    kind = _KIND[callback_data.act]
    enabled = await catalog.toggle_enabled(
        shop.sessions, admin_id=query.from_user.id, kind=kind, row_id=callback_data.id
    )
    shop.catalog.invalidate()  # customers see the change at once
    if enabled is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    note = i18n.get("admin-enabled-done" if enabled else "admin-disabled-done")
    await respond(query, await view_of(shop, i18n, kind, callback_data.id), i18n, note)


async def ask_markup(
    query: CallbackQuery, callback_data: AdminX, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    if callback_data.act == Ax.GLOBAL_MARKUP:
        info = await catalog.overview(shop)
        data: dict[str, Any] = {"kind": "global", "id": 0}
        text = i18n.get(
            "admin-global-markup-prompt",
            markup=pct(info.markup),
            default=pct(shop.settings.markup_percent),
        )
    else:
        kind = _KIND[callback_data.act]
        if await view_of(shop, i18n, kind, callback_data.id) is None:
            await query.answer(i18n.get("admin-not-found"), show_alert=True)
            return
        data = {"kind": kind, "id": callback_data.id}
        text = i18n.get(f"admin-markup-prompt-{kind}")
    await state.set_state(AdminInput.markup)
    await state.set_data(data)
    await show(query, text, kb.cancel_input(i18n))


async def typed_markup(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    try:
        percent = catalog.parse_markup(message.text or "")
    except BadInput:
        await message.answer(i18n.get("admin-markup-invalid"), reply_markup=kb.cancel_input(i18n))
        return
    data = await state.get_data()
    await state.clear()
    assert message.from_user is not None
    admin_id = message.from_user.id
    if data["kind"] == "global":
        await catalog.set_global_markup(shop, admin_id=admin_id, percent=percent)
        rendered: tuple[str, InlineKeyboardMarkup] | None = await catalog_screen(shop, i18n)
    else:
        await catalog.set_markup(
            shop.sessions,
            admin_id=admin_id,
            kind=data["kind"],
            row_id=int(data["id"]),
            percent=percent,
        )
        shop.catalog.invalidate()
        rendered = await view_of(shop, i18n, data["kind"], int(data["id"]))
    await saved(message, i18n, rendered)


async def ask_name(
    query: CallbackQuery, callback_data: AdminX, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    kind = _KIND[callback_data.act]
    language = "ar" if callback_data.act in (Ax.CAT_NAME_AR, Ax.SVC_NAME_AR) else "en"
    if await view_of(shop, i18n, kind, callback_data.id) is None:
        await query.answer(i18n.get("admin-not-found"), show_alert=True)
        return
    await state.set_state(AdminInput.name)
    await state.set_data({"kind": kind, "id": callback_data.id, "lang": language})
    await show(query, i18n.get(f"admin-name-prompt-{language}"), kb.cancel_input(i18n))


async def typed_name(message: Message, state: FSMContext, shop: Shop, i18n: I18nContext) -> None:
    data = await state.get_data()
    kind: Kind = data["kind"]
    try:
        name = catalog.parse_name(message.text or "", kind)
    except BadInput:
        await message.answer(
            i18n.get("admin-name-invalid", limit=catalog.NAME_LIMITS[kind]),
            reply_markup=kb.cancel_input(i18n),
        )
        return
    await state.clear()
    assert message.from_user is not None
    await catalog.set_name(
        shop.sessions,
        admin_id=message.from_user.id,
        kind=kind,
        row_id=int(data["id"]),
        language=data["lang"],
        name=name,
    )
    shop.catalog.invalidate()
    await saved(message, i18n, await view_of(shop, i18n, kind, int(data["id"])))


async def saved(
    message: Message, i18n: I18nContext, rendered: tuple[str, InlineKeyboardMarkup] | None
) -> None:
    if rendered is None:
        await message.answer(i18n.get("admin-not-found"), reply_markup=kb.back_home(i18n))
        return
    await message.answer(
        "\n\n".join([i18n.get("admin-saved"), rendered[0]]), reply_markup=rendered[1]
    )


def router() -> Router:
    r = Router(name="admin-catalog")
    r.message.filter(IsAdmin())
    r.callback_query.filter(IsAdmin())
    r.message.register(typed_markup, StateFilter(AdminInput.markup), TYPED_TEXT)
    r.message.register(typed_name, StateFilter(AdminInput.name), TYPED_TEXT)
    r.callback_query.register(open_catalog, AdminCb.filter(F.action == "catalog"))
    r.callback_query.register(sync, AdminX.filter(F.act == Ax.SYNC))
    r.callback_query.register(categories, AdminX.filter(F.act == Ax.CATEGORIES))
    r.callback_query.register(category, AdminX.filter(F.act == Ax.CATEGORY))
    r.callback_query.register(services, AdminX.filter(F.act == Ax.SERVICES))
    r.callback_query.register(service, AdminX.filter(F.act == Ax.SERVICE))
    r.callback_query.register(toggle, AdminX.filter(F.act.in_({Ax.CAT_TOGGLE, Ax.SVC_TOGGLE})))
    r.callback_query.register(
        ask_markup, AdminX.filter(F.act.in_({Ax.GLOBAL_MARKUP, Ax.CAT_MARKUP, Ax.SVC_MARKUP}))
    )
    r.callback_query.register(
        ask_name,
        AdminX.filter(F.act.in_({Ax.CAT_NAME_EN, Ax.CAT_NAME_AR, Ax.SVC_NAME_EN, Ax.SVC_NAME_AR})),
    )
    return r
