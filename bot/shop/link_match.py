"""Which services fit a pasted link: the platform's services, those for its kind of target first.

A service fits a platform when its name or its category's name, in any language, names the
platform (bot/shop/links.py lists the words). When the link shows its kind (a profile, a post, a
story...), services whose names speak of that kind (followers for a profile, views for a video)
are the ones offered; when none do, every service of the platform is. Only services that start
with a link and can be ordered are offered: the wizard continues at the step after the link.
"""

from __future__ import annotations

import re
from functools import cache

from bot.shop.catalog_entries import ServiceEntry
from bot.shop.catalog_view import CatalogView
from bot.shop.links import Kind, Link, Platform
from bot.shop.wizard_steps import WizardSpec, is_orderable, steps
from storage.models import Service

# What catalogs call the services for each kind of target (lowercase, English and Arabic).
KIND_WORDS: dict[Kind, tuple[str, ...]] = {
    kind: tuple(words.split())
    for kind, words in {
        Kind.PROFILE: "follower follow profile subscriber visit"
        " متابع متابعين متابعة بروفايل زيارات مشترك",
        Kind.POST: "like comment view share save repost retweet impression reach vote reaction"
        " لايك إعجاب اعجاب تعليق مشاهد مشاركة حفظ ريتويت تفاعل وصول تصويت",
        Kind.VIDEO: "view like comment share save watch reel short video"
        " مشاهد لايك إعجاب اعجاب تعليق مشاركة حفظ فيديو ريلز",
        Kind.CHANNEL: "member subscriber join follower channel group server"
        " أعضاء اعضاء عضو مشترك اشتراك متابع قناة قناه مجموعة سيرفر",
        Kind.STORY: "story stories ستوري قصص قصة ستوريات",
        Kind.TRACK: "play stream listen save track تشغيل استماع أغنية",
        Kind.PLAYLIST: "follower play stream playlist متابع تشغيل قائمة",
    }.items()
}


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of words, so a catalog is scanned once per list, not once per word.
    A short word (2 letters or fewer) only on its own ("x" is X, not the x in "10x"); a longer
    one anywhere ("follower" in "followers", Arabic words with an article or a suffix)."""
    parts = [
        rf"(?<!\w){re.escape(word)}(?!\w)" if len(word) <= 2 else re.escape(word) for word in words
    ]
    return re.compile("|".join(parts))


def _mentions(names: str, words: tuple[str, ...]) -> bool:
    return _pattern(words).search(names) is not None


def _names(view: CatalogView, service: ServiceEntry) -> str:
    """The service's and its category's names, every language, lowercase, one per line."""
    category = view.category_by_id.get(service.category_id)
    rows: list[str | None] = [service.name, service.name_en, service.name_ar]
    if category is not None:
        rows += [category.name, category.name_en, category.name_ar]
    return "\n".join(name.lower() for name in rows if name)


def takes_link_first(service: Service | ServiceEntry) -> bool:
    """Ordered starting from a link, so the pasted one answers the wizard's first step."""
    sequence = steps(WizardSpec.of(service))
    return bool(sequence) and sequence[0] == "link"


def platform_services(view: CatalogView, platform: Platform) -> list[ServiceEntry]:
    """The platform's orderable services that start with a link, in display order."""
    return [
        service
        for service in _ordered(view)
        if is_orderable(service)
        and takes_link_first(service)
        and _mentions(_names(view, service), platform.words)
    ]


def _ordered(view: CatalogView) -> list[ServiceEntry]:
    return [
        service for category in view.categories for service in view.by_category.get(category.id, ())
    ]


def matching(view: CatalogView, link: Link, limit: int) -> list[ServiceEntry]:
    """The services offered for `link`, at most `limit` (none for an unknown platform)."""
    if link.platform is None:
        return []
    found = platform_services(view, link.platform)
    if link.kind is not None:
        words = KIND_WORDS.get(link.kind, ())
        fitting = [s for s in found if _mentions(_names(view, s), words)]
        found = fitting or found
    return found[:limit]
