"""Client CPU per Telegram Bot API call: plain aiogram AiohttpSession vs the bot's session
(bot.telegram.telegram_session.make_session: the same AiohttpSession with orjson and its
middlewares), against the fake Bot API running in a child process (so only the client's CPU is
counted: `time.process_time()` of this process).

    .venv/bin/python bench/bench_bot_api.py [--calls N] [--rounds R]

Each round makes N sendMessage (HTML text, 4-button inline keyboard), N editMessageText (with a
keyboard) and N answerCallbackQuery calls through each session, sessions interleaved; prints the
median (and min) over rounds of µs of client CPU per call. The bot is built like
bot.runtime.make_bot (DefaultBotProperties: HTML parse mode, link previews disabled). Uses
uvloop when importable.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.telegram.telegram_session import make_session  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
CHAT = 1001


# ---------------------------------------------------------------------- the fake, in a child
async def serve(queries: int, clients: int) -> None:
    from tests.fakes.bot_api import FakeTelegram

    async with FakeTelegram(token=TOKEN) as tg:
        tg.user(CHAT, first_name="Bench")
        # Callback query ids the clients answer ("<client>-<n>"), as if the user had pressed.
        for client in range(clients):
            tg._callback_queries.update({f"{client}-{n}": CHAT for n in range(1, queries + 1)})
        print(tg.url, flush=True)
        # Run until the parent closes our stdin.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# ---------------------------------------------------------------------- the client
def keyboard(i: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="🛒 New order", callback_data=f"order:new:{i}"),
                InlineKeyboardButton(text="📦 My orders", callback_data="orders:list"),
            ],
            [
                InlineKeyboardButton(text="💰 Balance", callback_data="balance"),
                InlineKeyboardButton(text="Help", callback_data="help"),
            ],
        ]
    )


def aiogram_session(url: str) -> AiohttpSession:
    return AiohttpSession(api=TelegramAPIServer.from_base(url))


def make_bot(session_type: Callable[[str], AiohttpSession], url: str) -> Bot:
    return Bot(
        TOKEN,
        session=session_type(url),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


SESSIONS: dict[str, Callable[[str], AiohttpSession]] = {
    "aiogram AiohttpSession": aiogram_session,
    "the bot's session (make_session)": make_session,
}


class Client:
    def __init__(self, index: int, name: str, bot: Bot) -> None:
        self.index = index
        self.name = name
        self.bot = bot
        self.message_id = 0
        self.counter = 0
        self.answered = 0

    async def send(self) -> None:
        self.counter += 1
        i = self.counter
        message = await self.bot.send_message(
            CHAT,
            f"<b>Order #{i}</b> — 1,000 Instagram likes, <i>$1.20</i>",
            reply_markup=keyboard(i),
        )
        self.message_id = message.message_id

    async def edit(self) -> None:
        self.counter += 1
        i = self.counter
        await self.bot.edit_message_text(
            text=f"<b>Order #{i}</b> updated: <code>in progress</code>",
            chat_id=CHAT,
            message_id=self.message_id,
            reply_markup=keyboard(i),
        )

    async def answer(self) -> None:
        self.answered += 1
        await self.bot.answer_callback_query(f"{self.index}-{self.answered}", text="Order started")


async def measure(call: Callable[[], Awaitable[None]], n: int) -> float:
    """µs of this process's CPU per call."""
    start = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - start) / n * 1e6


async def run(calls: int, rounds: int, warmup: int) -> None:
    queries = warmup + rounds * calls
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        str(queries),
        "--clients",
        str(len(SESSIONS)),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = (await server.stdout.readline()).decode().strip()
        if not url:
            raise RuntimeError("the fake Bot API did not start")
        clients = [
            Client(index, name, make_bot(session_type, url))
            for index, (name, session_type) in enumerate(SESSIONS.items())
        ]
        methods = ["sendMessage", "editMessageText", "answerCallbackQuery"]
        results: dict[tuple[str, str], list[float]] = {}
        try:
            for client in clients:  # warm up connections, pydantic schemas, caches
                for _ in range(warmup):
                    await client.send()
                    await client.edit()
                    await client.answer()
            for turn in range(rounds):  # each round in another session order
                shift = turn % len(clients)
                for client in clients[shift:] + clients[:shift]:
                    for name, call in zip(
                        methods, [client.send, client.edit, client.answer], strict=True
                    ):
                        results.setdefault((client.name, name), []).append(
                            await measure(call, calls)
                        )
        finally:
            for client in clients:
                await client.bot.session.close()
    finally:
        server.stdin.close()
        await server.wait()

    loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    print(f"client CPU per call, µs: median (min) of {rounds} rounds × {calls} calls; loop: {loop}")
    width = max(len(c.name) for c in clients)
    print(f"{'':{width}}  " + "  ".join(f"{m:>19}" for m in methods))
    for client in clients:
        cells = []
        for method in methods:
            values = results[(client.name, method)]
            cells.append(f"{statistics.median(values):.0f} ({min(values):.0f})")
        print(f"{client.name:{width}}  " + "  ".join(f"{cell:>19}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per method per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--serve", type=int, metavar="QUERIES", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=len(SESSIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    if args.serve is not None:
        runner(serve(args.serve, args.clients))
    else:
        runner(run(args.calls, args.rounds, args.warmup))


if __name__ == "__main__":
    main()
