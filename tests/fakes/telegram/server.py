"""The fake Bot API server: HTTP plumbing, state, fault injection and waiting helpers."""

# Waits take a `timeout` on purpose: expiry raises AssertionError with the chat transcript.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import bisect
import contextlib
import email.parser
import email.policy
import json
import math
import time
import urllib.parse
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from .methods import HANDLERS, SENDING_METHODS, known_methods
from .models import (
    BotEvent,
    CallbackAnswer,
    ChatInfo,
    ChatMessage,
    EventKind,
    FaultRule,
    ForumTopic,
    PreCheckoutAnswer,
    RecordedRequest,
    StarPayment,
    Stats,
    StoredFile,
    WireRequest,
)
from .params import ApiError, Params, UploadedFile, bad_request, forbidden, too_many_requests

if TYPE_CHECKING:
    from .users import FakeUser

DEFAULT_ALLOWED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# What nginx answers when the Bot API behind it is down.
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class RawAnswer(Exception):
    """A fault that answers with a raw body instead of a Bot API answer."""

    def __init__(self, rule: FaultRule) -> None:
        super().__init__(rule.method)
        self.rule = rule


class FakeTelegram:
    """In-process fake of the Telegram Bot API for end-to-end tests of an aiogram bot.

    Use as ``async with FakeTelegram() as tg: bot = tg.make_bot(); alice = tg.user(1001)``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "fake_test_bot",
        bot_first_name: str = "Fake Bot",
        flood_limit: float | None = None,
        flood_retry_after: int | None = None,
        latency: float = 0.0,
        default_timeout: float = 5.0,
        auto_create_users: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.flood_limit = flood_limit
        """Max sending calls (sendMessage, copyMessage, ...) per sliding second; None = off."""
        self.flood_retry_after = flood_retry_after
        """Fixed ``retry_after`` for flood 429s; None = seconds until the window frees up."""
        self.latency = latency
        self.method_latency: dict[str, float] = {}
        self.default_timeout = default_timeout
        self.auto_create_users = auto_create_users
        """When True, sending to an unknown positive chat id creates a user instead of 400."""
        self._host = host
        self._port = port

        # Observable records.
        self.requests: list[RecordedRequest] = []
        self.wire: list[WireRequest] = []  # every API request as it arrived, in order
        self.unimplemented: list[str] = []
        self.stats = Stats()
        self.events: list[BotEvent] = []
        self._chat_events: dict[int, list[BotEvent]] = defaultdict(list)
        self._chat_changed: dict[int, asyncio.Event] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.pre_checkout_answers: list[PreCheckoutAnswer] = []
        self.payments: dict[str, StarPayment] = {}
        self.refunds: list[StarPayment] = []
        self.invoice_links: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook_url: str | None = None
        self.chat_member_status: dict[tuple[int, int], str] = {}
        self.forum_topics: dict[int, dict[int, ForumTopic]] = defaultdict(dict)
        """Topics of forum supergroups: chat id -> thread id -> topic."""

        # Chats, users and messages.
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatInfo] = {}
        self._messages: dict[int, dict[int, ChatMessage]] = defaultdict(dict)
        self._last_message_id: Counter[int] = Counter()

        # Update queue.
        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._fetched_upto = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0

        # Fault injection.
        self._faults: list[FaultRule] = []
        self.fault_policy: (
            Callable[[str, dict[str, Any]], ApiError | web.Response | None] | None
        ) = None
        """Chaos hook (tests/fakes/chaos.py): called with every API call's method and decoded
        parameters before it runs; an ApiError is answered as Telegram answers errors, a
        web.Response is sent as it is (a proxy's HTML page), None runs the method."""
        self._flood_window: deque[float] = deque()

        # Bookkeeping.
        self._callback_queries: dict[str, int] = {}
        self._pre_checkout_queries: dict[str, int] = {}
        self._counter = 0
        self._changed = asyncio.Event()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._known_methods = known_methods()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._bots: list[Bot] = []

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, handle_signals=False, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        port = server.sockets[0].getsockname()[1]
        self._url = f"http://{self._host}:{port}"
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        for bot in self._bots:
            await bot.session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._url

    @property
    def api_server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.url)

    def make_bot(self, token: str | None = None, **bot_kwargs: Any) -> Bot:
        """An aiogram ``Bot`` talking to this server (its session is closed on ``stop``)."""
        session = AiohttpSession(api=self.api_server)
        bot = Bot(token or self.token, session=session, **bot_kwargs)
        self._bots.append(bot)
        return bot

    # ------------------------------------------------------------------ users & chats
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
    ) -> FakeUser:
        """Get or create a simulated user with a private chat (chat id == user id)."""
        from .users import FakeUser

        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self,
            user_id,
            first_name=first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
        )
        self.users[user_id] = user
        self.chats[user_id] = ChatInfo(
            id=user_id,
            type="private",
            first_name=user.first_name,
            last_name=last_name,
            username=username,
        )
        return user

    def add_chat(
        self,
        chat_id: int,
        *,
        type: str = "supergroup",
        title: str = "Test chat",
        username: str | None = None,
        is_forum: bool = False,
    ) -> ChatInfo:
        """Register a group/channel chat the bot can send to (``is_forum``: a supergroup with
        topics, where the forum methods work)."""
        if is_forum and type != "supergroup":
            raise ValueError("only a supergroup can be a forum")
        chat = ChatInfo(id=chat_id, type=type, title=title, username=username, is_forum=is_forum)
        self.chats[chat_id] = chat
        return chat

    # ------------------------------------------------------------------ forum topics
    def open_topic(self, chat: ChatInfo, name: str, icon_color: int) -> ForumTopic:
        """A new topic, opened by the bot: its id is the id of the service message that
        announces it, as in Telegram."""
        created = self.add_message(
            chat, {"forum_topic_created": {"name": name, "icon_color": icon_color}}
        )
        created.raw["message_thread_id"] = created.message_id
        created.raw["is_topic_message"] = True
        topic = ForumTopic(chat.id, created.message_id, name, icon_color)
        self.forum_topics[chat.id][topic.thread_id] = topic
        return topic

    def topic_service_message(
        self, chat: ChatInfo, topic: ForumTopic, content: dict[str, Any]
    ) -> ChatMessage:
        return self.add_message(
            chat,
            {**content, "message_thread_id": topic.thread_id, "is_topic_message": True},
        )

    def topics(self, chat_id: int) -> list[ForumTopic]:
        """A forum's topics (deleted ones too), oldest first."""
        return list(self.forum_topics.get(chat_id, {}).values())

    def thread_messages(self, chat_id: int, thread_id: int | None) -> list[ChatMessage]:
        """The bot's visible messages in one topic of a forum (service messages left out)."""
        return [
            m
            for m in self.messages(chat_id)
            if m.from_bot
            and m.raw.get("message_thread_id") == thread_id
            and not any(key.startswith("forum_topic_") for key in m.raw)
        ]

    async def wait_chat_message(
        self,
        chat_id: int,
        *,
        after: int,
        thread_id: int | None = None,
        contains: str | None = None,
        timeout: float | None = None,
    ) -> ChatMessage:
        """The first bot message in a (group) chat after event ``after`` (see ``event_seq``),
        in topic ``thread_id`` when given, containing ``contains`` when given."""

        def find() -> BotEvent | None:
            for event in self.chat_events_after(chat_id, after):
                message = event.message
                if event.kind != "message" or message is None:
                    continue
                if thread_id is not None and message.raw.get("message_thread_id") != thread_id:
                    continue
                if any(key.startswith("forum_topic_") for key in message.raw):
                    continue
                if contains is not None and contains not in message.content:
                    continue
                return event
            return None

        found = await self.wait_chat(chat_id, find, timeout)
        if found is None or found.message is None:
            lines = [f"  {m.describe()}" for m in self.messages(chat_id, include_deleted=True)]
            raise AssertionError(
                f"no bot message in chat {chat_id} (thread {thread_id}, contains {contains!r})\n"
                + "\n".join(lines)
            )
        return found.message

    def resolve_chat(self, chat_ref: int | str | None) -> ChatInfo:
        if chat_ref is None:
            raise bad_request("chat_id is empty")
        if isinstance(chat_ref, str):
            for chat in self.chats.values():
                if chat.username and f"@{chat.username}".lower() == chat_ref.lower():
                    return chat
            raise bad_request("chat not found")
        chat = self.chats.get(chat_ref)
        if chat is None and self.auto_create_users and chat_ref > 0:
            self.user(chat_ref)
            chat = self.chats[chat_ref]
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def check_reachable(self, chat: ChatInfo) -> None:
        user = self.users.get(chat.id) if chat.type == "private" else None
        if user is None:
            return
        if user.deactivated:
            raise forbidden("user is deactivated")
        if user.blocked:
            raise forbidden("bot was blocked by the user")

    # ------------------------------------------------------------------ messages
    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """All messages (user's and bot's) of a chat in order."""
        return [m for m in self._messages[chat_id].values() if include_deleted or not m.deleted]

    @property
    def sent_messages(self) -> list[ChatMessage]:
        """Every message the bot sent, in all chats, in send order."""
        return [
            event.message
            for event in self.events
            if event.kind == "message" and event.message is not None
        ]

    def get_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        return self._messages[chat_id].get(message_id)

    def add_message(
        self,
        chat: ChatInfo,
        content: dict[str, Any],
        *,
        sender: dict[str, Any] | None = None,
        reply_markup: dict[str, Any] | None = None,
        **extra: Any,
    ) -> ChatMessage:
        """Store a new message; ``sender=None`` means the bot sent it (and emits an event)."""
        self._last_message_id[chat.id] += 1
        message_id = self._last_message_id[chat.id]
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(sender or self.bot_user),
            "chat": chat.to_api(),
            "date": int(time.time()),
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            raw["reply_markup"] = reply_markup
        message = ChatMessage(
            message_id=message_id,
            chat_id=chat.id,
            from_bot=sender is None,
            raw=raw,
            reply_markup=reply_markup,
            **extra,
        )
        self._messages[chat.id][message_id] = message
        if sender is None:
            self.stats.deliveries[chat.id] += 1
            self.emit("message", chat.id, message=message.snapshot())
        return message

    def emit(
        self,
        kind: EventKind,
        chat_id: int | None,
        *,
        message: ChatMessage | None = None,
        payload: Any = None,
    ) -> BotEvent:
        event = BotEvent(
            seq=len(self.events) + 1,
            kind=kind,
            chat_id=chat_id,
            message=message,
            payload=payload,
        )
        self.events.append(event)
        if chat_id is not None:
            self._chat_events[chat_id].append(event)
            signal = self._chat_changed.pop(chat_id, None)
            if signal is not None:
                signal.set()
        self._notify()
        return event

    @property
    def event_seq(self) -> int:
        return len(self.events)

    def events_after(self, seq: int) -> list[BotEvent]:
        return self.events[seq:]

    def chat_events_after(self, chat_id: int, seq: int) -> list[BotEvent]:
        """A chat's events with a sequence number above ``seq``, oldest first."""
        events = self._chat_events.get(chat_id, [])
        return events[bisect.bisect_right(events, seq, key=lambda event: event.seq) :]

    def register_file(
        self,
        data: bytes | None,
        kind: str,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = self.next_id()
        stored = StoredFile(
            file_id=f"FAKE-{kind}-{number:06d}",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def next_id(self) -> int:
        self._counter += 1
        return self._counter

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set via setMyCommands for a scope (default scope when None) + language."""
        return list(self.my_commands.get(commands_key(scope, language_code), []))

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive)."""
        wanted = method.lower()
        return [r for r in self.requests if r.method.lower() == wanted]

    # ------------------------------------------------------------------ updates
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is assigned when missing); returns its id."""
        update = dict(update)
        if "update_id" in update:
            self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        else:
            self._last_update_id += 1
            update["update_id"] = self._last_update_id
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    def all_updates_fetched(self) -> bool:
        return self._fetched_upto >= self._last_update_id

    def confirm_updates(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def take_updates(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            kind = next(key for key in update if key != "update_id")
            if (kind in allowed) if allowed else (kind not in DEFAULT_ALLOWED_UPDATES):
                kept.append(update)
            else:
                self._fetched_upto = max(self._fetched_upto, update["update_id"])
        self._updates = kept
        batch = kept[:limit]
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
            self._notify()
        return batch

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = 1,
        nth: int = 1,
    ) -> FaultRule:
        """Make ``times`` calls of ``method`` fail (default: 429 retry after 1), starting with
        its ``nth`` call from now (the ones before pass)."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else "Bad Request: injected failure"
            )
        rule = FaultRule(
            method=method.lower(),
            remaining=times,
            error_code=error_code,
            description=description,
            retry_after=retry_after if error_code == 429 else None,
            skip=nth - 1,
        )
        self._faults.append(rule)
        return rule

    def answer_raw_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 502,
        body: str = HTML_502,
        content_type: str = "text/html",
        hang: float = 0.0,
        then_apply: bool = False,
    ) -> FaultRule:
        """Make the next ``times`` calls of ``method`` get ``body`` as it is instead of a Bot
        API answer (default: a proxy's HTML 502 page), after ``hang`` seconds; with
        ``then_apply`` the method still takes effect (only its answer is lost)."""
        rule = FaultRule(
            method=method.lower(),
            remaining=times,
            error_code=status,
            description="",
            raw_body=body,
            raw_content_type=content_type,
            hang=hang,
            then_apply=then_apply,
        )
        self._faults.append(rule)
        return rule

    def hang_next(self, method: str, times: int = 1, *, seconds: float = 30.0) -> FaultRule:
        """Make the next ``times`` calls of ``method`` hang ``seconds`` before any answer
        (the bot's own timeout is expected to give up first)."""
        return self.answer_raw_next(method, times, status=504, body="", hang=seconds)

    def _apply_faults(self, method: str) -> FaultRule | None:
        for rule in self._faults:
            if rule.method == method.lower() and rule.remaining > 0:
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.remaining -= 1
                if rule.raw_body is not None:
                    return rule  # answered by _call, after its hang
                parameters = {"retry_after": rule.retry_after} if rule.retry_after else None
                raise ApiError(rule.error_code, rule.description, parameters)
        return None

    def _check_flood(self, method: str) -> None:
        if self.flood_limit is None or method not in SENDING_METHODS:
            return
        now = time.monotonic()
        window = self._flood_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.flood_limit:
            retry_after = self.flood_retry_after or max(1, math.ceil(window[0] + 1.0 - now))
            raise too_many_requests(retry_after)
        window.append(now)

    # ------------------------------------------------------------------ waiting
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        """Wait until ``predicate()`` is true (re-checked on every server change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.default_timeout if timeout is None else timeout)
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
            except TimeoutError:
                continue
        return True

    async def wait_chat(
        self, chat_id: int, find: Callable[[], BotEvent | None], timeout: float | None = None
    ) -> BotEvent | None:
        """Wait until ``find()`` returns an event, re-checked only when this chat gets one.

        Cheaper than ``wait_until`` when many users wait at once (load tests): a user is woken
        by its own chat's events, not by every request the server sees."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.default_timeout if timeout is None else timeout)
        while (found := find()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return None
            signal = self._chat_changed.setdefault(chat_id, asyncio.Event())
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                continue
        return found

    async def wait_updates_fetched(self, timeout: float | None = None) -> None:
        """Wait until the bot has fetched (via getUpdates) every queued update."""
        if not await self.wait_until(self.all_updates_fetched, timeout):
            raise AssertionError(
                f"bot did not fetch updates up to #{self._last_update_id} "
                f"(fetched up to #{self._fetched_upto}); is polling running?"
            )

    async def wait_idle(self, quiet: float = 0.05, timeout: float | None = None) -> None:
        """Wait until all updates are fetched and no API call happened for ``quiet`` s."""
        await self.wait_updates_fetched(timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.default_timeout if timeout is None else timeout)
        while True:
            idle_for = time.monotonic() - self._last_activity
            if self._inflight == 0 and idle_for >= quiet and self.all_updates_fetched():
                return
            if loop.time() > deadline:
                raise AssertionError("bot did not become idle")
            await asyncio.sleep(max(quiet - idle_for, 0.005))

    # ------------------------------------------------------------------ HTTP
    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(ApiError(401, "Unauthorized").to_json(), 401)
        method = self._known_methods.get(request.match_info["method"].lower())
        if method is None:
            return _json(ApiError(404, "Not Found: method not found").to_json(), 404)
        body = await request.read()
        self.wire.append(WireRequest(request.path, request.headers, body))
        params = _read_params(request, body)
        record = RecordedRequest(
            method=method,
            params=params.decoded(),
            files={name: f.data for name, f in params.files.items()},
        )
        self.requests.append(record)
        self.stats.method_counts[method] += 1
        self._notify()
        verdict = self.fault_policy(method, record.params) if self.fault_policy else None
        if isinstance(verdict, web.Response):
            record.status, record.error = verdict.status, "raw answer (fault policy)"
            return verdict
        is_poll = method == "getUpdates"
        if not is_poll:
            self._inflight += 1
        try:
            if isinstance(verdict, ApiError):
                raise verdict
            result = await self._call(method, params)
        except RawAnswer as answer:
            rule = answer.rule
            record.status, record.error = rule.error_code, "raw answer"
            self.stats.errors[(method, rule.error_code)] += 1
            return web.Response(
                status=rule.error_code, text=rule.raw_body, content_type=rule.raw_content_type
            )
        except ApiError as error:
            record.status, record.error = error.error_code, error.description
            self.stats.errors[(method, error.error_code)] += 1
            if error.error_code == 429:
                self.stats.too_many_requests += 1
            return _json(error.to_json(), error.error_code)
        finally:
            if not is_poll:
                self._inflight -= 1
                self._last_activity = time.monotonic()
                self._notify()
        record.status, record.result = 200, result
        return _json({"ok": True, "result": result}, 200)

    async def _call(self, method: str, params: Params) -> Any:
        delay = self.method_latency.get(method, self.latency)
        if delay:
            await asyncio.sleep(delay)
        raw = self._apply_faults(method)
        if raw is not None:
            if raw.hang:
                await asyncio.sleep(raw.hang)
            if raw.then_apply and (handler := HANDLERS.get(method)) is not None:
                with contextlib.suppress(ApiError):
                    await handler(self, params)
            raise RawAnswer(raw)
        self._check_flood(method)
        handler = HANDLERS.get(method)
        if handler is None:
            self.unimplemented.append(method)
            return True
        return await handler(self, params)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path and stored.data is not None:
                return web.Response(body=stored.data)
        return web.Response(status=404)


def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    scope = scope or {"type": "default"}
    parts = [str(scope.get("type", "default"))]
    for key in ("chat_id", "user_id"):
        if key in scope:
            parts.append(f"{key}={scope[key]}")
    return ("|".join(parts), language_code or "")


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.json_response(body, status=status)


def _read_params(request: web.Request, body: bytes) -> Params:
    """Parameters from the query and the raw body: JSON, a urlencoded or a multipart form."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        decoded = json.loads(body) if body else None
        if isinstance(decoded, dict):
            raw.update(decoded)
    elif request.content_type == "application/x-www-form-urlencoded":
        raw.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    elif request.content_type == "multipart/form-data":
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in form.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is None:
                raw[name] = data.decode()
            else:
                files[name] = UploadedFile(
                    field_name=name,
                    filename=filename,
                    content_type=part.get_content_type(),
                    data=data,
                )
    return Params(raw=raw, files=files)


def iter_users(tg: FakeTelegram, ids: Iterable[int]) -> list[FakeUser]:
    """Create (or get) many users at once, e.g. for broadcast tests."""
    return [tg.user(user_id) for user_id in ids]
