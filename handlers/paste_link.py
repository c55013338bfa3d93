"""Paste a link to order: a link sent outside any conversation lists the services for it.

The platform and kind come from bot/shop/links.py, the services from bot/shop/link_match.py.
Choosing one starts the wizard with the link already answered (the step after it comes next).
This router sits after the wizard's (whose link step takes a link typed in the wizard) and
before search and the fallback, which would otherwise take the link as a search or as noise.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.context import Shop
from bot.shop import catalog, link_match, links, wizard_steps
from bot.shop.links import Link
from bot.shop.wizard_steps import StepInputError, WizardSpec, WizardState, new_token
from handlers.catalog import service_line
from handlers.filters import TYPED_TEXT
from handlers.orders import alert
from handlers.wizard_view import advance
from keyboards import links as kb
from storage.models import User

PASTED = "pasted"  # FSM data key (no state): the link the last list was made for
LIMIT = 10


class IsLink(Filter):
    """Text that is a link (or shared text with one link in it); the handler gets it parsed."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        link = links.find_link(message.text or "")
        return {"pasted": link} if link is not None else False


async def pasted(
    message: Message, pasted: Link, state: FSMContext, shop: Shop, i18n: I18nContext
) -> None:
    view = await shop.catalog.view()
    found = link_match.matching(view, pasted, LIMIT)
    if not found or pasted.platform is None:
        await message.answer(i18n.get("pl-none"), reply_markup=kb.no_match(i18n))
        return
    await state.set_data({PASTED: pasted.url})
    listed = wizard_steps.listing(view, shop.rules, found)
    title = i18n.get(
        "pl-title",
        platform=i18n.get("pl-platform", platform=pasted.platform.name),
        kind=i18n.get("pl-kind", kind=pasted.kind.value if pasted.kind else "other"),
        count=len(listed),
    )
    lines = [service_line(i18n, shop, i + 1, item) for i, item in enumerate(listed)]
    buttons = [
        (item.service.id, f"{i + 1}. {catalog.display_name(item.service, i18n.locale)}")
        for i, item in enumerate(listed)
    ]
    await message.answer(
        "\n\n".join([title, *lines]), reply_markup=kb.services(i18n, pasted.url, buttons)
    )


async def chosen(
    query: CallbackQuery,
    callback_data: kb.PastedLink,
    state: FSMContext,
    user: User,
    shop: Shop,
    i18n: I18nContext,
) -> None:
    link = (await state.get_data()).get(PASTED)
    if not isinstance(link, str) or kb.digest(link) != callback_data.h:
        await alert(query, i18n.get("pl-stale"))
        return
    view = await shop.catalog.view()
    service = view.services.get(callback_data.id)
    if (
        service is None
        or not wizard_steps.is_orderable(service)
        or not link_match.takes_link_first(service)
    ):
        await alert(query, i18n.get("svc-unavailable"))
        return
    profile = wizard_steps.panel_profile(shop.panels, view.panel_names.get(service.panel_id))
    wizard = WizardState(
        token=new_token(),
        spec=WizardSpec.of(service, profile),
        name=catalog.display_name(service, i18n.locale),
        step="link",
    )
    try:  # parsed as the wizard's link step would: the same rules for a typed link
        wizard.fields["link"] = wizard.parse(link)
    except StepInputError:
        await alert(query, i18n.get("pl-stale"))
        return
    await advance(query, state, wizard, user, shop, i18n)


def router() -> Router:
    r = Router(name="paste-link")
    r.message.register(pasted, StateFilter(None), TYPED_TEXT, IsLink())
    r.callback_query.register(chosen, kb.PastedLink.filter())
    return r
