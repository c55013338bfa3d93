"""What a pasted link points at: the platform and, where the address shows it, the kind of target.

One table, PLATFORMS, holds every rule: the hosts a platform answers on (short and mobile hosts
included) and, in order, the address shapes that tell its target kind. Paste-a-link ordering
(bot/shop/link_match.py) reads nothing else, so supporting a platform or a new URL shape is one
row here and a test in tests/test_links.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from bot.shop.wizard_steps import StepInputError, parse_link


class Kind(StrEnum):
    PROFILE = "profile"
    POST = "post"
    VIDEO = "video"  # reels, shorts, clips
    CHANNEL = "channel"  # channels, groups, servers
    STORY = "story"
    TRACK = "track"
    PLAYLIST = "playlist"


@dataclass(frozen=True, slots=True)
class Platform:
    """`shapes`: (regex on "host/path" with the host's www./m. dropped, kind), first match
    wins; an address that matches none is the platform with no known kind."""

    name: str  # also the key of its display name in the locales
    hosts: tuple[str, ...]  # the host or any of its subdomains
    words: tuple[str, ...]  # how catalogs name it, in any language (lowercase)
    shapes: tuple[tuple[str, Kind], ...]

    def kind_of(self, place: str) -> Kind | None:
        for pattern, kind in self._compiled():
            if pattern.search(place):
                return kind
        return None

    def _compiled(self) -> tuple[tuple[re.Pattern[str], Kind], ...]:
        return _COMPILED[self.name]

    def serves(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)


K = Kind
_NAME = r"[\w.\-]+"
PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "instagram",
        ("instagram.com", "instagr.am", "ig.me"),
        ("instagram", "insta", "انستقرام", "انستغرام", "إنستغرام", "انستجرام", "إنستجرام", "انستا"),
        (
            (r"^[^/]+/stories/", K.STORY),
            (r"^[^/]+/(?:reels?|tv)/[\w-]+", K.VIDEO),
            (r"^[^/]+/p/[\w-]+", K.POST),
            (rf"^[^/]+/{_NAME}/?$", K.PROFILE),
        ),
    ),
    Platform(
        "tiktok",
        ("tiktok.com",),
        ("tiktok", "tik tok", "تيك توك", "تيكتوك"),
        (
            (r"^(?:vm|vt)\.tiktok\.com/", K.VIDEO),  # the app's share links are videos
            (r"^[^/]+/t/\w+", K.VIDEO),
            (r"^[^/]+/@[\w.\-]+/(?:video|photo)/\d+", K.VIDEO),
            (r"^[^/]+/@[\w.\-]+/?$", K.PROFILE),
        ),
    ),
    Platform(
        "youtube",
        ("youtube.com", "youtu.be"),
        ("youtube", "يوتيوب", "اليوتيوب"),
        (
            (r"^youtu\.be/[\w-]+", K.VIDEO),
            (r"^[^/]+/(?:watch|shorts/|live/|embed/|v/)", K.VIDEO),
            (r"^[^/]+/(?:@[\w.\-]+|channel/|c/|user/)", K.CHANNEL),
            (r"^[^/]+/post/", K.POST),
        ),
    ),
    Platform(
        "telegram",
        ("t.me", "telegram.me", "telegram.dog"),
        ("telegram", "تيليجرام", "تيليغرام", "تلغرام", "تليجرام", "تلجرام", "تيلجرام"),
        (
            (r"^[^/]+/(?:\+|joinchat/)", K.CHANNEL),  # an invite link: a channel or a group
            (r"^[^/]+/c/\d+/\d+", K.POST),
            (rf"^[^/]+/(?:s/)?{_NAME}/\d+", K.POST),
            (r"^[^/]+/s/", K.CHANNEL),
            (rf"^[^/]+/{_NAME}/?$", K.CHANNEL),
        ),
    ),
    Platform(
        "x",
        ("x.com", "twitter.com"),
        ("twitter", "tweet", "x", "تويتر", "تغريد", "إكس", "اكس"),
        (
            (r"^[^/]+/(?:i/web|\w+)/status(?:es)?/\d+", K.POST),
            (r"^[^/]+/\w+/?$", K.PROFILE),
        ),
    ),
    Platform(
        "facebook",
        ("facebook.com", "fb.com", "fb.watch", "fb.me"),
        ("facebook", "fb", "فيسبوك", "فيس بوك", "الفيسبوك", "فيس"),
        (
            (r"^fb\.watch/", K.VIDEO),
            (r"^[^/]+/stories/", K.STORY),
            (r"^[^/]+/groups/", K.CHANNEL),
            (r"^[^/]+/(?:watch|reel/|[\w.\-]+/videos/)", K.VIDEO),
            (r"^[^/]+/(?:[\w.\-]+/posts/|permalink\.php|story\.php|share/p/|photo)", K.POST),
            (r"^[^/]+/share/[rv]/", K.VIDEO),
            (rf"^[^/]+/(?:profile\.php|{_NAME}/?$)", K.PROFILE),
        ),
    ),
    Platform(
        "threads",
        ("threads.net", "threads.com"),
        ("threads", "ثريدز", "ثريد"),
        (
            (r"^[^/]+/@[\w.\-]+/post/[\w-]+", K.POST),
            (r"^[^/]+/@[\w.\-]+/?$", K.PROFILE),
        ),
    ),
    Platform(
        "spotify",
        ("spotify.com", "spotify.link"),
        ("spotify", "سبوتيفاي", "سبوتفاي"),
        (
            (r"^[^/]+/(?:intl-[\w-]+/)?track/", K.TRACK),
            (r"^[^/]+/(?:intl-[\w-]+/)?(?:playlist|album)/", K.PLAYLIST),
            (r"^[^/]+/(?:intl-[\w-]+/)?(?:artist|user)/", K.PROFILE),
            (r"^[^/]+/(?:intl-[\w-]+/)?(?:show|episode)/", K.POST),
        ),
    ),
    Platform(
        "twitch",
        ("twitch.tv",),
        ("twitch", "تويتش", "تويش"),
        (
            (r"^clips\.twitch\.tv/", K.VIDEO),
            (r"^[^/]+/(?:videos/\d+|\w+/clip/)", K.VIDEO),
            (r"^[^/]+/\w+/?$", K.CHANNEL),
        ),
    ),
    Platform(
        "discord",
        ("discord.gg", "discord.com", "discordapp.com"),
        ("discord", "ديسكورد", "دسكورد"),
        (
            (r"^discord\.gg/[\w-]+", K.CHANNEL),
            (r"^[^/]+/invite/[\w-]+", K.CHANNEL),
        ),
    ),
)
del K

_COMPILED: dict[str, tuple[tuple[re.Pattern[str], Kind], ...]] = {
    p.name: tuple((re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in p.shapes)
    for p in PLATFORMS
}
_DROPPED_PREFIXES = ("www.", "m.", "mobile.", "web.")
_URL = re.compile(r"(?i)\bhttps?://\S+")
MAX_TEXT = 4096


@dataclass(frozen=True, slots=True)
class Link:
    url: str  # as the wizard's link step would store it
    platform: Platform | None
    kind: Kind | None


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    for prefix in _DROPPED_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host


def platform_of(host: str) -> Platform | None:
    host = _host(host)
    return next((p for p in PLATFORMS if p.serves(host)), None)


def describe(url: str) -> Link:
    """The platform and kind of an address already checked by the wizard's parse_link."""
    parts = urlsplit(url)
    host = _host(parts.hostname or "")
    platform = platform_of(host)
    if platform is None:
        return Link(url, None, None)
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    return Link(url, platform, platform.kind_of(host + path))


def find_link(text: str) -> Link | None:
    """The link a customer pasted, or None when the text is not one (then it is a search).

    A message that is one address (scheme optional for a known platform's host, as the wizard's
    link step allows), or text with exactly one http(s) address in it (the apps' "share" text)."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return None
    if not any(c.isspace() for c in text):
        candidate = text
    else:
        found = _URL.findall(text)
        if len(found) != 1:
            return None
        candidate = found[0]
    try:
        url = parse_link(candidate)
    except StepInputError:
        return None
    link = describe(url)
    has_scheme = "://" in candidate
    return link if has_scheme or link.platform is not None else None
