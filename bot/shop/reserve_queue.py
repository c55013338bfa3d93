"""Confirmations reserved in groups: every Confirm that arrives while the shop waits for its
database writer joins one write transaction (a group commit, `ordering.reserve_group`).

On SQLite one connection writes at a time, and a transaction holds it for as many turns of the
event loop as it makes trips to the driver's thread. Reserved one by one, orders queue behind
each other once they come faster than the writer turns them round, and the queue grows the
busier the loop gets. Grouped, the writer's work per order shrinks as the queue grows, so a
burst of Confirms drains instead of piling up. At a quiet moment a group is one confirmation,
reserved at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import OrderRequest
from bot.shop import ordering
from bot.shop.ordering import Reservation, ReserveAsk
from bot.shop.pricing import PriceRules

log = logging.getLogger("bot.shop.reserve_queue")

_Waiting = tuple[ReserveAsk, "asyncio.Future[Reservation]"]


class ReserveQueue:
    """`ordering.reserve` for one process's Confirms, grouped while the writer is busy.

    Same contract as `ordering.reserve`: a Reservation, or its exceptions (InsufficientFunds,
    ServiceUnavailable, InvalidOrderParams, PriceChanged). A caller cancelled before its group
    began is never charged; one cancelled later gets its order reserved all the same (the
    interrupted-orders check holds it, as for any order whose submit never ran).
    """

    MAX_GROUP = 32  # bounds one transaction's length, and so the wait of everything behind it

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._waiting: deque[_Waiting] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def reserve(
        self,
        rules: PriceRules,
        *,
        user_id: int,
        service_id: int,
        request: OrderRequest,
        request_key: str,
        expected_price: Decimal | None = None,
    ) -> Reservation:
        ask = ReserveAsk(rules, user_id, service_id, request, request_key, expected_price)
        future: asyncio.Future[Reservation] = asyncio.get_running_loop().create_future()
        self._waiting.append((ask, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="reserve-queue")
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                await self._reserve_next_group()
        except BaseException:
            # Cancelled (the process is stopping): nobody may wait for a group that never comes.
            while self._waiting:
                self._waiting.popleft()[1].cancel()
            raise
        finally:
            self._drainer = None

    async def _reserve_next_group(self) -> None:
        group: list[_Waiting] = []
        try:
            try:
                async with self.sessions() as session, session.begin():
                    # The writer first: the confirmations that arrive meanwhile join this group.
                    await session.connection()
                    group = self._take()
                    if not group:
                        return
                    outcomes = await ordering.reserve_group(session, [ask for ask, _ in group])
            except Exception:
                # Rolled back: something failed after the writes began (see reserve_group).
                # Each confirmation again on its own, which tells each its own outcome.
                group = group or self._take()
                log.debug("group of %d rolled back; reserving one by one", len(group))
                await asyncio.gather(*(self._reserve_alone(ask, future) for ask, future in group))
                return
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():  # its caller was cancelled
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        except BaseException:
            for _, future in group:
                future.cancel()
            raise

    def _take(self) -> list[_Waiting]:
        group: list[_Waiting] = []
        while self._waiting and len(group) < self.MAX_GROUP:
            ask, future = self._waiting.popleft()
            if not future.done():  # a caller cancelled before its group began is skipped
                group.append((ask, future))
        return group

    async def _reserve_alone(self, ask: ReserveAsk, future: asyncio.Future[Reservation]) -> None:
        try:
            reservation = await ordering.reserve(
                self.sessions,
                ask.rules,
                user_id=ask.user_id,
                service_id=ask.service_id,
                request=ask.request,
                request_key=ask.request_key,
                expected_price=ask.expected_price,
            )
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(reservation)
