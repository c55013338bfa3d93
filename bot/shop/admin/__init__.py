"""The admin console's domain: refunds, review resolution, look-ups, bans, catalog switches.

Every change writes its audit row (bot.shop.audit) in the transaction that makes it. Nothing here
talks to Telegram; the handlers in handlers/admin_*.py parse, call these and render.
"""
