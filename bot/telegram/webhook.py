"""Webhook mode: an aiohttp server behind a reverse proxy, plus `/healthz`.

Updates are handled inside the request (not in the background): Telegram only gets its 200 once
an update is handled, so an update whose process died is redelivered, not lost. Every update is
claimed by update_id first (bot.telegram.dedupe), so a redelivery that reaches another process, or
the same update fed to two processes, is handled once.

The route is the bot's own aiohttp handler (DedupingWebhook; aiogram's SimpleRequestHandler
is not subclassed), and aiogram's `setup_application` runs the dispatcher's startup and
shutdown. The handler runs to completion through `Dispatcher.feed_update`, not aiogram's
`feed_webhook_update`: that one stops waiting after 55 s and returns while the handler goes on
in the background, so the claim was marked done before the update was. Now the claim is renewed
while the handler runs and finished only when it has. Should Telegram give up waiting (about a
minute) and redeliver, the redelivery finds the claim alive and gets 503 (retry later); once the
handler finished, a redelivery gets 200 and is dropped. The answer to a request Telegram gave up
on is simply lost; nothing was handled twice.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.telegram.crypto_webhook import CryptoPayWebhook
from bot.telegram.dedupe import Claim, UpdateClaims
from bot.telegram.telegram_session import call_patiently

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any

    from bot.config import Settings
    from bot.context import Shop
    from bot.telegram.notify import Notifier

log = logging.getLogger("bot.telegram.webhook")


class WebhookHost(Protocol):
    """What the webhook server needs from the running process (bot.runtime.Runtime), named
    here so the runtime imports this module and not the other way round."""

    @property
    def settings(self) -> Settings: ...
    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def shop(self) -> Shop: ...
    @property
    def bot(self) -> Bot: ...
    @property
    def dispatcher(self) -> Dispatcher: ...
    @property
    def notifier(self) -> Notifier: ...
    @property
    def retry_first_delay(self) -> float: ...
    @property
    def retry_max_delay(self) -> float: ...
    def in_background(self, work: Coroutine[Any, Any, object]) -> None: ...


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/webhook"
RETRY_AFTER_SECONDS = 5
ENGINE_KEY: web.AppKey[AsyncEngine] = web.AppKey("engine", AsyncEngine)


def webhook_path(url: str) -> str:
    """The local route: the path of WEBHOOK_URL (a proxy forwards it unchanged)."""
    path = urlsplit(url).path.rstrip("/")
    return path or DEFAULT_PATH


class DedupingWebhook:
    """The webhook route: an aiohttp handler of its own (aiogram's request handler is not
    subclassed) that checks the secret header (401), reads the update (400 for what is not
    JSON with an update_id), claims it by update_id and feeds it to the dispatcher through the
    public `Dispatcher.feed_update`."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str, claims: UpdateClaims
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.secret = secret_token.encode()
        self.claims = claims

    def register(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=401, text="Unauthorized")
        bot = self.bot
        try:
            payload = await request.json(loads=bot.session.json_loads)
        except ValueError:
            return web.Response(status=400, text="invalid JSON")
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int):
            return web.Response(status=400, text="no update_id")
        try:
            update = Update.model_validate(payload, context={"bot": bot})
        except ValidationError as exc:  # redelivering it would not make it readable
            log.warning(
                "update %d dropped: not an update aiogram can read: %s", update_id, str(exc)[:300]
            )
            return web.Response(status=200)
        claim = await self.claims.claim(update_id)
        if claim is Claim.DONE:
            return web.Response(status=200)
        if claim is Claim.BUSY:  # Telegram retries non-2xx answers later
            return web.Response(
                status=503, text="busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        async with self.claims.held(update_id):  # done only once the handler has finished
            await self._handle(bot, update)
        return web.Response(status=200)

    async def _handle(self, bot: Bot, update: Update) -> None:
        """A failing handler is not retried (as with polling): logged, and the update counts
        as handled. A handler that returns a Bot API method (aiogram's "reply in the webhook
        answer") has it called as a request instead."""
        try:
            result = await self.dispatcher.feed_update(bot, update)
            if isinstance(result, TelegramMethod):
                await bot(result)
        except Exception:
            log.exception("update %d: the handler failed", update.update_id)


async def healthz(request: web.Request) -> web.Response:
    """200 with {"ok": true, "database": true} when the database answers, else 503."""
    database = False
    with contextlib.suppress(Exception):
        async with request.app[ENGINE_KEY].connect() as connection:
            await connection.execute(text("SELECT 1"))
        database = True
    return web.json_response(
        {"ok": database, "database": database}, status=200 if database else 503
    )


def build_app(runtime: WebhookHost) -> web.Application:
    settings = runtime.settings
    assert settings.webhook_url and settings.webhook_secret
    app = web.Application()
    app[ENGINE_KEY] = runtime.engine
    DedupingWebhook(
        runtime.dispatcher,
        runtime.bot,
        secret_token=settings.webhook_secret.get_secret_value(),
        claims=UpdateClaims(runtime.shop.sessions),
    ).register(app, path=webhook_path(settings.webhook_url))
    app.router.add_get("/healthz", healthz)
    if settings.crypto_pay_token and runtime.shop.crypto_pay is not None:
        CryptoPayWebhook(
            runtime.shop, runtime.notifier, settings.crypto_pay_token.get_secret_value()
        ).register(app, settings.crypto_pay_webhook_path)
    setup_application(app, runtime.dispatcher, bot=runtime.bot)  # dispatcher startup/shutdown
    return app


class WebhookServer:
    def __init__(self, runtime: WebhookHost) -> None:
        self.runtime = runtime
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        settings = self.runtime.settings
        assert settings.webhook_url and settings.webhook_secret
        self._runner = web.AppRunner(build_app(self.runtime), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, settings.webhook_host, settings.webhook_port).start()
        log.info(
            "webhook listening on %s:%d%s",
            settings.webhook_host,
            settings.webhook_port,
            webhook_path(settings.webhook_url),
        )
        # Every process sets the same webhook: harmless, and the newest settings win. Retried
        # in the background until Telegram answers (the server already listens, and a webhook
        # set by an earlier start keeps delivering meanwhile); a refusal is logged.
        secret = settings.webhook_secret.get_secret_value()
        allowed = self.runtime.dispatcher.resolve_used_update_types()
        self.runtime.in_background(
            call_patiently(
                lambda: self.runtime.bot.set_webhook(
                    settings.webhook_url or "", secret_token=secret, allowed_updates=allowed
                ),
                "setWebhook",
                attempts=None,
                first_delay=self.runtime.retry_first_delay,
                max_delay=self.runtime.retry_max_delay,
            )
        )

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
