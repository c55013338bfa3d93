"""Group commit: writes that arrive while the shop waits for its database writer share one
transaction.

On SQLite one connection writes at a time, and a transaction holds it for as many turns of the
event loop as it makes trips to the driver's thread. One transaction per order, orders queue
behind each other once they come faster than the writer turns them round, and the queue grows
the busier the loop gets. Grouped, the writer's work per order shrinks as the queue grows, so a
burst drains instead of piling up. At a quiet moment a group is one write, done at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("bot.shop.group_commit")

Ask = TypeVar("Ask")
Done = TypeVar("Done")

# Writes a group in the caller's transaction: per ask, in order, its result, the exception it
# ends with (nothing of it written), or None when it must be decided on its own (`alone`,
# after the group committed). Raising rolls the whole group back: each ask then runs alone.
GroupWrite = Callable[[AsyncSession, Sequence[Ask]], Awaitable[list[Done | Exception | None]]]


class GroupCommit(Generic[Ask, Done]):
    """Runs `alone(ask)`'s write for each caller, grouped while the writer is busy.

    `group` must give each ask the outcome `alone` would have given it. A caller cancelled
    before its group began is left out; one cancelled later has its write made all the same
    (as a write that committed just before its caller was cancelled would be).
    """

    MAX_GROUP = 32  # bounds one transaction's length, and so the wait of everything behind it

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        group: GroupWrite[Ask, Done],
        alone: Callable[[Ask], Awaitable[Done]],
        name: str,
    ) -> None:
        self.sessions = sessions
        self.group = group
        self.alone = alone
        self.name = name
        self._waiting: deque[tuple[Ask, asyncio.Future[Done]]] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def run(self, ask: Ask) -> Done:
        future: asyncio.Future[Done] = asyncio.get_running_loop().create_future()
        self._waiting.append((ask, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name=f"group-commit-{self.name}")
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                await self._next_group()
        except BaseException:
            # Cancelled (the process is stopping): nobody may wait for a group that never comes.
            while self._waiting:
                self._waiting.popleft()[1].cancel()
            raise
        finally:
            self._drainer = None

    async def _next_group(self) -> None:
        taken: list[tuple[Ask, asyncio.Future[Done]]] = []
        try:
            try:
                async with self.sessions() as session, session.begin():
                    # The writer first: whatever arrives meanwhile joins this group.
                    await session.connection()
                    taken = self._take()
                    if not taken:
                        return
                    outcomes = await self.group(session, [ask for ask, _ in taken])
            except Exception:
                # Rolled back: each ask on its own, which tells each its own outcome.
                taken = taken or self._take()
                log.debug("%s: a group of %d rolled back, each alone", self.name, len(taken))
                await asyncio.gather(*(self._alone(ask, future) for ask, future in taken))
                return
            undecided = []
            for (ask, future), outcome in zip(taken, outcomes, strict=True):
                if outcome is None:
                    undecided.append(self._alone(ask, future))
                elif isinstance(outcome, Exception):
                    _fail(future, outcome)
                elif not future.done():  # else its caller was cancelled
                    future.set_result(outcome)
            await asyncio.gather(*undecided)
        except BaseException:
            for _, future in taken:
                future.cancel()
            raise

    def _take(self) -> list[tuple[Ask, asyncio.Future[Done]]]:
        taken: list[tuple[Ask, asyncio.Future[Done]]] = []
        while self._waiting and len(taken) < self.MAX_GROUP:
            ask, future = self._waiting.popleft()
            if not future.done():  # a caller cancelled before its group began is left out
                taken.append((ask, future))
        return taken

    async def _alone(self, ask: Ask, future: asyncio.Future[Done]) -> None:
        try:
            done = await self.alone(ask)
        except Exception as exc:
            _fail(future, exc)
        else:
            if not future.done():
                future.set_result(done)


def _fail(future: asyncio.Future[Done], exc: Exception) -> None:
    if not future.done():
        future.set_exception(exc)
