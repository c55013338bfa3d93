"""Refills never stuck (issue 14, point 7): a refill left `requesting` or `unknown` past
REFILL_GRACE is resolved, over real HTTP against the fake panel, with a real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.refills import REFILL_GRACE, resolve_stuck_refills
from bot.jobs.scheduler import ShopScheduler
from bot.panel import PanelRegistry, PanelSpec
from bot.shop import aftersale
from bot.shop.aftersale import RefillOutcome
from storage.models import OrderState, Refill
from storage.types import utcnow
from tests.fakes.panel_server import FakePanel, Fault
from tests.jobs.factory import make_customer, make_service, make_shop, place_order

Sessions = async_sessionmaker[AsyncSession]


async def age_refills(sessions: Sessions, minutes: float) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Refill).values(updated_at=utcnow() - timedelta(minutes=minutes))
        )


async def refills(sessions: Sessions) -> dict[int, Refill]:
    async with sessions() as session:
        return {r.id: r for r in await session.scalars(select(Refill))}


async def test_a_timed_out_refill_is_failed_after_the_grace_and_may_be_asked_again(
    sessions: Sessions,
) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        panels = PanelRegistry([PanelSpec("main", panel.url, panel.key)], timeout=0.3, retries=0)
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "23501", state=OrderState.COMPLETED)
        panel.set_order("23501", "Completed", remains="0")
        panel.inject(Fault.HANG, action="refill")

        first = await aftersale.request_refill(sessions, panels, user.id, order.id)
        assert first is not None and first.outcome is RefillOutcome.UNKNOWN
        blocked = await aftersale.request_refill(sessions, panels, user.id, order.id)
        assert blocked is not None and blocked.outcome is RefillOutcome.IN_PROGRESS

        assert await resolve_stuck_refills(shop) == []  # young: left alone
        await age_refills(sessions, REFILL_GRACE.total_seconds() / 60 + 1)
        resolved = await resolve_stuck_refills(shop)

        assert [(r.refill_id, r.order_id, r.state) for r in resolved] == [
            (first.refill_id, order.id, "failed")
        ]
        assert resolved[0].telegram_id == user.telegram_id
        row = (await refills(sessions))[first.refill_id]
        assert row.state == "failed" and "no refill ID" in (row.error or "")
        assert await resolve_stuck_refills(shop) == []  # resolved once
        again = await aftersale.request_refill(sessions, panels, user.id, order.id)
        assert again is not None and again.outcome is RefillOutcome.REQUESTED
        assert len(panel.requests_for("refill")) == 2
        await panels.aclose()
        await shop.panels.aclose()


async def test_a_stuck_refill_with_a_panel_id_is_asked_again(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "91", state=OrderState.COMPLETED)
        async with sessions() as session, session.begin():
            for panel_refill_id, state in (
                ("7", "unknown"),
                ("8", "requesting"),
                ("9", "unknown"),
                ("10", "unknown"),
            ):
                session.add(Refill(order_id=order.id, panel_refill_id=panel_refill_id, state=state))
        panel.set_refill("7", "Completed")
        panel.set_refill("8", "In progress")
        panel.set_refill("10", "Whatever the panel invented")
        # "9" is unknown to the panel.
        await age_refills(sessions, 11)

        resolved = await resolve_stuck_refills(shop)

        assert len(panel.requests_for("refill_status")) == 1  # one multi-ID request
        rows = {r.panel_refill_id: r for r in (await refills(sessions)).values()}
        assert {k: r.state for k, r in rows.items()} == {
            "7": "completed",
            "8": "in_progress",
            "9": "failed",
            "10": "failed",
        }
        assert "does not know it" in (rows["9"].error or "")
        assert rows["10"].panel_status == "Whatever the panel invented"
        assert sorted(r.state for r in resolved) == ["completed", "failed", "failed", "in_progress"]
        await shop.panels.aclose()


async def test_a_stuck_refill_stays_when_the_panel_does_not_answer(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "91", state=OrderState.COMPLETED)
        async with sessions() as session, session.begin():
            session.add(Refill(order_id=order.id, panel_refill_id="7", state="unknown"))
        await age_refills(sessions, 11)
        panel.inject(Fault.HTML_502, action="refill_status", times=2)  # and its retry

        assert await resolve_stuck_refills(shop) == []
        [row] = (await refills(sessions)).values()
        assert row.state == "unknown"  # asked again next cycle, not guessed
        await shop.panels.aclose()


class RecordingNotifier:
    """Stands in for bot.telegram.notify.Notifier: what the scheduler would send."""

    def __init__(self) -> None:
        self.users: list[tuple[int, str, dict[str, Any]]] = []
        self.admins: list[tuple[str, dict[str, Any]]] = []

    async def to_user(self, telegram_id: int, key: str, **kwargs: Any) -> bool:
        self.users.append((telegram_id, key, kwargs))
        return True

    async def to_admins(self, key: str, **kwargs: Any) -> int:
        self.admins.append((key, kwargs))
        return 1


async def test_the_refills_job_tells_the_customer_and_the_admins(sessions: Sessions) -> None:
    async with FakePanel() as panel:
        shop = await make_shop(sessions, {"main": panel.url})
        user = await make_customer(sessions)
        service = await make_service(sessions, "main")
        order = await place_order(sessions, user, service, "91", state=OrderState.COMPLETED)
        async with sessions() as session, session.begin():
            session.add(Refill(order_id=order.id, state="requesting"))
        await age_refills(sessions, 11)
        notifier = RecordingNotifier()

        await ShopScheduler(shop, notifier).run_refills()  # type: ignore[arg-type]

        assert notifier.users == [
            (user.telegram_id, "refill-retry-allowed", {"order_id": order.id})
        ]
        [(key, args)] = notifier.admins
        assert key == "admin-refills-resolved" and args["count"] == 1
        assert f"#{order.id}: failed" in args["refills"]
        english = shop.translate("en", key, **args)
        arabic = shop.translate("ar", key, **args)
        assert f"#{order.id}: failed" in english and f"#{order.id}: failed" in arabic
        await shop.panels.aclose()
