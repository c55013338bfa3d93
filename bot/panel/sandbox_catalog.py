"""The sandbox panel's catalog: several networks, every service type, varied flags."""

from __future__ import annotations

from typing import Any

# (category, name, type, rate per 1000, min, max, refill, cancel, dripfeed)
_ROWS: tuple[tuple[str, str, str, str, int, int, bool, bool, bool], ...] = (
    ("Instagram Followers", "Instagram Followers [Real, 30-day refill]", "Default",
     "1.20", 50, 50_000, True, True, True),
    ("Instagram Followers", "Instagram Followers [Cheap, no refill]", "Default",
     "0.45", 100, 100_000, False, False, True),
    ("Instagram Likes", "Instagram Likes [Instant]", "Default", "0.30", 20, 20_000,
     False, True, True),
    ("Instagram Comments", "Instagram Custom Comments", "Custom Comments", "8.00", 5, 500,
     False, True, False),
    ("Instagram Comments", "Instagram Custom Comments Package [10]", "Custom Comments Package",
     "2.50", 1, 1, False, False, False),
    ("Instagram Comments", "Instagram Comment Likes", "Comment Likes", "3.00", 20, 5_000,
     False, False, False),
    ("Instagram Comments", "Instagram Comment Replies", "Comment Replies", "9.00", 1, 100,
     False, False, False),
    ("Instagram Mentions", "Instagram Mentions [Usernames]", "Mentions", "4.00", 100, 10_000,
     False, False, False),
    ("Instagram Mentions", "Instagram Mentions with Hashtags", "Mentions with Hashtags",
     "5.00", 100, 10_000, False, False, False),
    ("Instagram Mentions", "Instagram Mentions [Custom List]", "Mentions Custom List", "6.00",
     10, 1_000, False, False, False),
    ("Instagram Mentions", "Instagram Mentions [From Hashtag]", "Mentions Hashtag", "4.50",
     100, 10_000, False, True, False),
    ("Instagram Mentions", "Instagram Mentions [User Followers]", "Mentions User Followers",
     "4.50", 100, 10_000, False, False, False),
    ("Instagram Mentions", "Instagram Mentions [Media Likers]", "Mentions Media Likers", "4.50",
     100, 10_000, False, False, False),
    ("Instagram Auto", "Instagram Auto Likes [Subscription]", "Subscriptions", "0.60", 50,
     5_000, False, False, False),
    ("TikTok", "TikTok Followers [Refill 60 days]", "Default", "2.10", 100, 30_000,
     True, True, False),
    ("TikTok", "TikTok Views", "Default", "0.02", 1_000, 10_000_000, False, True, True),
    ("TikTok", "TikTok Likes Package [1000]", "Package", "3.00", 1, 1, False, False, False),
    ("YouTube", "YouTube Views [Lifetime refill]", "Default", "1.80", 500, 1_000_000,
     True, False, True),
    ("YouTube", "YouTube Subscribers [Refill 30 days]", "Default", "18.00", 50, 10_000,
     True, True, False),
    ("YouTube", "YouTube SEO Ranking [Keywords]", "SEO", "7.50", 1_000, 50_000,
     False, False, False),
    ("Telegram", "Telegram Channel Members", "Default", "0.90", 100, 100_000, True, True, True),
    ("Telegram", "Telegram Poll Votes", "Poll", "1.50", 50, 50_000, False, True, False),
    ("Telegram", "Telegram Group Invites [From Groups]", "Invites from Groups", "12.00", 100,
     5_000, False, False, False),
    ("X (Twitter)", "X Followers [Refill 30 days]", "Default", "6.00", 100, 20_000,
     True, False, False),
    ("X (Twitter)", "X Retweets", "Default", "1.10", 20, 10_000, False, True, True),
    ("Facebook", "Facebook Page Likes", "Default", "3.40", 100, 50_000, True, True, False),
    ("Facebook", "Facebook Live Stream Viewers [Beta]", "Live Stream", "9.90", 50, 2_000,
     False, False, False),
)


def sandbox_catalog() -> list[dict[str, Any]]:
    """Rows as a v2 panel answers `services`, with the usual type drift (numbers as strings)."""
    rows = []
    for i, (cat, name, typ, rate, lo, hi, refill, cancel, drip) in enumerate(_ROWS, start=1):
        rows.append({
            "service": i,
            "name": name,
            "type": typ,
            "category": cat,
            "rate": rate,
            "min": str(lo),
            "max": str(hi),
            "refill": refill,
            "cancel": cancel,
            "dripfeed": drip,
            "desc": f"Sandbox service: {name}. Orders progress over a few minutes; no real "
                    "delivery, no real money.",
        })
    return rows
