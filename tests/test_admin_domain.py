"""The admin console's domain without Telegram: refunds (exactly once, capped), review
resolution, bans, catalog switches and markups (the global one read by pricing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.panel import OrderRequest, ServiceType
from bot.shop import audit, credits, ledger, ordering, shop_settings, wizard_steps
from bot.shop.admin import catalog, lookups, people, refunds, review
from bot.shop.admin.people import BanStatus
from bot.shop.admin.refunds import RefundStatus
from bot.shop.admin.review import AttachStatus
from bot.shop.catalog_view import load_view
from bot.shop.credits import CreditCommand, CreditStatus
from bot.shop.orders import refund
from bot.shop.pricing import PriceRules
from storage.models import (
    AuditLog,
    Category,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderEvent,
    OrderState,
    Panel,
    Service,
    User,
)

Sessions = async_sessionmaker[AsyncSession]
ADMIN = 900_001
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
RULES = PriceRules(currency_rate=Decimal(1), precision=2, default_markup_percent=Decimal(30))


async def seed(sessions: Sessions, telegram_id: int = 42, funds: str = "10") -> tuple[int, int]:
    """A customer with `funds` and a service; returns (user id, service id)."""
    async with sessions() as session, session.begin():
        panel = await session.scalar(select(Panel)) or Panel(name="main", url="http://p")
        category = await session.scalar(select(Category)) or Category(name="Followers")
        session.add_all([panel, category])
        await session.flush()
        service = await session.scalar(select(Service)) or Service(
            panel_id=panel.id,
            panel_service_id="1",
            category_id=category.id,
            name="IG",
            type="default",
            rate=Decimal("1"),
            min_quantity=10,
            max_quantity=10_000,
        )
        user = User(telegram_id=telegram_id, language="ar", username="Sara_X")
        session.add_all([service, user])
        await session.flush()
        await ledger.apply(
            session,
            user_id=user.id,
            amount=Decimal(funds),
            kind=LedgerKind.CREDIT,
            key=f"seed:{user.id}",
        )
        return user.id, service.id


async def place(
    sessions: Sessions,
    user_id: int,
    service_id: int,
    *,
    charge: str = "4.00",
    state: OrderState = OrderState.PENDING,
    panel_order_id: str | None = "777",
) -> int:
    async with sessions() as session, session.begin():
        service = await session.get(Service, service_id)
        assert service is not None
        order = Order(
            user_id=user_id,
            service_id=service_id,
            panel_id=service.panel_id,
            panel_order_id=panel_order_id,
            state=state.value,
            quantity=1000,
            charge=Decimal(charge),
            cost=Decimal("1"),
            link="https://x.test/p",
            request_key=f"t:{user_id}:{charge}:{state}:{panel_order_id}",
        )
        session.add(order)
        await session.flush()
        await ledger.apply(
            session,
            user_id=user_id,
            amount=-Decimal(charge),
            kind=LedgerKind.ORDER,
            key=f"order:{order.id}",
        )
        return order.id


async def get(sessions: Sessions, model: type, row_id: object) -> object:
    async with sessions() as session:
        return await session.get(model, row_id)


async def audit_rows(sessions: Sessions) -> list[AuditLog]:
    async with sessions() as session:
        return list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))


async def balance(sessions: Sessions, user_id: int) -> Decimal:
    async with sessions() as session:
        return await ledger.balance_of(session, user_id)


async def invariant(sessions: Sessions) -> bool:
    async with sessions() as session:
        return await ledger.invariant_violations(session) == []


# -- refunds -----------------------------------------------------------------------------------


@both_engines
async def test_partial_then_full_refund_exactly_once_and_capped(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions)
    order_id = await place(sessions, user_id, service_id)
    args = {"admin_id": ADMIN, "order_id": order_id}
    first = await refunds.refund_order(sessions, amount=Decimal("1.50"), key="k:1", **args)
    assert (first.status, first.amount, first.left, first.state) == (
        RefundStatus.APPLIED,
        Decimal("1.50"),
        Decimal("2.50"),
        OrderState.PENDING,
    )
    again = await refunds.refund_order(sessions, amount=Decimal("1.50"), key="k:1", **args)
    assert (again.status, again.amount) == (RefundStatus.DUPLICATE, Decimal("1.50"))
    too_much = await refunds.refund_order(sessions, amount=Decimal("2.51"), key="k:2", **args)
    assert (too_much.status, too_much.left) == (RefundStatus.EXCEEDS, Decimal("2.50"))
    rest = await refunds.refund_order(sessions, amount=None, key="k:3", **args)
    assert (rest.status, rest.amount, rest.state) == (
        RefundStatus.APPLIED,
        Decimal("2.50"),
        OrderState.REFUNDED,
    )
    nothing = await refunds.refund_order(sessions, amount=None, key="k:4", **args)
    assert nothing.status is RefundStatus.NOTHING_LEFT
    order = await get(sessions, Order, order_id)
    assert isinstance(order, Order)
    assert (order.refunded, order.state) == (Decimal("4.00"), "refunded")
    assert await balance(sessions, user_id) == Decimal("10")
    rows = await audit_rows(sessions)
    assert [(r.action, r.target) for r in rows] == [("order.refund", f"order:{order_id}")] * 2
    assert rows[1].before == {"state": "pending", "refunded": "1.500000"}
    assert rows[1].after is not None and rows[1].after["state"] == "refunded"
    assert await invariant(sessions)


@both_engines
async def test_refund_states_by_case(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions, funds="50")
    review_full = await place(
        sessions, user_id, service_id, state=OrderState.REVIEW, panel_order_id=None, charge="1.00"
    )
    review_part = await place(
        sessions, user_id, service_id, state=OrderState.REVIEW, panel_order_id="9", charge="2.00"
    )
    completed = await place(
        sessions, user_id, service_id, state=OrderState.COMPLETED, charge="3.00"
    )
    submitting = await place(
        sessions,
        user_id,
        service_id,
        state=OrderState.SUBMITTING,
        panel_order_id=None,
        charge="5.00",
    )

    async def go(order_id: int, amount: str | None, key: str) -> refunds.RefundResult:
        return await refunds.refund_order(
            sessions,
            admin_id=ADMIN,
            order_id=order_id,
            key=key,
            amount=None if amount is None else Decimal(amount),
        )

    assert (await go(review_full, None, "a")).state is OrderState.FAILED
    assert (await go(review_part, "0.50", "b")).state is OrderState.PARTIAL
    done = await go(completed, "3.00", "c")  # goodwill: money moves, the state stays
    assert (done.status, done.state) == (RefundStatus.APPLIED, OrderState.COMPLETED)
    assert (await go(submitting, None, "d")).status is RefundStatus.SUBMITTING
    assert (await go(999_999, None, "e")).status is RefundStatus.NOT_FOUND
    assert await balance(sessions, user_id) == Decimal("50") - Decimal("5") - Decimal("1.50")
    assert await invariant(sessions)


@both_engines
async def test_scheduler_refund_after_admin_partial_refund_is_capped(sessions: Sessions) -> None:
    """The panel cancels after an admin refunded part: only the rest comes back."""
    from bot.panel import OrderInfo, OrderStatus
    from bot.shop.orders import apply_panel_status

    user_id, service_id = await seed(sessions)
    order_id = await place(sessions, user_id, service_id)
    await refunds.refund_order(
        sessions, admin_id=ADMIN, order_id=order_id, amount=Decimal("1"), key="k"
    )
    async with sessions() as session, session.begin():
        order = await session.get(Order, order_id)
        assert order is not None
        change = await apply_panel_status(
            session,
            order,
            OrderInfo(order_id="777", status=OrderStatus.CANCELED, raw_status="Canceled"),
            2,
        )
    assert change is not None and change.refunded == Decimal("3.00")
    assert await balance(sessions, user_id) == Decimal("10")
    assert await invariant(sessions)


@both_engines
async def test_review_refund_uses_the_scheduler_key_once(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions)
    order_id = await place(
        sessions, user_id, service_id, state=OrderState.REVIEW, panel_order_id=None
    )
    key = review.review_key(order_id)
    assert key == f"refund:{order_id}"
    first = await refunds.refund_order(
        sessions, admin_id=ADMIN, order_id=order_id, amount=None, key=key, review_only=True
    )
    twice = await refunds.refund_order(
        sessions, admin_id=ADMIN, order_id=order_id, amount=None, key=key, review_only=True
    )
    assert (first.status, first.state) == (RefundStatus.APPLIED, OrderState.FAILED)
    assert twice.status is RefundStatus.DUPLICATE
    async with sessions() as session:
        # Anyone else using the same key (the scheduler, the wizard) moves nothing either.
        order = await session.get(Order, order_id)
        assert order is not None
        assert not await refund(session, order, Decimal("1"), key=key)
        entries = await session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.idempotency_key == key)
        )
    assert entries == 1
    assert await balance(sessions, user_id) == Decimal("10")


async def test_review_only_refuses_a_resolved_order(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions)
    order_id = await place(sessions, user_id, service_id)  # pending: someone attached it
    result = await refunds.refund_order(
        sessions, admin_id=ADMIN, order_id=order_id, amount=None, key="refund:x", review_only=True
    )
    assert result.status is RefundStatus.NOT_IN_REVIEW
    assert await balance(sessions, user_id) == Decimal("6")


# -- review: attach ----------------------------------------------------------------------------


@both_engines
async def test_attach_panel_order_moves_review_to_pending(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions)
    held_id = await place(
        sessions, user_id, service_id, state=OrderState.REVIEW, panel_order_id=None
    )
    other = await place(sessions, user_id, service_id, charge="1.00", panel_order_id="555")
    total, rows = await review.held(sessions, 10)
    assert (total, [o.id for o in rows]) == (1, [held_id])
    attach = review.attach_panel_order
    bad = await attach(sessions, admin_id=ADMIN, order_id=held_id, panel_order_id="12 34")
    assert bad.status is AttachStatus.INVALID
    taken = await attach(sessions, admin_id=ADMIN, order_id=held_id, panel_order_id="555")
    assert (taken.status, taken.other_order_id) == (AttachStatus.TAKEN, other)
    done = await attach(sessions, admin_id=ADMIN, order_id=held_id, panel_order_id="#23501")
    assert (done.status, done.panel_order_id) == (AttachStatus.APPLIED, "23501")
    again = await attach(sessions, admin_id=ADMIN, order_id=held_id, panel_order_id="23502")
    assert again.status is AttachStatus.NOT_IN_REVIEW
    order = await get(sessions, Order, held_id)
    assert isinstance(order, Order)
    assert (order.state, order.panel_order_id) == ("pending", "23501")
    assert order.placed_at is not None
    async with sessions() as session:
        events = list(
            await session.scalars(select(OrderEvent.to_state).where(OrderEvent.order_id == held_id))
        )
    assert events == ["pending"]
    assert [(r.action, r.before, r.after) for r in await audit_rows(sessions)] == [
        (
            "order.attach",
            {"state": "review", "panel_order_id": None},
            {"state": "pending", "panel_order_id": "23501"},
        )
    ]
    assert await lookups.find_orders(sessions, "23501") == [held_id]
    assert (await lookups.find_orders(sessions, str(other)))[0] == other


# -- users -------------------------------------------------------------------------------------


def test_parse_user_query() -> None:
    assert people.parse_query("١٢٣") == 123
    assert people.parse_query("@Sara_X") == "sara_x"
    assert people.parse_query("sara x") is None
    assert people.parse_query("-5") is None


async def test_find_user_and_ban(sessions: Sessions) -> None:
    user_id, service_id = await seed(sessions)
    await place(sessions, user_id, service_id)
    found = await people.find_user(sessions, "sara_x")
    assert found is not None and found.id == user_id
    assert (await people.find_user(sessions, 42)) is not None
    card = await people.user_card(sessions, user_id)
    assert card is not None and card.order_count == 1 and len(card.ledger) == 2
    args = {"admin_id": ADMIN, "user_id": user_id, "admin_ids": {ADMIN}}
    assert await people.set_banned(sessions, banned=True, **args) == (BanStatus.APPLIED, 42)
    assert await people.set_banned(sessions, banned=True, **args) == (BanStatus.UNCHANGED, 42)
    assert await people.set_banned(sessions, banned=False, **args) == (BanStatus.APPLIED, 42)
    assert [r.action for r in await audit_rows(sessions)] == ["user.ban", "user.unban"]
    admin_row, _ = await seed(sessions, telegram_id=ADMIN)
    assert await people.set_banned(
        sessions, admin_id=ADMIN, user_id=admin_row, banned=True, admin_ids={ADMIN}
    ) == (BanStatus.ADMIN, ADMIN)


async def test_credit_still_audits_through_the_helper(sessions: Sessions) -> None:
    await seed(sessions)
    result = await credits.apply_credit(
        sessions,
        admin_telegram_id=ADMIN,
        key="c:1",
        command=CreditCommand(42, Decimal("-2"), "fix"),
    )
    assert result.status is CreditStatus.APPLIED
    [row] = await audit_rows(sessions)
    assert (row.action, row.target, row.before) == ("credit", "user:42", {"balance": "10.000000"})


async def test_audit_record_is_part_of_the_callers_transaction(sessions: Sessions) -> None:
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            audit.record(session, ADMIN, "x.y", "t", None, {"a": 1})
            raise RuntimeError("the change failed")
    assert await audit_rows(sessions) == []


# -- catalog and markups -----------------------------------------------------------------------


def test_parse_markup_and_name() -> None:
    assert catalog.parse_markup("25") == Decimal("25.00")
    assert catalog.parse_markup("12.5%") == Decimal("12.50")
    assert catalog.parse_markup("٢٠") == Decimal("20.00")
    assert catalog.parse_markup("-") is None
    for bad in ("-5", "abc", "10001", "1.005", ""):
        with pytest.raises(catalog.BadInput):
            catalog.parse_markup(bad)
    assert catalog.parse_name("  Insta   fans ", "category") == "Insta fans"
    assert catalog.parse_name("reset", "service") is None
    with pytest.raises(catalog.BadInput):
        catalog.parse_name("x" * 256, "category")


@both_engines
async def test_markups_global_category_service_reach_prices(sessions: Sessions) -> None:
    _, service_id = await seed(sessions)
    request = OrderRequest(
        service_id="1", service_type=ServiceType.DEFAULT, link="https://x.test/p", quantity=1000
    )

    async def price() -> tuple[Decimal, Decimal]:
        async with sessions() as session:
            view = await load_view(session)  # what customers browse, reloaded
            [listed] = wizard_steps.listing(view, RULES, [view.services[service_id]])
            shown = ordering.price_in_view(view, RULES, service_id, request)
            priced = await ordering.price(session, RULES, service_id, request)
        # The list, the summary and the charge agree.
        assert listed.price == shown.quote.price == priced.quote.price
        return listed.price, priced.quote.price

    assert await price() == (Decimal("1.30"), Decimal("1.30"))  # MARKUP_PERCENT 30
    async with sessions() as session, session.begin():
        await shop_settings.set_global_markup(
            session, admin_id=ADMIN, percent=Decimal(50), default=Decimal(30)
        )
    assert (await price())[0] == Decimal("1.50")
    category_id = (await get(sessions, Service, service_id)).category_id  # type: ignore[attr-defined]
    assert await catalog.set_markup(
        sessions, admin_id=ADMIN, kind="category", row_id=category_id, percent=Decimal(10)
    )
    assert (await price())[0] == Decimal("1.10")
    assert await catalog.set_markup(
        sessions, admin_id=ADMIN, kind="service", row_id=service_id, percent=Decimal(0)
    )
    assert (await price())[0] == Decimal("1.00")
    await catalog.set_markup(
        sessions, admin_id=ADMIN, kind="service", row_id=service_id, percent=None
    )
    await catalog.set_markup(
        sessions, admin_id=ADMIN, kind="category", row_id=category_id, percent=None
    )
    async with sessions() as session, session.begin():
        await shop_settings.set_global_markup(
            session, admin_id=ADMIN, percent=None, default=Decimal(30)
        )
    assert (await price())[0] == Decimal("1.30")  # back to MARKUP_PERCENT
    rows = await audit_rows(sessions)
    assert [r.action for r in rows] == [
        "markup.global",
        "category.markup_percent",
        "service.markup_percent",
        "service.markup_percent",
        "category.markup_percent",
        "markup.global",
    ]
    assert rows[0].after == {"percent": "50"} and rows[-1].after == {"percent": None}
    assert not await catalog.set_markup(
        sessions, admin_id=ADMIN, kind="service", row_id=999, percent=None
    )


async def test_switches_and_names(sessions: Sessions) -> None:
    _, service_id = await seed(sessions)
    assert (
        await catalog.toggle_enabled(sessions, admin_id=ADMIN, kind="service", row_id=service_id)
        is False
    )
    async with sessions() as session:
        assert await session.scalar(select(Service.enabled)) is False
        from bot.shop.catalog import sellable_service

        assert await sellable_service(session, service_id) is None  # off sale
    assert (
        await catalog.toggle_enabled(sessions, admin_id=ADMIN, kind="service", row_id=service_id)
        is True
    )
    assert await catalog.set_enabled(
        sessions, admin_id=ADMIN, kind="category", row_id=1, enabled=False
    )
    assert await catalog.set_name(
        sessions, admin_id=ADMIN, kind="service", row_id=service_id, language="ar", name="متابعين"
    )
    service = await get(sessions, Service, service_id)
    assert isinstance(service, Service) and service.name_ar == "متابعين"
    assert (
        await catalog.toggle_enabled(sessions, admin_id=ADMIN, kind="category", row_id=404) is None
    )
    actions = [r.action for r in await audit_rows(sessions)]
    assert actions == ["service.enabled", "service.enabled", "category.enabled", "service.name_ar"]
