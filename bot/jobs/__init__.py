"""Background work: status and refill polling, catalog sync, balance watch, reconciliation.

Each job is a plain async function of the Shop (plus a Notifier where customers or admins are
told something), so tests call them directly; bot/jobs/scheduler.py runs them on intervals.
"""
