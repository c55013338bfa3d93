"""Everything that speaks the Bot API: the session (bot_api_retry, poll_pacing,
telegram_session), the notifier, the webhook server and its update de-duplication, the
broadcast sender, the support desk's relays, the command menus, i18n, chart rendering and the
middlewares. It may import aiogram, bot/shop/, bot/panel/, storage/, keyboards/ and the wiring
below it (bot.config, bot.context, bot.money); nothing under bot/shop/ or bot/panel/ imports it.
"""
