"""Async client for one SMM panel (v1 or v2 dialect) over httpx."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, TypeVar

import httpx

from bot.proxy import redact

from . import decode
from .bounded import MESSAGE_LEN, Invalid, clean, positive_id
from .errors import (
    ErrorKind,
    PanelError,
    PanelOutcomeUnknown,
    PanelRejected,
    PanelUnavailable,
    classify_error,
)
from .models import (
    Balance,
    CancelResult,
    EntryError,
    OrderInfo,
    RefillInfo,
    Service,
    ServiceCatalog,
    ServiceType,
)
from .params import OrderRequest
from .profile import MultiStatusForm, PanelProfile, RefillParam
from .tolerant_json import JSONError, loads

log = logging.getLogger("bot.panel")

Dialect = Literal["v1", "v2"]
MAX_IDS_PER_REQUEST = 100
SANDBOX_URL = "sandbox"
# Some panels sit behind a WAF that blocks library User-Agents.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
_WRITE_ACTIONS = frozenset({"add", "refill", "cancel"})
# Failures before any byte of the request reached the panel: a definite failure, even for an
# add. A proxy's refusal (httpx.ProxyError: CONNECT or SOCKS handshake refused) is one too.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)
# Idle connections are dropped before the shortest keep-alive timeout common among servers
# (Apache's 5 s), so a request is not written into a connection the panel is closing.
PANEL_KEEPALIVE = 4.0
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
V = TypeVar("V")
# Answers longer than this are refused unread: a catalog of tens of thousands of services with
# descriptions stays far below 16 MB; every other answer (at most 100 IDs: ~20 kB, v1 extras
# included) far below 256 kB. json's cost is per value, so the cap is what bounds the loop's
# time on an answer made of tiny values (bench/bench_panel_parse.py).
MAX_BODY_BYTES = {"services": 16_000_000}
MAX_OTHER_BODY_BYTES = 256_000
# A catalog answer larger than this is read in a worker thread: a megabyte costs tens of
# milliseconds of json and field checks, and the event loop keeps answering customers
# meanwhile (the interpreter hands it the GIL every few milliseconds).
THREAD_PARSE_CHARS = 256_000
BeforeSend = Callable[[], Awaitable[None]]
# Multi-status forms in the order they are tried when a panel rejects one as a whole; the
# request each sends: (action, field naming the IDs).
STATUS_FORMS: tuple[MultiStatusForm, ...] = ("orders", "multistatus", "orders_action", "single")
_STATUS_REQUEST = {
    "orders": ("status", "orders"),
    "multistatus": ("multistatus", "orders"),
    "orders_action": ("orders", "orders"),
}
# The next parameter name to try for a refill after a definite "wrong parameter" rejection.
_NEXT_REFILL_PARAM: dict[RefillParam, RefillParam] = {
    "order": "refill",
    "refill": "refills",
    "refills": "order",
}
# Rejections that are about the account, not the request's form: never a reason to switch.
_NOT_FORM = frozenset({ErrorKind.BAD_KEY, ErrorKind.NOT_ENOUGH_FUNDS})
# HTTP statuses with which panels refuse a request's form (not a WAF's 403, not a 429).
_FORM_HTTP = frozenset({400, 404, 405, 422})
# Words of a definite "you named the order wrongly" answer to a write (the panel did nothing).
_WRONG_PARAM = ("required", "missing", "incorrect request", "invalid request")


def detect_dialect(url: str) -> Dialect:
    """A path ending in /api/v1 is the SmartPanel-style v1 dialect; anything else is v2."""
    path = httpx.URL(url).path.rstrip("/") if url != SANDBOX_URL else ""
    return "v1" if path.lower().endswith("/api/v1") else "v2"


def _unique_ids(ids: Iterable[object]) -> list[str]:
    seen: dict[str, None] = {}
    for raw in ids:
        text = str(raw).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), MAX_IDS_PER_REQUEST):
        yield ids[start : start + MAX_IDS_PER_REQUEST]


class PanelClient:
    """One panel: its own connection pool, timeouts and concurrency limit.

    Read-only actions retry with bounded exponential backoff; add/refill/cancel never retry and
    report PanelOutcomeUnknown when the request may have been processed.
    """

    def __init__(
        self,
        name: str,
        url: str,
        key: str,
        *,
        dialect: Dialect | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_concurrency: int = 4,
        slot_timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: str | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        backoff_max: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        # The owner's PANELS "profile" pins: always win, never unlearned.
        pins = dict(profile or {})
        self.pinned: dict[str, Any] = {
            k: v for k, v in PanelProfile().merged(pins).to_json().items() if k in pins
        }
        self.learned = PanelProfile()
        self.profile = self.learned.merged(self.pinned)
        # Bumped on every learned change; the jobs persist the profile when it moved.
        self.profile_version = 0
        self._max_concurrency = max(1, max_concurrency)
        self.is_sandbox = url.strip().lower() == SANDBOX_URL
        if self.is_sandbox:
            from .sandbox import SANDBOX_ENDPOINT, SandboxTransport

            transport = transport or SandboxTransport(clock=clock or time.time)
            url = SANDBOX_ENDPOINT
            key = key or "sandbox"  # PANEL_URL=sandbox needs no key (.env.example leaves it empty)
        if transport is not None:
            proxy = None  # the sandbox (or a test's transport) answers in-process: no proxy
        # The proxy is a secret: kept only inside httpx, shown redacted.
        self.proxy_shown = redact(proxy)
        self.url = url
        self.dialect: Dialect = dialect or detect_dialect(url)
        self._key = key
        self._retries = max(0, retries)
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._sem = asyncio.Semaphore(max(1, max_concurrency))
        self._slot_timeout = slot_timeout
        size = max(1, max_concurrency)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=size,
                max_keepalive_connections=size,
                keepalive_expiry=PANEL_KEEPALIVE,
            ),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,  # a redirected POST turns into a GET and loses its body
            # An explicit proxy wins; without one httpx honours HTTP(S)_PROXY/ALL_PROXY and
            # NO_PROXY from the environment (it reads them only without a custom transport).
            proxy=proxy,
            trust_env=True,
        )

    def __repr__(self) -> str:
        shown = f", proxy={self.proxy_shown!r}" if self.proxy_shown else ""
        return f"PanelClient(name={self.name!r}, url={self.url!r}, dialect={self.dialect!r}{shown})"

    @property
    def supports_refill(self) -> bool:
        # v1: only once the panel was seen serving refill (or the owner pinned it).
        return self.dialect == "v2" or self.profile.v1_refill is True

    @property
    def supports_cancel(self) -> bool:
        return self.dialect == "v2" or self.profile.v1_refill is True

    @property
    def concurrency(self) -> int:
        return self._max_concurrency

    # -- profile ------------------------------------------------------------------------------

    def load_learned(self, stored: object) -> None:
        """The profile learned before (panels.profile); the owner's pins still win."""
        self.learned = PanelProfile.from_json(stored)
        self.profile = self.learned.merged(self.pinned)

    def learn(self, **changes: Any) -> bool:
        """Remember what the panel showed; a pinned field is never changed. True if it moved."""
        changes = {k: v for k, v in changes.items() if k not in self.pinned}
        learned = self.learned.merged(changes)
        if learned == self.learned:
            return False
        log.warning(
            "panel=%s profile learned: %s",
            self.name,
            ", ".join(f"{k}={v!r}" for k, v in changes.items()),
        )
        self.learned = learned
        self.profile = learned.merged(self.pinned)
        self.profile_version += 1
        return True

    async def probe_v1_refill(self) -> None:
        """A v1 panel's refill support, learned by a read (refill_status of no refill): "not
        found" means the script serves refill; "action invalid"/"Incorrect request" means it
        does not. Anything else leaves it unknown (asked again at the next start)."""
        if self.dialect != "v1" or self.profile.v1_refill is not None:
            return
        try:
            await self._call("refill_status", {"refill": "0"})
        except PanelRejected as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                self.learn(v1_refill=True)
            elif exc.kind in (ErrorKind.ACTION_NOT_SUPPORTED, ErrorKind.BAD_REQUEST):
                self.learn(v1_refill=False)
        except PanelError:
            return

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PanelClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- actions ------------------------------------------------------------------------------

    async def catalog(self) -> ServiceCatalog:
        """The services answer: usable rows, and the skipped ones with their reasons."""
        data = await self._call("services", {})
        if isinstance(data, (list, Mapping)) and len(data) > 1000:
            return await asyncio.to_thread(self._decoded, "services", decode.parse_services, data)
        return self._decoded("services", decode.parse_services, data)

    async def services(self) -> list[Service]:
        return (await self.catalog()).services

    async def add(
        self,
        req: OrderRequest,
        service: Service | None = None,
        *,
        before_send: BeforeSend | None = None,
    ) -> str:
        """Place an order; returns the panel's order ID. Validates before sending.

        `before_send` is awaited once a connection slot is free, right before the request goes
        out: whatever it raises propagates and nothing is sent (an order held meanwhile).

        What an answer means (panels differ; the customer's money rides on it):
        - `{"order": N}`, N a positive integer (JSON number or ASCII digits): placed.
        - `{"order": N, "error": "..."}`: the panel created order N anyway; it is placed and
          polled like any other, and the error is logged.
        - `{"order": <anything else>}` ("Not enough funds", 0, "", null): a definite rejection,
          classified from its text (PanelRejected).
        - `{"error": ...}` without a usable order: a definite rejection (PanelRejected).
        - any other JSON (no "order" key), a redirect, a timeout, a 5xx, a page that is not JSON:
          the panel may have taken it; PanelOutcomeUnknown, held for review, never resent.
        - no free connection slot within `slot_timeout`, or the connection was refused: the
          request never left; PanelUnavailable, a definite failure.
        """
        form = req.to_form(service, profile=getattr(self, "profile", None))
        try:
            data = await self._call("add", form, before_send=before_send)
            if not isinstance(data, Mapping) or "order" not in data:
                raise PanelOutcomeUnknown(self.name, "add", "answer without an order ID")
            value = data["order"]
            order_id = positive_id(value)
            if order_id is None:
                text = value if isinstance(value, str) and value.strip() else "no order ID"
                raise self._rejected("add", text)
        except PanelRejected as exc:
            self._learn_from_add_rejection(exc, req, form)
            raise
        return order_id

    def _learn_from_add_rejection(
        self, exc: PanelRejected, req: OrderRequest, form: dict[str, str]
    ) -> None:
        """A Package refused for a missing quantity ("Quantity is required"): the panel did
        nothing, and the NEXT package order carries quantity=1 (this one is refunded)."""
        text = exc.message.lower()
        if (
            req.service_type is ServiceType.PACKAGE
            and "quantity" not in form
            and "quantity" in text
            and any(word in text for word in _WRONG_PARAM)
        ):
            self.learn(package_quantity=True)

    async def status(self, order_id: str | int) -> OrderInfo:
        oid = str(order_id).strip()
        data = await self._call("status", {"order": oid})
        if not isinstance(data, Mapping):
            raise PanelUnavailable(self.name, "status", "unexpected answer shape")
        return self._decoded("status", decode.parse_order_info, oid, data)

    async def statuses(self, order_ids: Iterable[str | int]) -> dict[str, OrderInfo | EntryError]:
        """Every asked order's status, in the profile's form. A form the panel rejects as a
        whole is followed at once by the next one (a read may be asked again), down to one
        request per order; the form that answered is remembered."""
        ids = _unique_ids(order_ids)
        out: dict[str, OrderInfo | EntryError] = {}
        for chunk in _chunks(ids):
            out.update(await self._statuses_chunk(chunk))
        return out

    async def _statuses_chunk(self, ids: list[str]) -> dict[str, OrderInfo | EntryError]:
        current = self.profile.multi_status
        pinned = "multi_status" in self.pinned
        forms = (current,) if pinned else STATUS_FORMS[STATUS_FORMS.index(current) :]
        for form in forms:
            if form == "single":
                answers = await self._singles(ids, self._one_status)
            else:
                action, field = _STATUS_REQUEST[form]
                try:
                    data = await self._call(action, {field: ",".join(ids)})
                    answers = self._decoded(action, decode.parse_statuses, ids, data)
                except PanelError as exc:
                    if form == forms[-1] or not _form_rejected(exc):
                        raise
                    log.warning(
                        "panel=%s multi status as %s rejected as a whole; trying the next form",
                        self.name,
                        form,
                    )
                    continue
                if _keyed_by_nothing(ids, data, answers) and form != forms[-1]:
                    log.warning(
                        "panel=%s multi status as %s answered none of the IDs; "
                        "trying the next form",
                        self.name,
                        form,
                    )
                    continue
            if form != current and any(isinstance(v, OrderInfo) for v in answers.values()):
                self.learn(multi_status=form)
            return answers
        return {}

    async def _one_status(self, oid: str) -> OrderInfo:
        return await self.status(oid)

    async def _singles(
        self, ids: list[str], one: Callable[[str], Awaitable[V]]
    ) -> dict[str, V | EntryError]:
        """One request per ID, all at once within the concurrency limit. A per-ID rejection is
        that ID's entry error; an unanswered ID is left out (asked next cycle); a rejection of
        the account (bad key, no funds) fails the whole call."""
        failures: list[PanelError] = []

        async def ask(oid: str) -> V | EntryError | None:
            try:
                return await one(oid)
            except PanelRejected as exc:
                if exc.kind in _NOT_FORM:
                    raise
                return EntryError(oid, exc.message)
            except PanelError as exc:
                failures.append(exc)
                return None

        results = await asyncio.gather(*(ask(oid) for oid in ids))
        out = {oid: r for oid, r in zip(ids, results, strict=True) if r is not None}
        if ids and not out:
            raise failures[0]  # nothing answered: the call failed, like a failed multi request
        return out

    async def refill(self, order_id: str | int) -> str:
        """Ask for a refill, naming the order as the profile says (sent once, never in another
        form). A definite "wrong parameter" answer switches the name for the NEXT refill."""
        param = self.profile.refill_param
        try:
            data = await self._call("refill", {param: str(order_id).strip()})
        except PanelRejected as exc:
            self._learn_from_write_rejection(exc, param)
            raise
        value = data.get("refill") if isinstance(data, Mapping) else None
        refill_id = decode.refill_id_in(value)  # 5, "5", {"id": 5}: see bot/panel/decode.py
        if refill_id is not None:
            return refill_id
        err = decode.error_of(value)
        if err is None and isinstance(value, str) and value.strip():
            err = value  # a bare error string instead of an ID
        if err is not None:
            rejected = self._rejected("refill", err)
            self._learn_from_write_rejection(rejected, param)
            raise rejected
        if self.dialect == "v1":
            self.learn(v1_refill=True)
        raise PanelOutcomeUnknown(self.name, "refill", "answer without a refill ID")

    def _learn_from_write_rejection(self, exc: PanelRejected, param: RefillParam) -> None:
        """The panel refused the refill without doing anything: learn for the next one."""
        text = exc.message.lower()
        if self.dialect == "v1" and (
            exc.kind is ErrorKind.ACTION_NOT_SUPPORTED or "incorrect request" in text
        ):
            self.learn(v1_refill=False)
        elif exc.kind not in _NOT_FORM and any(word in text for word in _WRONG_PARAM):
            self.learn(refill_param=_NEXT_REFILL_PARAM[param])

    async def refills(self, order_ids: Iterable[str | int]) -> dict[str, str | EntryError]:
        """Several refills: one multi request, or one request per order where the profile
        says so. A write: never re-sent in the other form."""
        if self.profile.multi_refill == "single":
            return await self._singles(_unique_ids(order_ids), self.refill)
        return await self._multi("refill", "orders", order_ids, decode.parse_refills)

    async def refill_status(self, refill_id: str | int) -> RefillInfo:
        rid = str(refill_id).strip()
        data = await self._call("refill_status", {"refill": rid})
        if not isinstance(data, Mapping):
            raise PanelUnavailable(self.name, "refill_status", "unexpected answer shape")
        info = decode.parse_refill_info(rid, data.get("status"))
        if isinstance(info, EntryError) and info.malformed:
            raise self._unusable("refill_status", info.message)
        if isinstance(info, EntryError):
            raise self._rejected("refill_status", info.message)
        return info

    async def refill_statuses(
        self, refill_ids: Iterable[str | int]
    ) -> dict[str, RefillInfo | EntryError]:
        """Like statuses(): a multi request rejected as a whole is followed at once by one
        request per refill, and that is remembered."""
        ids = _unique_ids(refill_ids)
        if self.profile.multi_refill_status == "single":
            return await self._singles(ids, self.refill_status)
        try:
            answers = await self._multi(
                "refill_status", "refills", ids, decode.parse_refill_statuses
            )
        except PanelError as exc:
            if (
                "multi_refill_status" in self.pinned
                or not _form_rejected(exc)
                or exc.partial_results
            ):
                raise
            log.warning(
                "panel=%s multi refill_status rejected as a whole; asking one by one", self.name
            )
            singles = await self._singles(ids, self.refill_status)
            if any(isinstance(v, RefillInfo) for v in singles.values()):
                self.learn(multi_refill_status="single")
            return singles
        return answers

    async def cancel(self, order_ids: Iterable[str | int] | str | int) -> dict[str, CancelResult]:
        ids = [order_ids] if isinstance(order_ids, (str, int)) else order_ids
        try:
            return await self._multi("cancel", "orders", ids, decode.parse_cancels)
        except PanelRejected as exc:
            if self.dialect == "v1" and (
                exc.kind is ErrorKind.ACTION_NOT_SUPPORTED
                or "incorrect request" in exc.message.lower()
            ):
                self.learn(v1_refill=False)
            raise

    async def balance(self) -> Balance:
        data = await self._call("balance", {})
        if not isinstance(data, Mapping) or "balance" not in data:
            raise PanelUnavailable(
                self.name, "balance", "answer without a balance", retryable=False
            )
        return self._decoded("balance", decode.parse_balance, data)

    # -- transport ----------------------------------------------------------------------------

    async def _multi(
        self,
        action: str,
        field: str,
        raw_ids: Iterable[object],
        parse: Callable[[list[str], Any], dict[str, V]],
    ) -> dict[str, V]:
        """Split into requests of at most 100 IDs; one bad ID never fails the rest."""
        out: dict[str, V] = {}
        for chunk in _chunks(_unique_ids(raw_ids)):
            failure: PanelError | None = None
            try:
                data = await self._call(action, {field: ",".join(chunk)})
                out.update(self._decoded(action, parse, chunk, data))
            except PanelError as exc:
                failure = exc
            if failure is not None:
                failure.partial_results = dict(out)
                raise failure
        return out

    async def _call(
        self, action: str, fields: dict[str, str], *, before_send: BeforeSend | None = None
    ) -> Any:
        write = action in _WRITE_ACTIONS
        attempts = 1 if write else 1 + self._retries
        for attempt in range(attempts):
            if attempt:
                delay = min(self._backoff_max, self._backoff * 2 ** (attempt - 1))
                await self._sleep(delay * (0.75 + random.random() / 2))
            try:
                return await self._attempt(action, fields, write, before_send)
            except PanelUnavailable as exc:
                if write or not exc.retryable or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    async def _attempt(
        self, action: str, fields: dict[str, str], write: bool, before_send: BeforeSend | None
    ) -> Any:
        form = {"key": self._key, "action": action, **fields}
        started = time.perf_counter()
        status: int | None = None
        text = ""
        failure: PanelError | None = None
        try:
            async with asyncio.timeout(self._slot_timeout):
                await self._sem.acquire()
        except TimeoutError:
            # Every slot is busy with slow calls: this request never left.
            failure = PanelUnavailable(self.name, action, "no free connection slot")
            self._log(action, started, failure)
            raise failure from None
        try:
            if before_send is not None:
                await before_send()
            try:
                limit = MAX_BODY_BYTES.get(action, MAX_OTHER_BODY_BYTES)
                async with self._http.stream("POST", self.url, data=form) as resp:
                    status = resp.status_code
                    body = await _read_bounded(resp, limit)
                if status == 407:
                    # The proxy refused to carry the request: it never reached the panel.
                    failure = PanelUnavailable(
                        self.name,
                        action,
                        "proxy refused (HTTP 407): check the proxy's credentials",
                        http_status=status,
                        retryable=False,
                    )
                elif body is None:
                    failure = self._after_send(
                        action, write, f"answer over {limit // 1000} kB (HTTP {status})"
                    )
                else:
                    encoding = resp.encoding or "utf-8"
                    text = self._redact_body(body.decode(encoding, errors="replace"))
            except _NOT_SENT as exc:
                reason = f"connect failed: {type(exc).__name__}"
                failure = PanelUnavailable(self.name, action, reason)
            except httpx.TimeoutException as exc:
                failure = self._after_send(action, write, f"timeout: {type(exc).__name__}")
            except httpx.HTTPError as exc:
                reason = f"connection broken: {type(exc).__name__}"
                failure = self._after_send(action, write, reason)
        finally:
            self._sem.release()
        result: Any = None
        if failure is None:
            try:
                if action == "services" and len(text) > THREAD_PARSE_CHARS:
                    result = await asyncio.to_thread(
                        self._interpret, action, write, status or 0, text
                    )
                else:
                    result = self._interpret(action, write, status or 0, text)
            except PanelError as exc:
                failure = exc
            except Exception as exc:  # a bug of ours must still reach callers as a PanelError
                failure = self._parser_bug(action, write, exc)
        self._log(action, started, failure)
        if failure is not None:
            raise failure
        return result

    def _interpret(self, action: str, write: bool, status: int, text: str) -> Any:
        if 300 <= status < 400 and write:
            # A proxy or panel may have acted on the POST before redirecting: unknown.
            raise self._after_send(action, write, f"HTTP {status} redirect", "", status)
        if 300 <= status < 400:
            raise PanelUnavailable(
                self.name,
                action,
                f"HTTP {status} redirect: check the panel URL",
                http_status=status,
                retryable=False,
            )
        if status >= 500 or (status == 429 and not write):
            # 429 on a read is a rate limit: worth a retry after backoff, unlike a rejection.
            raise self._after_send(action, write, f"HTTP {status}", text, status)
        if not text.strip():
            raise self._after_send(action, write, f"empty answer (HTTP {status})", "", status)
        try:
            data = loads(text)
        except JSONError as exc:  # malformed, too deep, or too sloppy and too long
            detail = str(exc)[:60]
            reason = (
                f"not JSON (HTTP {status})"
                if detail == "not JSON"
                else f"not JSON: {detail} (HTTP {status})"
            )
            bad_json = True
        else:
            bad_json = False
        if bad_json:
            raise self._after_send(action, write, reason, text, status)
        err = decode.error_of(data)
        created = positive_id(data.get("order")) if isinstance(data, Mapping) else None
        if err is not None and action == "add" and created is not None:
            # The panel created the order and still wrote an error: the order exists.
            log.warning(
                "panel=%s action=add order=%s came with an error: %s",
                self.name,
                created,
                self._excerpt(err),
            )
            return data
        if err is not None:
            raise self._rejected(action, err, status)
        if status >= 400:
            # A 4xx without an error message: nothing usable came back.
            raise self._after_send(action, write, f"HTTP {status}", text, status)
        return data

    # -- helpers ------------------------------------------------------------------------------

    def _after_send(
        self, action: str, write: bool, reason: str, body: str = "", status: int | None = None
    ) -> PanelError:
        excerpt = self._excerpt(body)
        if write:
            return PanelOutcomeUnknown(self.name, action, reason, excerpt, status)
        return PanelUnavailable(self.name, action, reason, excerpt, status)

    def _decoded(self, action: str, parse: Callable[..., V], *args: Any) -> V:
        """Run a decoder; what it cannot use becomes a typed error, never anything else."""
        write = action in _WRITE_ACTIONS
        try:
            return parse(*args)
        except (decode.ShapeError, Invalid) as exc:
            # Valid JSON of no usable shape: for a write we cannot tell what happened.
            failure = self._unusable(action, str(exc))
        except Exception as exc:
            failure = self._parser_bug(action, write, exc)
        raise failure  # outside the handlers: no chained context (it may quote the body)

    def _unusable(self, action: str, reason: str) -> PanelError:
        reason = f"unusable answer: {self._redact(reason)}"
        if action in _WRITE_ACTIONS:
            return PanelOutcomeUnknown(self.name, action, reason)
        return PanelUnavailable(self.name, action, reason, retryable=False)

    def _parser_bug(self, action: str, write: bool, exc: Exception) -> PanelError:
        # Never expected: every reader is bounded. Logged loudly (type only: the message may
        # quote the answer), and still a typed error for the caller.
        log.error("panel=%s action=%s parser bug: %s", self.name, action, type(exc).__name__)
        return self._after_send(action, write, "unreadable answer")

    def _rejected(self, action: str, message: str, status: int = 200) -> PanelRejected:
        message = self._redact(clean(message, MESSAGE_LEN) or "error")
        return PanelRejected(self.name, action, message, classify_error(message, action), status)

    def _redact_body(self, body: str) -> str:
        """The key removed from a whole answer before anything reads it (panels echo it)."""
        return body.replace(self._key, "***") if len(self._key) >= 4 else body

    def _redact(self, text: str) -> str:
        """The key removed, and a key cut at the end of a bounded text (its first 4+ chars)."""
        key = self._key
        if len(key) < 4:
            return text
        text = text.replace(key, "***")
        for n in range(min(len(key) - 1, len(text)), 3, -1):
            if text.endswith(key[:n]):
                return text[:-n] + "***"
        return text

    def _excerpt(self, body: str, limit: int = 160) -> str:
        """A short, printable, key-free summary of a bad answer (an HTML page's title)."""
        head = body[:4000]
        title = _TITLE.search(head)
        text = title.group(1) if title else _TAG.sub(" ", head)
        text = "".join(c for c in " ".join(text.split()) if c.isprintable())
        text = self._redact(text)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _log(self, action: str, started: float, failure: PanelError | None) -> None:
        ms = (time.perf_counter() - started) * 1000
        if failure is None:
            log.info("panel=%s action=%s duration_ms=%.0f outcome=ok", self.name, action, ms)
            return
        if isinstance(failure, PanelRejected):
            outcome = f"rejected:{failure.kind.value}"
        elif isinstance(failure, PanelOutcomeUnknown):
            outcome = "outcome_unknown"
        else:
            outcome = "unavailable"
        log.warning(
            "panel=%s action=%s duration_ms=%.0f outcome=%s detail=%s",
            self.name,
            action,
            ms,
            outcome,
            failure.detail,
        )


async def _read_bounded(resp: httpx.Response, limit: int) -> bytes | None:
    """The decoded (decompressed) body, or None as soon as it grows past `limit` bytes: an
    endless or huge answer is never held whole, and the connection is dropped with it."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and "content-encoding" not in resp.headers:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _form_rejected(exc: PanelError) -> bool:
    """A multi read refused as a whole for its form: an error that is not about the account,
    or an HTTP 4xx (but a rate limit) without a usable answer."""
    if isinstance(exc, PanelRejected):
        return exc.kind not in _NOT_FORM
    status = getattr(exc, "http_status", None)
    return isinstance(exc, PanelUnavailable) and status in _FORM_HTTP


def _keyed_by_nothing(ids: list[str], data: Any, answers: Mapping[str, Any]) -> bool:
    """A non-empty answer in which none of the asked IDs appears: the form was not understood
    (e.g. one order's status answered to a multi request)."""
    return bool(data) and all(
        isinstance(v, EntryError) and v.message == decode.NO_ANSWER for v in answers.values()
    )


__all__ = ["MAX_IDS_PER_REQUEST", "Dialect", "ErrorKind", "PanelClient", "detect_dialect"]
