"""The shop's domain: the ledger, orders and their state machine, ordering, the catalog and its
prices, customers, credits, payments and top-ups (topups.settle, the one credit path of
Stars, Crypto Pay and manual transfers), broadcast jobs, after-sale (refill, cancel), stats, the
audit trail, shop settings, the wizard's steps, referrals and promo codes, the support desk's
tickets and the admin domain (bot/shop/admin/). It is plain Python over storage/: it may import
storage/, bot.money, bot.config, bot.context and bot/panel/, and never aiogram, bot/telegram/,
bot/jobs/, handlers/ or keyboards/, so every rule here is testable without a Bot API
(tests/test_import_graph.py checks it).
"""
