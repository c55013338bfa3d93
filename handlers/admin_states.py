"""What the admin console is waiting for the admin to type (FSM states, data in the context)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup


class AdminInput(StatesGroup):
    user_query = State()  # a Telegram ID or @username
    order_query = State()  # a shop or panel order ID
    amount = State()  # data: user (shop id), sign (+1 / -1)
    reason = State()  # data: user, sign, amount
    panel_order = State()  # data: order
    markup = State()  # data: kind ("global" / "category" / "service"), id
    name = State()  # data: kind, id, lang


async def leave_prompt(state: FSMContext) -> None:
    """Forget a pending console prompt (never another area's conversation)."""
    current = await state.get_state()
    if current is not None and current.startswith(f"{AdminInput.__name__}:"):
        await state.clear()
