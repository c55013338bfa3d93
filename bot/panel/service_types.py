"""Service types and what each one takes: the one table the panel's `add` parameters and the
shop's order wizard both read, so the two cannot disagree on a type's fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_SEP = re.compile(r"[\s\-_]+")


def _squash(raw: str) -> str:
    """'Custom-Comments ', 'custom_comments' → 'custom_comments'."""
    return _SEP.sub("_", raw.strip().lower()).strip("_")


class ServiceType(StrEnum):
    DEFAULT = "default"
    PACKAGE = "package"
    SEO = "seo"
    CUSTOM_COMMENTS = "custom_comments"
    CUSTOM_COMMENTS_PACKAGE = "custom_comments_package"
    MENTIONS = "mentions"
    MENTIONS_WITH_HASHTAGS = "mentions_with_hashtags"
    MENTIONS_CUSTOM_LIST = "mentions_custom_list"
    MENTIONS_HASHTAG = "mentions_hashtag"
    MENTIONS_USER_FOLLOWERS = "mentions_user_followers"
    MENTIONS_MEDIA_LIKERS = "mentions_media_likers"
    COMMENT_LIKES = "comment_likes"
    COMMENT_REPLIES = "comment_replies"
    POLL = "poll"
    INVITES_FROM_GROUPS = "invites_from_groups"
    SUBSCRIPTIONS = "subscriptions"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, raw: object) -> ServiceType:
        """Tolerant: case, spaces, hyphens and snake_case all map to one member."""
        if raw is None:
            return cls.DEFAULT  # panels that omit the type only sell plain services
        text = str(raw)
        found = _PARSED_TYPES.get(text)
        if found is None:
            key = _squash(text)
            found = (
                cls.DEFAULT if not key else _VALUES.get(key) or _TYPE_ALIASES.get(key, cls.UNKNOWN)
            )
            if len(_PARSED_TYPES) < 1024:  # catalogs repeat a handful of spellings
                _PARSED_TYPES[text] = found
        return found

    # A property shadowing str.title on purpose (the display name); mypy flags any such override.
    @property
    def title(self) -> str:  # type: ignore[override]
        """The name panels document, e.g. 'Custom Comments Package'."""
        return "SEO" if self is ServiceType.SEO else self.value.replace("_", " ").title()


_PARSED_TYPES: dict[str, ServiceType] = {}
_VALUES: dict[str, ServiceType] = {t.value: t for t in ServiceType}
_TYPE_ALIASES: dict[str, ServiceType] = {
    "subscription": ServiceType.SUBSCRIPTIONS,
    "comment_like": ServiceType.COMMENT_LIKES,
    "comment_reply": ServiceType.COMMENT_REPLIES,
    "custom_comment": ServiceType.CUSTOM_COMMENTS,
    "custom_comments_packages": ServiceType.CUSTOM_COMMENTS_PACKAGE,
    "mentions_user_follower": ServiceType.MENTIONS_USER_FOLLOWERS,
    "invites_from_group": ServiceType.INVITES_FROM_GROUPS,
    "polls": ServiceType.POLL,
    "packages": ServiceType.PACKAGE,
}


@dataclass(frozen=True, slots=True)
class TypeFields:
    """The `add` fields of one service type, as the docs and panel-api-notes list them.

    `asked`: the fields the order wizard asks, in its order (default: the required ones).
    Runs/interval are not listed there: the wizard asks them only after its drip-feed question."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    asked: tuple[str, ...] | None = None

    @property
    def steps(self) -> tuple[str, ...]:
        return self.required if self.asked is None else self.asked


T = ServiceType
F = TypeFields
# Subscriptions also ask `posts`: without it the shop's reservation (max per post × posts)
# could not cover what the panel may charge.
FIELDS: dict[ServiceType, TypeFields] = {
    T.DEFAULT: F(("link", "quantity"), ("runs", "interval")),
    T.PACKAGE: F(("link",)),
    T.SEO: F(("link", "quantity", "keywords")),
    T.CUSTOM_COMMENTS: F(("link", "comments")),
    T.CUSTOM_COMMENTS_PACKAGE: F(("link", "comments")),
    T.MENTIONS: F(("link", "quantity", "usernames")),
    T.MENTIONS_WITH_HASHTAGS: F(("link", "quantity", "usernames", "hashtags")),
    T.MENTIONS_CUSTOM_LIST: F(("link", "usernames")),
    T.MENTIONS_HASHTAG: F(("link", "quantity", "hashtag")),
    T.MENTIONS_USER_FOLLOWERS: F(("link", "quantity", "username")),
    T.MENTIONS_MEDIA_LIKERS: F(("link", "quantity", "media")),
    T.COMMENT_LIKES: F(("link", "quantity", "username")),
    T.COMMENT_REPLIES: F(("link", "username", "comments")),
    T.POLL: F(("link", "quantity", "answer_number")),
    T.INVITES_FROM_GROUPS: F(("link", "quantity", "groups")),
    T.SUBSCRIPTIONS: F(
        ("username", "min", "max", "delay"),
        ("posts", "old_posts", "expiry"),
        asked=("username", "min", "max", "posts", "delay", "expiry"),
    ),
}
del F

# Fields that hold a list of entries (one per line in the wizard, joined by the panel's separator).
LIST_FIELDS = frozenset({"comments", "usernames", "hashtags", "keywords", "groups"})

# Types billed per entry of a list rather than by a quantity: the list that is counted.
COUNTED_LIST: dict[ServiceType, str] = {
    T.CUSTOM_COMMENTS: "comments",
    T.COMMENT_REPLIES: "comments",
    T.MENTIONS_CUSTOM_LIST: "usernames",
}

# Types whose rate is the price of the whole package, not per 1000 units.
PER_PACKAGE = frozenset({T.PACKAGE, T.CUSTOM_COMMENTS_PACKAGE})


def is_orderable(service_type: ServiceType) -> bool:
    """A type whose parameters we can build; any other is shown but never sent to a panel."""
    return service_type in FIELDS
