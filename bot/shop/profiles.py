"""Each panel's learned dialect profile: loaded from panels.profile at startup, written back
when the client learned something (the jobs call save_learned after each cycle).

Only the learned profile is stored; the owner's PANELS pins are applied over it by the client,
so removing a pin from PANELS lets what was learned show again.
"""

from __future__ import annotations

import logging
import weakref

from sqlalchemy import select, update

from bot.context import Shop
from bot.panel import PanelClient
from storage.models import Panel

log = logging.getLogger("bot.shop.profiles")
# The profile_version each client's stored profile reflects (learning bumps the client's).
_saved: weakref.WeakKeyDictionary[PanelClient, int] = weakref.WeakKeyDictionary()


async def load_learned(shop: Shop) -> None:
    """Every configured panel's stored profile into its client. Never raises: a panel whose
    profile cannot be read starts from the documented defaults (and its pins)."""
    try:
        async with shop.sessions() as session:
            rows = {
                name: profile
                for name, profile in await session.execute(select(Panel.name, Panel.profile))
            }
    except Exception as exc:
        log.error("stored panel profiles could not be read: %s", type(exc).__name__)
        return
    for client in shop.panels:
        client.load_learned(rows.get(client.name))
        _saved[client] = client.profile_version


async def save_learned(shop: Shop, client: PanelClient) -> bool:
    """Store the client's learned profile if it changed since last stored; True if written.
    Never raises: the next cycle tries again."""
    version = client.profile_version
    if _saved.get(client, 0) == version:
        return False
    try:
        async with shop.sessions() as session, session.begin():
            await session.execute(
                update(Panel)
                .where(Panel.name == client.name)
                .values(profile=client.learned.to_json())
            )
    except Exception as exc:
        log.error(
            "panel %s: the learned profile could not be stored: %s", client.name, type(exc).__name__
        )
        return False
    _saved[client] = version
    log.info("panel %s: learned profile stored", client.name)
    return True


async def save_all(shop: Shop) -> None:
    for client in shop.panels:
        await save_learned(shop, client)
