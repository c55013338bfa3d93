"""The platform rules (bot/shop/links.py) against link shapes customers really paste."""

from __future__ import annotations

import pytest

from bot.shop.links import PLATFORMS, Kind, find_link

CASES = [
    # YouTube: the share host, mobile shorts, watch with a query, channels
    ("https://youtu.be/dQw4w9WgXcQ?si=abc123", "youtube", Kind.VIDEO),
    ("https://m.youtube.com/shorts/aBcD123xyz", "youtube", Kind.VIDEO),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "youtube", Kind.VIDEO),
    ("https://www.youtube.com/@SomeChannel/", "youtube", Kind.CHANNEL),
    ("https://youtube.com/channel/UC1234567890", "youtube", Kind.CHANNEL),
    # TikTok: the app's short links, videos, profiles
    ("https://vm.tiktok.com/ZMabcdEF/", "tiktok", Kind.VIDEO),
    ("https://vt.tiktok.com/ZSabc/", "tiktok", Kind.VIDEO),
    (
        "https://www.tiktok.com/@some.user/video/7301234567890123456?is_from_webapp=1",
        "tiktok",
        Kind.VIDEO,
    ),
    ("https://www.tiktok.com/@some.user", "tiktok", Kind.PROFILE),
    # Instagram: short host, reels with the share parameter, stories, profiles
    ("https://instagr.am/p/CxYz123/", "instagram", Kind.POST),
    ("https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=MWQ1ZGUxMzBkMA==", "instagram", Kind.VIDEO),
    (
        "https://www.instagram.com/p/C1a2B3c4D5e/?utm_source=ig_web_copy_link",
        "instagram",
        Kind.POST,
    ),
    ("https://instagram.com/stories/some.user/3141592653589793238", "instagram", Kind.STORY),
    ("https://www.instagram.com/some.user/", "instagram", Kind.PROFILE),
    ("instagram.com/some_user", "instagram", Kind.PROFILE),
    # Telegram: invites, private channel posts, public posts and channels
    ("https://t.me/+AbCdEfGhIjK1MmNn", "telegram", Kind.CHANNEL),
    ("https://t.me/joinchat/AAAAAEbc", "telegram", Kind.CHANNEL),
    ("https://t.me/c/1234567890/42", "telegram", Kind.POST),
    ("https://t.me/durov/123", "telegram", Kind.POST),
    ("https://t.me/s/durov", "telegram", Kind.CHANNEL),
    ("https://telegram.me/durov", "telegram", Kind.CHANNEL),
    # X / Twitter: both hosts, statuses and profiles
    ("https://x.com/elonmusk/status/1712345678901234567?s=20", "x", Kind.POST),
    ("https://twitter.com/jack/status/20", "x", Kind.POST),
    ("https://mobile.twitter.com/jack", "x", Kind.PROFILE),
    # Facebook: the video host, mobile pages, posts and groups
    ("https://fb.watch/abcDEF123/", "facebook", Kind.VIDEO),
    ("https://m.facebook.com/story.php?story_fbid=123&id=456", "facebook", Kind.POST),
    ("https://www.facebook.com/somepage/posts/pfbid0abc", "facebook", Kind.POST),
    ("https://www.facebook.com/watch/?v=1234567890", "facebook", Kind.VIDEO),
    ("https://www.facebook.com/groups/1234567890/", "facebook", Kind.CHANNEL),
    ("https://m.facebook.com/some.page", "facebook", Kind.PROFILE),
    # Threads
    ("https://www.threads.net/@someone/post/C8aBcDeFgHi", "threads", Kind.POST),
    ("https://www.threads.net/@someone", "threads", Kind.PROFILE),
    # Spotify
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=9f1a", "spotify", Kind.TRACK),
    ("https://open.spotify.com/artist/0OdUWJ0sBjDrqHygGUXeCF", "spotify", Kind.PROFILE),
    ("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M", "spotify", Kind.PLAYLIST),
    ("https://open.spotify.com/intl-ar/track/4uLU6hMCjMI75M1A2tKUQC", "spotify", Kind.TRACK),
    # Twitch and Discord
    ("https://www.twitch.tv/somestreamer", "twitch", Kind.CHANNEL),
    ("https://m.twitch.tv/videos/1234567890", "twitch", Kind.VIDEO),
    ("https://discord.gg/abcDEF", "discord", Kind.CHANNEL),
    ("https://discord.com/invite/abcDEF", "discord", Kind.CHANNEL),
    # Uppercase hosts, trailing slashes, doubled slashes
    ("HTTPS://WWW.INSTAGRAM.COM/P/CxYz123/", "instagram", Kind.POST),
    ("https://YOUTU.BE/dQw4w9WgXcQ", "youtube", Kind.VIDEO),
    ("https://T.ME/durov/", "telegram", Kind.CHANNEL),
    ("https://x.com//jack//", "x", Kind.PROFILE),
    # A platform whose kind the address does not show
    ("https://www.youtube.com/", "youtube", None),
]


@pytest.mark.parametrize(("text", "platform", "kind"), CASES)
def test_platform_and_kind_of_real_link_shapes(text: str, platform: str, kind: Kind | None) -> None:
    link = find_link(text)
    assert link is not None, text
    assert link.platform is not None and link.platform.name == platform
    assert link.kind is kind


def test_a_link_in_shared_text_is_found() -> None:
    link = find_link("Check this out! https://vm.tiktok.com/ZMabcdEF/ #fyp")
    assert link is not None and link.url == "https://vm.tiktok.com/ZMabcdEF/"
    assert link.platform is not None and link.platform.name == "tiktok"


def test_an_unknown_site_with_a_scheme_is_a_link_of_no_platform() -> None:
    link = find_link("https://example.com/page")
    assert link is not None and link.platform is None and link.kind is None


@pytest.mark.parametrize(
    "text",
    [
        "instagram followers",  # a search
        "1.5",  # a number, not a host
        "example.com",  # no scheme and no known platform: a search
        "two links https://x.com/a and https://x.com/b",
        "https://insta<gram>.com/x",  # markup
        "ftp://instagram.com/x",
        "",
        "   ",
    ],
)
def test_what_is_not_a_pasted_link(text: str) -> None:
    assert find_link(text) is None


def test_lookalike_hosts_are_not_the_platform() -> None:
    for text in ("https://notinstagram.com/p/x", "https://instagram.com.evil.example/p/x"):
        link = find_link(text)
        assert link is not None and link.platform is None


def test_every_platform_is_in_the_table_once() -> None:
    names = [p.name for p in PLATFORMS]
    assert len(names) == len(set(names))
    assert {
        "instagram", "tiktok", "youtube", "telegram", "x",
        "facebook", "threads", "spotify", "twitch", "discord",
    } <= set(names)  # fmt: skip
