"""The schema. Every balance change is a LedgerEntry; users.balance is their running sum."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import Money, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime, default=utcnow, nullable=False)


def _updated() -> Mapped[datetime]:
    return mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class OrderState(StrEnum):
    SUBMITTING = "submitting"
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    FAILED = "failed"
    REVIEW = "review"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES

    @property
    def is_open(self) -> bool:
        """Placed on a panel and still worth polling."""
        return self in (OrderState.PENDING, OrderState.IN_PROGRESS, OrderState.PROCESSING)


_FINAL_STATES = frozenset(
    {
        OrderState.COMPLETED,
        OrderState.PARTIAL,
        OrderState.CANCELED,
        OrderState.REFUNDED,
        OrderState.FAILED,
    }
)


class LedgerKind(StrEnum):
    TOPUP = "topup"
    ORDER = "order"
    REFUND = "refund"
    CREDIT = "credit"
    DEBIT = "debit"
    PAYMENT_REFUND = "payment_refund"
    REFERRAL = "referral"
    PROMO = "promo"
    PROMO_BONUS = "promo_bonus"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    start_payload: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


Index("ix_users_username", User.username)


class InviteCode(Base):
    """A customer's personal invite code: random, so nobody can guess another's link."""

    __tablename__ = "invite_codes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    created_at: Mapped[datetime] = _created()


class PromoKind(StrEnum):
    CREDIT = "credit"  # a fixed balance credit at redemption
    BONUS = "bonus"  # a percentage on the customer's next top-up


class PromoCode(Base):
    __tablename__ = "promo_codes"
    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses_not_negative"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_max"),
        CheckConstraint("value > 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)  # upper case
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[Decimal] = mapped_column(Money, nullable=False)  # an amount, or a percent
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_by: Mapped[int] = mapped_column(BigInteger, nullable=False)  # admin Telegram ID
    created_at: Mapped[datetime] = _created()


class PromoRedemption(Base):
    """One per customer and code; a bonus code's row stays pending until a top-up uses it."""

    __tablename__ = "promo_redemptions"
    __table_args__ = (
        UniqueConstraint("promo_id", "user_id"),
        Index("ix_promo_redemptions_pending", "user_id", "applied_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    promo_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    value: Mapped[Decimal] = mapped_column(Money, nullable=False)
    # A bonus: when a top-up used it, which one (topup_ref) and how much it gave.
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    topup_ref: Mapped[str | None] = mapped_column(String(191))
    bonus: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = _created()


class Panel(Base):
    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    url: Mapped[str] = mapped_column(String(512), nullable=False)  # never the key
    dialect: Mapped[str] = mapped_column(String(8), nullable=False, default="v2")
    is_sandbox: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    currency: Mapped[str | None] = mapped_column(String(8))
    last_balance: Mapped[Decimal | None] = mapped_column(Money)
    low_balance_alerted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last catalog sync's figures and the reasons of the rows it skipped (admin screen).
    sync_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The dialect profile learned from this panel (bot/panel/profile.py PanelProfile.to_json);
    # the owner's PANELS pins are applied over it at runtime, never stored here.
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()


class Category(Base):
    """Categories are merged by name across panels: customers see one 'Instagram Followers'."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(255))
    name_ar: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    markup_percent: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = _created()


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("panel_id", "panel_service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), nullable=False)
    panel_service_id: Mapped[str] = mapped_column(String(64), nullable=False)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(512), nullable=False)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    raw_type: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    rate: Mapped[Decimal] = mapped_column(Money, nullable=False)  # panel currency per 1000
    min_quantity: Mapped[int] = mapped_column(BigInteger, nullable=False)
    max_quantity: Mapped[int] = mapped_column(BigInteger, nullable=False)
    refill: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    cancel: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    dripfeed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)  # admin switch
    available: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)  # on the panel
    name_en: Mapped[str | None] = mapped_column(String(512))
    name_ar: Mapped[str | None] = mapped_column(String(512))
    markup_percent: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("charge >= 0", name="charge_not_negative"),
        CheckConstraint("refunded >= 0 AND refunded <= charge", name="refund_within_charge"),
        Index("ix_orders_state_panel", "state", "panel_id"),
        Index("ix_orders_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), nullable=False)
    panel_order_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    link: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int | None] = mapped_column(BigInteger)  # total, drip-feed runs included
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    charge: Mapped[Decimal] = mapped_column(Money, nullable=False)  # shop currency
    cost: Mapped[Decimal] = mapped_column(Money, nullable=False)  # expected, panel currency
    refunded: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), nullable=False)
    panel_charge: Mapped[Decimal | None] = mapped_column(Money)
    panel_status: Mapped[str | None] = mapped_column(String(64))
    start_count: Mapped[int | None] = mapped_column(BigInteger)
    remains: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    # Dedupe key from the confirming update, so a double tap or a replayed callback is one order.
    request_key: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Consecutive poll cycles whose status row for this order was unusable (bounded: then review).
    status_errors: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", nullable=False
    )
    # When the panel first reported a status outside the known vocabulary (bounded: then review).
    unknown_status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_orders_panel_order", Order.panel_id, Order.panel_order_id)


class OrderEvent(Base):
    """Every state transition of an order, as it happened."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16), nullable=False)
    panel_status: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class Refill(Base):
    __tablename__ = "refills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    panel_refill_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    panel_status: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)  # signed
    balance_after: Mapped[Decimal] = mapped_column(Money, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(191), unique=True, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


Index("ix_ledger_user_id", LedgerEntry.user_id, LedgerEntry.id)


class TopupMethod(StrEnum):
    STARS = "stars"
    CRYPTO = "crypto"
    MANUAL = "manual"


class Payment(Base):
    """One top-up record for every method (bot.shop.topups): Stars (one row per charge, created
    paid), crypto (one row per Crypto Pay invoice, `pending` until paid or expired) and manual
    transfers (one row per receipt, `pending` until an admin approves or rejects it)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("method", "external_id", name="uq_payments_method_external_id"),
        Index("ix_payments_method_status", "method", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    method: Mapped[str] = mapped_column(
        String(16), nullable=False, default=TopupMethod.STARS.value, server_default="stars"
    )
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    currency: Mapped[str] = mapped_column(String(8), nullable=False)
    total_amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # e.g. Stars
    # What the top-up is worth in shop currency (quoted, or set by the approving admin);
    # `credited` is what the ledger received (0 until settled).
    amount: Mapped[Decimal | None] = mapped_column(Money)
    credited: Mapped[Decimal] = mapped_column(Money, nullable=False)  # shop currency
    paid_amount: Mapped[str | None] = mapped_column(String(64))  # as the provider said, verbatim
    telegram_payment_charge_id: Mapped[str | None] = mapped_column(String(191), unique=True)
    provider_payment_charge_id: Mapped[str | None] = mapped_column(String(191))
    external_id: Mapped[str | None] = mapped_column(String(64))  # Crypto Pay invoice_id
    pay_url: Mapped[str | None] = mapped_column(String(512))
    transfer_method_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_methods.id"))
    receipt_file_id: Mapped[str | None] = mapped_column(String(255))
    receipt_kind: Mapped[str | None] = mapped_column(String(16))  # photo | document
    approved_by: Mapped[int | None] = mapped_column(BigInteger)  # admin Telegram ID
    reason: Mapped[str | None] = mapped_column(String(500))  # a rejection's reason
    payload: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="paid")
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TransferMethod(Base):
    """A manual transfer method the owner offers (a bank account, a mobile wallet)."""

    __tablename__ = "transfer_methods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False)
    name_ar: Mapped[str] = mapped_column(String(64), nullable=False)
    instructions_en: Mapped[str] = mapped_column(Text, nullable=False)
    instructions_ar: Mapped[str] = mapped_column(Text, nullable=False)
    min_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    max_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    # Shop currency per unit of the method's currency; NULL: the customer pays in shop currency.
    rate: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(8))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = _created()


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_telegram_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    from_chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    paid: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BroadcastRecipient(Base):
    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_state", "broadcast_id", "state"),)

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    error: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_telegram_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()


class FsmState(Base):
    """Conversation state (aiogram FSM) kept in the database, so a wizard survives a restart."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(191), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    updated_at: Mapped[datetime] = _updated()


class ShopSetting(Base):
    """Runtime settings an admin changes from the console (e.g. the global markup); a missing
    key means the environment's value applies."""

    __tablename__ = "shop_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = _updated()


class ProcessedUpdate(Base):
    """A webhook update claimed by one bot process: Telegram's retries and a load balancer's
    duplicates reach several processes, and only the first claim handles it."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


Index("ix_processed_updates_claimed_at", ProcessedUpdate.claimed_at)


class SupportTicket(Base):
    """A customer's conversation with the staff (bot/shop/support.py). At most one open ticket
    per customer: `open_user_id` holds the customer's id while open and NULL once closed, and
    is unique (NULLs never collide), so two first messages at once open one ticket."""

    __tablename__ = "support_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    open_user_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    # Forum mode: the support group and the customer's topic in it (NULL: admins' private chats).
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_blocked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    closed_by: Mapped[int | None] = mapped_column(BigInteger)  # a staff member's Telegram ID
    created_at: Mapped[datetime] = _created()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_support_tickets_topic", SupportTicket.chat_id, SupportTicket.thread_id)


class SupportRelay(Base):
    """One relayed message: its copy on the staff side and on the customer's side, so a reply
    to either finds its ticket after a restart. `kind`: in (customer → staff), out (staff →
    customer) or header (the ticket's opening message to the staff)."""

    __tablename__ = "support_relays"
    __table_args__ = (UniqueConstraint("staff_chat_id", "staff_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("support_tickets.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    staff_chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    staff_message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    customer_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()


Index("ix_support_relays_customer", SupportRelay.customer_message_id)
