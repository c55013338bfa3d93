"""Admins alerted when a panel refuses for the shop's own sake: a bad API key, no funds on the
panel. The customer is told the provider is temporarily unavailable (wz-reason / panel-reason);
only admins can fix it, so they get the panel's verbatim (redacted, bounded) words.

Called by the code that sees the rejection: ordering (add), the customer's refill and cancel
buttons (handlers/orders.py). A bad key fails every order: one alert per panel and kind per
ALERT_EVERY, not one per customer tap.
"""

from __future__ import annotations

import weakref
from typing import Protocol

from sqlalchemy import select

from bot.cache import Cache
from bot.context import Shop
from bot.panel import ErrorKind
from bot.shop.ordering import Placement, bounded_text
from storage.models import Panel

ALERT_EVERY = 600.0  # seconds between two alerts of one kind about one panel (per process)
_ALERTS: dict[ErrorKind, str] = {
    ErrorKind.BAD_KEY: "admin-panel-bad-key",
    ErrorKind.NOT_ENOUGH_FUNDS: "admin-panel-no-funds",
}
ALERTS_KEPT = 1_000  # (panel, kind) pairs remembered per notifier: far more than a shop has
# Per notifier (one per running bot), so two shops in one process never silence each other;
# an entry is there for ALERT_EVERY seconds after its alert went out.
_recently_sent: weakref.WeakKeyDictionary[object, Cache[tuple[str, ErrorKind], bool]] = (
    weakref.WeakKeyDictionary()
)


class AdminNotifier(Protocol):
    shop: Shop

    async def to_admins(self, key: str, **kwargs: object) -> int: ...


def alert_key(kind: ErrorKind | str | None) -> str | None:
    """The admin message for a rejection of this kind, or None when admins need not hear."""
    try:
        return _ALERTS.get(ErrorKind(kind)) if kind else None
    except ValueError:
        return None  # "unavailable" and other non-kinds


async def panel_refused(
    notifier: AdminNotifier, kind: ErrorKind | str | None, *, panel: str, action: str, message: str
) -> bool:
    """Tell admins about a bad key or an empty panel balance; True when an alert went out."""
    key = alert_key(kind)
    if key is None or kind is None:  # no kind has no key; the test tells the checker so
        return False
    sent = _recently_sent.get(notifier)
    if sent is None:
        sent = _recently_sent[notifier] = Cache(ALERTS_KEPT, ALERT_EVERY)
    if (panel, ErrorKind(kind)) in sent:
        return False
    sent.put((panel, ErrorKind(kind)), True)
    await notifier.to_admins(
        key, panel=panel, action=action, message=bounded_text(message or "-", 300)
    )
    return True


async def placement_failed(notifier: AdminNotifier, placement: Placement) -> bool:
    """The `add` of an order was refused (ordering.submit's FAILED outcome): alert if due."""
    if alert_key(placement.reason) is None:
        return False
    async with notifier.shop.sessions() as session:
        panel = await session.scalar(select(Panel.name).where(Panel.id == placement.order.panel_id))
    # ordering stores "<kind>: <panel's words>"; admins read the words.
    message = (placement.error or "").removeprefix(f"{placement.reason}: ")
    return await panel_refused(
        notifier, placement.reason, panel=panel or "?", action="add", message=message
    )
