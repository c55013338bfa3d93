"""Top-ups beyond Stars without Telegram: the one credit path, Crypto Pay (against the fake
Crypto Pay server over HTTP) and manual transfers, on both engines."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.shop import crypto_pay, crypto_topups, ledger, promos, topups, transfers
from bot.shop.crypto_pay import CryptoPayClient, CryptoPayError
from bot.shop.crypto_topups import PaidStatus
from bot.shop.promos import NewPromo, PromoKind
from bot.shop.transfers import MethodSpec, SpecProblem, SubmitStatus, Verdict
from storage.models import AuditLog, LedgerEntry, Payment, User
from tests.fakes.crypto_pay import FakeCryptoPay

Sessions = async_sessionmaker[AsyncSession]
TG = 5151
ADMIN_A, ADMIN_B = 900_001, 900_002
both_engines = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def settings(**overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "bot_token": "123:abc",
        "panel_url": "sandbox",
        "crypto_pay_token": "1234:AAfakecryptopaytoken",
    }
    values.update(overrides)
    return load_settings(**values)


async def _books(sessions: Sessions, telegram_id: int = TG) -> tuple[Decimal, Decimal, int]:
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        total = await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.user_id == user.id
            )
        )
        count = await session.scalar(select(func.count()).where(LedgerEntry.user_id == user.id))
        return user.balance, Decimal(total or 0), int(count or 0)


# -- settings ---------------------------------------------------------------------------------


def test_crypto_settings_and_redaction() -> None:
    s = settings(crypto_pay_assets=" usdt, ton ", crypto_pay_network="testnet")
    assert s.crypto_pay_assets == "USDT,TON"
    assert s.crypto_pay_base_url == "https://testnet-pay.crypt.bot/api"
    assert "1234:AAfakecryptopaytoken" in s.secrets()
    assert settings(crypto_pay_api_url="http://127.0.0.1:9/api/").crypto_pay_base_url == (
        "http://127.0.0.1:9/api"
    )
    assert not settings(crypto_pay_token="").crypto_pay_enabled
    assert settings().transfer_max_pending == 3


def test_crypto_fiat_other_than_the_shop_currency_needs_a_rate() -> None:
    from bot.config import ConfigError

    assert settings().crypto_fiat == "USD"
    iqd_only = {"currency": "IQD", "topup_min": 1000, "topup_max": 200_000}
    assert settings(**iqd_only, stars_per_unit="0.04").crypto_fiat == "IQD"
    with pytest.raises(ConfigError, match="CRYPTO_PAY_RATE"):
        settings(**iqd_only, stars_per_unit="0.04", crypto_pay_fiat="USD")
    iqd = settings(
        currency="IQD",
        topup_min=1000,
        topup_max=200_000,
        stars_per_unit="0.04",
        crypto_pay_fiat="usd",
        crypto_pay_rate="0.000763",
    )
    assert iqd.crypto_invoice_amount(Decimal(10_000)) == Decimal("7.63")
    assert iqd.crypto_invoice_amount(Decimal(10_001)) == Decimal("7.64")  # rounded up


def test_signature_is_hmac_of_the_raw_body_keyed_with_sha256_of_token() -> None:
    import hashlib
    import hmac

    body = b'{"update_type":"invoice_paid"}'
    expected = hmac.new(hashlib.sha256(b"tok").digest(), body, hashlib.sha256).hexdigest()
    assert crypto_pay.sign("tok", body) == expected
    assert crypto_pay.verify_signature("tok", body, expected)
    assert not crypto_pay.verify_signature("tok", body + b" ", expected)
    assert not crypto_pay.verify_signature("other", body, expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"invoice_id": "12", "status": "paid"},
        {"invoice_id": 1, "status": "weird"},
        {"invoice_id": True, "status": "paid"},
        {"invoice_id": -3, "status": "paid"},
    ],
)
def test_hostile_invoices_are_not_read(raw: object) -> None:
    assert crypto_pay.read_invoice(raw) is None


# -- Crypto Pay -------------------------------------------------------------------------------


async def _invoice(sessions: Sessions, cp: FakeCryptoPay, amount: str = "10.00") -> int:
    client = CryptoPayClient(cp.url, cp.token)
    try:
        made = await crypto_topups.create(
            sessions, client, settings(), telegram_id=TG, amount=Decimal(amount), description="x"
        )
    finally:
        await client.aclose()
    return made.invoice_id


@both_engines
async def test_invoice_is_priced_in_fiat_and_bound_to_customer(sessions: Sessions) -> None:
    async with FakeCryptoPay() as cp:
        invoice_id = await _invoice(sessions, cp)
        method, params = cp.requests[0]
        assert method == "createInvoice"
        assert params["currency_type"] == "fiat" and params["fiat"] == "USD"
        assert params["accepted_assets"] == "USDT,TON,BTC" and params["amount"] == "10.00"
        assert params["expires_in"] == 3600
        assert params["payload"].startswith("cp1:") and f":{TG}:10.00" in params["payload"]
    async with sessions() as session:
        row = await session.scalar(select(Payment).where(Payment.external_id == str(invoice_id)))
        assert row is not None and row.status == "pending" and row.method == "crypto"
        assert row.amount == Decimal("10.00") and row.credited == 0


@both_engines
async def test_refused_invoice_marks_the_row_failed(sessions: Sessions) -> None:
    async with FakeCryptoPay(fail_create=True) as cp:
        with pytest.raises(CryptoPayError, match="AMOUNT_TOO_SMALL"):
            await _invoice(sessions, cp)
    async with sessions() as session:
        assert await session.scalar(select(Payment.status)) == "failed"


@both_engines
async def test_duplicate_webhook_and_poll_race_credit_once(sessions: Sessions) -> None:
    async with FakeCryptoPay() as cp:
        invoice_id = await _invoice(sessions, cp)
        cp.pay(invoice_id)
        body = cp.delivery(invoice_id)
        paid = crypto_pay.read_paid_update(body)
        assert paid is not None
        client = CryptoPayClient(cp.url, cp.token)
        try:
            outcomes = await asyncio.gather(
                *(crypto_topups.settle_paid(sessions, paid) for _ in range(4)),
                crypto_topups.poll(sessions, client),
            )
        finally:
            await client.aclose()
    statuses = [o.status for o in outcomes[:4]]
    report = outcomes[4]
    assert isinstance(report, crypto_topups.PollReport)
    credited = statuses.count(PaidStatus.CREDITED) + len(report.paid)
    assert credited == 1
    assert await _books(sessions) == (Decimal("10.00"), Decimal("10.00"), 1)
    async with sessions() as session:
        row = await session.scalar(select(Payment))
        assert row is not None and row.status == "paid" and row.paid_amount == "10.00 USDT"


@both_engines
async def test_payload_must_match_the_row(sessions: Sessions) -> None:
    async with FakeCryptoPay() as cp:
        invoice_id = await _invoice(sessions, cp)
        cp.pay(invoice_id)
        forged = cp.invoices[invoice_id].as_json() | {"payload": f"cp1:1:{TG}:99999.00"}
        invoice = crypto_pay.read_invoice(forged)
        assert invoice is not None
        assert (await crypto_topups.settle_paid(sessions, invoice)).status is PaidStatus.UNKNOWN
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


@both_engines
async def test_poll_closes_expired_invoices_once(sessions: Sessions) -> None:
    async with FakeCryptoPay() as cp:
        invoice_id = await _invoice(sessions, cp)
        cp.expire(invoice_id)
        client = CryptoPayClient(cp.url, cp.token)
        try:
            first = await crypto_topups.poll(sessions, client)
            second = await crypto_topups.poll(sessions, client)
        finally:
            await client.aclose()
    assert [e.telegram_id for e in first.expired] == [TG] and not first.paid
    assert not second.expired
    async with sessions() as session:
        assert await session.scalar(select(Payment.status)) == "expired"


# -- manual transfers -------------------------------------------------------------------------


SPEC = "Bank\nمصرف\nIBAN 123\nآيبان 123\n5\n500"


def test_method_spec_lines() -> None:
    spec = transfers.parse_spec(SPEC)
    assert isinstance(spec, MethodSpec) and spec.rate is None
    with_rate = transfers.parse_spec(SPEC + "\n0.00068\nIQD")
    assert isinstance(with_rate, MethodSpec) and with_rate.currency == "IQD"
    assert transfers.parse_spec("Bank\nمصرف") is SpecProblem.SHAPE
    assert transfers.parse_spec(SPEC.replace("500", "1")) is SpecProblem.AMOUNTS


async def _method(sessions: Sessions, text: str = SPEC) -> transfers.Method:
    spec = transfers.parse_spec(text)
    assert isinstance(spec, MethodSpec)
    return await transfers.add_method(sessions, ADMIN_A, spec)


async def _submit(sessions: Sessions, method_id: int, amount: str = "20") -> transfers.Submitted:
    return await transfers.submit(
        sessions,
        telegram_id=TG,
        method_id=method_id,
        amount=Decimal(amount),
        precision=2,
        receipt_file_id="photo-file-id",
        receipt_kind="photo",
        max_pending=2,
    )


@both_engines
async def test_two_admins_approving_at_once_credit_once(sessions: Sessions) -> None:
    method = await _method(sessions)
    submitted = await _submit(sessions, method.id)
    assert submitted.status is SubmitStatus.SUBMITTED
    decisions = await asyncio.gather(
        transfers.approve(sessions, submitted.payment_id, ADMIN_A),
        transfers.approve(sessions, submitted.payment_id, ADMIN_B),
    )
    assert [d.verdict for d in decisions].count(Verdict.DONE) == 1
    late = await transfers.reject(sessions, submitted.payment_id, ADMIN_B, "late")
    assert late.verdict is Verdict.ALREADY
    assert await _books(sessions) == (Decimal("20.00"), Decimal("20.00"), 1)
    async with sessions() as session:
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        row = await session.scalar(select(Payment))
        assert row is not None and row.approved_by in (ADMIN_A, ADMIN_B)
    assert actions == ["transfer_method_add", "transfer_approve"]


@both_engines
async def test_approve_racing_reject_one_wins(sessions: Sessions) -> None:
    method = await _method(sessions)
    submitted = await _submit(sessions, method.id)
    approved, rejected = await asyncio.gather(
        transfers.approve(sessions, submitted.payment_id, ADMIN_A),
        transfers.reject(sessions, submitted.payment_id, ADMIN_B, "no"),
    )
    assert {approved.verdict, rejected.verdict} == {Verdict.DONE, Verdict.ALREADY}
    balance, total, entries = await _books(sessions)
    assert balance == total == (Decimal("20.00") if approved.verdict is Verdict.DONE else 0)
    assert entries == (1 if approved.verdict is Verdict.DONE else 0)


@both_engines
async def test_edit_then_approve_credits_the_new_amount_and_rate_rounds_down(
    sessions: Sessions,
) -> None:
    method = await _method(sessions, SPEC.replace("\n5\n500", "\n1000\n500000") + "\n0.00068\nIQD")
    submitted = await _submit(sessions, method.id, "10001")
    assert submitted.credit == Decimal("6.80")  # 6.80068 rounded down
    changed = await transfers.set_amount(sessions, submitted.payment_id, ADMIN_A, Decimal("6.5"))
    assert changed.verdict is Verdict.DONE
    await transfers.approve(sessions, submitted.payment_id, ADMIN_A)
    assert (await _books(sessions))[0] == Decimal("6.50")
    again = await transfers.set_amount(sessions, submitted.payment_id, ADMIN_A, Decimal("99"))
    assert again.verdict is Verdict.ALREADY


@both_engines
async def test_reject_keeps_reason_and_pending_bound_holds(sessions: Sessions) -> None:
    method = await _method(sessions)
    first = await _submit(sessions, method.id)
    await _submit(sessions, method.id)
    assert (await _submit(sessions, method.id)).status is SubmitStatus.TOO_MANY
    assert next(r.id for r in await transfers.pending(sessions)) == first.payment_id
    rejected = await transfers.reject(sessions, first.payment_id, ADMIN_A, "no such transfer")
    assert rejected.verdict is Verdict.DONE and rejected.request is not None
    assert rejected.request.reason == "no such transfer"
    assert (await transfers.approve(sessions, first.payment_id, ADMIN_B)).verdict is (
        Verdict.ALREADY
    )
    assert (await _submit(sessions, method.id)).status is SubmitStatus.SUBMITTED
    await transfers.set_enabled(sessions, ADMIN_A, method.id, False)
    assert (await _submit(sessions, method.id)).status is SubmitStatus.METHOD_GONE
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


@both_engines
async def test_totals_by_method(sessions: Sessions) -> None:
    method = await _method(sessions)
    submitted = await _submit(sessions, method.id)
    await transfers.approve(sessions, submitted.payment_id, ADMIN_A)
    async with sessions() as session:
        totals = await topups.totals_by_method(session)
        assert await ledger.balance_of(session, 1) == Decimal("20.00")
    assert [(t.method, t.count, t.credited) for t in totals] == [("manual", 1, Decimal("20.00"))]


# -- promo bonuses in the shop currency's decimals -------------------------------------------


async def _pending_bonus(sessions: Sessions, percent: str) -> None:
    promo = await promos.create(
        sessions, ADMIN_A, NewPromo("EXTRA", PromoKind.BONUS, Decimal(percent))
    )
    assert not isinstance(promo, promos.Problem)
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.telegram_id == TG))
        assert user is not None
    redeemed = await promos.redeem(sessions, user_id=user.id, telegram_id=TG, text="extra")
    assert redeemed.status is promos.Redeem.BONUS_PENDING, redeemed


@both_engines
@pytest.mark.parametrize(("precision", "bonus"), [(2, "1.23"), (3, "1.234")])
async def test_crypto_bonus_rounds_to_the_currency_decimals(
    sessions: Sessions, precision: int, bonus: str
) -> None:
    async with FakeCryptoPay() as cp:
        invoice_id = await _invoice(sessions, cp)
        await _pending_bonus(sessions, "12.345")  # 12.345 % of 10.00 = 1.2345
        cp.pay(invoice_id)
        paid = crypto_pay.read_paid_update(cp.delivery(invoice_id))
        assert paid is not None
        outcome = await crypto_topups.settle_paid(sessions, paid, precision)
    assert outcome.status is PaidStatus.CREDITED
    balance, total, entries = await _books(sessions)
    assert balance == total == Decimal("10.00") + Decimal(bonus) and entries == 2


@both_engines
@pytest.mark.parametrize(("precision", "bonus"), [(2, "2.46"), (3, "2.469")])
async def test_transfer_bonus_rounds_to_the_currency_decimals(
    sessions: Sessions, precision: int, bonus: str
) -> None:
    method = await _method(sessions)
    submitted = await _submit(sessions, method.id)  # 20.00
    await _pending_bonus(sessions, "12.345")  # 12.345 % of 20.00 = 2.469
    decision = await transfers.approve(sessions, submitted.payment_id, ADMIN_A, precision)
    assert decision.verdict is Verdict.DONE
    balance, total, entries = await _books(sessions)
    assert balance == total == Decimal("20.00") + Decimal(bonus) and entries == 2
