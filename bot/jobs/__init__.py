"""Background work: status and refill polling, catalog sync, balance watch, reconciliation,
Crypto Pay invoice polling.

Each job is a plain async function of the Shop (plus a Notifier where customers or admins are
told something), so tests call them directly; bot/jobs/scheduler.py runs them on intervals
and bot/jobs/leader.py makes sure only one process does. The jobs may import bot/shop/,
bot/panel/, storage/, bot/telegram/ (to tell people) and keyboards/; nothing in bot/shop/,
bot/panel/ or bot/telegram/ imports them.
"""
