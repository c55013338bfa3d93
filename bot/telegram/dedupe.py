"""Update de-duplication across bot processes, by Telegram's update_id.

In webhook mode Telegram redelivers an update it got no 200 for, and behind a load balancer the
redelivery may reach another process. The first process to claim an update handles it; a
duplicate of a finished update is acknowledged and dropped; a duplicate of an update still being
handled gets "busy" so Telegram retries later, and if the claimant died (its lease ran out) the
next delivery takes over — nothing is handled twice while it is alive, nothing is lost if it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from enum import Enum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import changed_rows
from storage.models import ProcessedUpdate
from storage.types import utcnow

log = logging.getLogger("bot.telegram.dedupe")

# A claim not renewed for this long belongs to a dead process. A live one renews it every third
# of it for as long as its handler runs (`held`), so a slow handler is never overtaken.
CLAIM_LEASE = timedelta(seconds=90)
# Telegram keeps an undelivered update for at most 24 hours.
KEEP = timedelta(days=2)


class Claim(Enum):
    MINE = "mine"  # handle it
    DONE = "done"  # handled already: acknowledge, do nothing
    BUSY = "busy"  # another process is handling it now: ask Telegram to retry


class UpdateClaims:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], lease: timedelta = CLAIM_LEASE
    ) -> None:
        self.sessions = sessions
        self.lease = lease

    async def claim(self, update_id: int) -> Claim:
        now = utcnow()
        try:
            async with self.sessions() as session, session.begin():
                session.add(ProcessedUpdate(update_id=update_id, done=False, claimed_at=now))
            return Claim.MINE
        except IntegrityError:
            pass  # someone claimed it first (the unique key decides, on every engine)
        async with self.sessions() as session, session.begin():
            row = await session.get(ProcessedUpdate, update_id)
            if row is None:  # pruned meanwhile: far too old to matter
                return Claim.DONE
            if row.done:
                return Claim.DONE
            if row.claimed_at > now - self.lease:
                return Claim.BUSY
            # The claimant died mid-update: take over, compare-and-set on its claim time.
            taken = await session.execute(
                update(ProcessedUpdate)
                .where(
                    ProcessedUpdate.update_id == update_id,
                    ProcessedUpdate.claimed_at == row.claimed_at,
                    ProcessedUpdate.done.is_(False),
                )
                .values(claimed_at=now)
            )
            if changed_rows(taken) == 1:
                log.warning("update %d: taking over an expired claim", update_id)
                return Claim.MINE
            return Claim.BUSY

    @contextlib.asynccontextmanager
    async def held(self, update_id: int) -> AsyncIterator[None]:
        """Around the handling of a claimed update: the claim is renewed while the body runs and
        finished only when it has returned or raised. A cancelled body (the server stopping)
        leaves the claim unfinished, to expire: the update is redelivered, not lost."""
        renewing = asyncio.create_task(self._keep_renewed(update_id))
        try:
            yield
        except asyncio.CancelledError:
            raise
        except BaseException:
            await self.finish(update_id)
            raise
        else:
            await self.finish(update_id)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _keep_renewed(self, update_id: int) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew(update_id)
            except Exception as exc:  # a database hiccup: the next renewal may work
                log.warning("update %d: claim not renewed: %s", update_id, exc)

    async def renew(self, update_id: int) -> None:
        """Still being handled: move the claim's time forward (a takeover compares it)."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.update_id == update_id, ProcessedUpdate.done.is_(False))
                .values(claimed_at=utcnow())
            )

    async def finish(self, update_id: int) -> None:
        """Handled (successfully or not: a failing handler is not retried, as with polling)."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.update_id == update_id)
                .values(done=True)
            )

    async def prune(self) -> int:
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.claimed_at < utcnow() - KEEP)
            )
        return changed_rows(result)

    async def is_done(self, update_id: int) -> bool:
        async with self.sessions() as session:
            return bool(
                await session.scalar(
                    select(ProcessedUpdate.done).where(ProcessedUpdate.update_id == update_id)
                )
            )
