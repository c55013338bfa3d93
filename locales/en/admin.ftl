## Admin console: shared

admin-none = —
admin-panel-currency-unknown = (panel currency not reported yet)
admin-not-found = Not found: it may have been removed. Open the console again with /admin.
admin-send-text = Please send text, or press Cancel.
btn-admin-cancel = ✖️ Cancel
btn-admin-refresh = 🔄 Refresh
btn-admin-back = ⬅️ Back
btn-admin-prev = ⬅️ Previous
btn-admin-next = Next ➡️
cmd-admin = Admin: console
cmd-refund = Admin: refund an order
cmd-user = Admin: look up a customer
cmd-order = Admin: look up an order

## Panel balances

admin-balances-title = 💳 <b>Panel balances</b>
admin-balances-none = No panels are configured.
admin-balance-live = <b>{ $panel }</b>: { $balance }
admin-balance-stale = <b>{ $panel }</b>: { $balance } ⚠️ last known: the panel did not answer
admin-balance-unknown = <b>{ $panel }</b>: ⚠️ unknown: the panel did not answer
admin-balance-low = 🔻 low (below { $threshold })
admin-balance-sandbox = 🧪 sandbox

## Users

admin-users-prompt = 👤 Send the customer's Telegram ID or @username.
admin-user-usage = Usage: <code>/user TELEGRAM_ID</code> or <code>/user @username</code>
admin-user-not-found = No customer matches <code>{ $query }</code>: they must have started the bot.
admin-user-card = 👤 <b>{ $name }</b> · <code>{ $telegram_id }</code>
    Username: { $username }
    Language: { $language }
    Balance: <b>{ $balance }</b>
    Status: { $status }
    Joined: { $joined }
    Orders: { $orders }
admin-user-active = ✅ active
admin-user-banned = ⛔ banned
admin-user-inactive = 💤 blocked the bot
admin-user-orders = <b>Last orders</b>
admin-user-order-line = { $number } · { $status } · { $charge } · { $service }
admin-user-ledger = <b>Last ledger entries</b>
admin-user-ledger-line = { $date } · <b>{ $amount }</b> · { $kind }
admin-ledger-topup = top-up
admin-ledger-order = order
admin-ledger-refund = refund
admin-ledger-credit = credit
admin-ledger-debit = debit
admin-ledger-payment_refund = payment refunded
btn-admin-credit = ➕ Credit
btn-admin-debit = ➖ Debit
btn-admin-ban = ⛔ Ban
btn-admin-unban = ✅ Unban
admin-credit-amount = ➕ How much to credit to <code>{ $user }</code> (balance { $balance })? Send a positive amount, at most { $decimals } decimals.
admin-debit-amount = ➖ How much to debit from <code>{ $user }</code> (balance { $balance })? Send a positive amount, at most { $decimals } decimals.
admin-amount-invalid = ❌ Send a positive amount with at most { $decimals } decimals, e.g. 10.50.
admin-credit-reason = Amount: { $amount }. Now send the reason: the customer sees it.
admin-reason-invalid = ❌ Send the reason as text, up to { $limit } characters.
admin-ban-done = ⛔ Banned.
admin-unban-done = ✅ Unbanned.
admin-ban-admin = Admins cannot be banned.

## Orders

admin-orders-prompt = 📦 Send a shop order number or a panel order ID.
admin-order-usage = Usage: <code>/order ORDER_ID</code>: the shop's order number or the panel's order ID.
admin-order-not-found = No order matches <code>{ $query }</code>.
admin-order-matches = Several orders match <code>{ $query }</code>:
admin-order-card = 📦 <b>Order { $number }</b>: { $status }
    Customer: <code>{ $user }</code> ({ $username })
    Service: { $service }
    Panel: { $panel } · panel order: <code>{ $panel_order }</code>
    Link: { $link }
    Quantity: { $quantity }
    Charge: { $charge } · refunded: { $refunded }
    Cost on the panel: { $cost }
    Panel status: { $panel_status } · start count: { $start_count } · remains: { $remains }
    Error: { $error }
    Created: { $created }
admin-order-bad-cycles = ⚠️ Unusable status rows in a row: { $count } of { $limit } (then held for review)
admin-order-unknown-status = ❓ Panel status unknown to the shop: “{ $status }” since { $since }
btn-admin-customer = 👤 Customer
btn-admin-attach = 🔗 Attach panel order ID
btn-admin-refund-full = 💸 Refund in full
btn-admin-review-list = ⏸ Held for review
btn-admin-refund-yes = ✅ Yes, refund
btn-admin-refund-no = ⬅️ No

## Review

admin-review-empty = ⏸ No orders are held for review.
admin-review-title = ⏸ <b>Held for review</b>: { $count ->
    [one] one order
   *[other] { $count } orders
}. Check each on its panel, then attach the panel's order ID or refund it.
admin-review-button = { $number } · { $charge } · { $created }
admin-not-in-review = This order is no longer held for review.
admin-attach-prompt = 🔗 Send the order ID that panel <b>{ $panel }</b> gave order { $number }.
admin-attach-invalid = ❌ A panel order ID is letters, digits, “-” and “_”, up to 64 characters.
admin-attach-taken = ❌ Panel order <code>{ $panel_order }</code> is already attached to order { $other }.
admin-attach-done = ✅ Order { $number } is pending again with panel order <code>{ $panel_order }</code>: its status is checked like any other order's.
admin-refund-confirm = 💸 Refund { $amount } (everything not refunded yet) of order { $number } to <code>{ $user }</code> and mark the order failed?

## Refunds

admin-refund-usage = Usage: <code>/refund ORDER [AMOUNT]</code>
    ORDER is the shop's order number. Without AMOUNT, everything not refunded yet. At most { $decimals } decimals.
admin-refund-applied = ✅ Refunded { $amount } of order { $number }. Status: { $status }. Still refundable: { $left }.
admin-refund-duplicate = This refund was already applied ({ $amount } of order { $number }).
admin-refund-not-found = No order { $number }.
admin-refund-submitting = Order { $number } is being sent to its panel right now. Try again in a minute.
admin-refund-nothing-left = Order { $number } is already refunded in full.
admin-refund-exceeds = ❌ Refused: at most { $left } of order { $number } can still be refunded.
admin-refund-conflict = Order { $number } changed meanwhile (status: { $status }). Check it and try again.
admin-refund-not-in-review = Order { $number } is no longer held for review (status: { $status }).
admin-refund-notice = 💸 The shop returned { $amount } of order <b>{ $number }</b> to your balance.

## Catalog

admin-catalog-title = 🗂 <b>Catalog</b>
    Global markup: { $markup }% { $source }
    Categories: { $categories } · services: { $services } ({ $enabled } on sale)
admin-markup-env = (MARKUP_PERCENT)
admin-markup-set = (set in the console)
btn-admin-sync = 🔄 Sync now
btn-admin-global-markup = ％ Global markup
btn-admin-categories = 🗂 Categories
admin-sync-started = Syncing…
admin-sync-done = 🔄 <b>Catalog synced</b>
admin-sync-line = { $panel }: { $total } services ({ $added } new, { $changed } changed, { $disabled } gone)
admin-sync-failed = { $panel }: ⚠️ did not answer; its catalog is unchanged
admin-categories-title = 🗂 <b>Categories</b>: page { $page } of { $pages }
admin-services-title = 📋 <b>{ $category }</b>: page { $page } of { $pages }
admin-item-on = ✅ { $name }
admin-item-off = 🚫 { $name }
admin-on = ✅ on sale
admin-off = 🚫 disabled
admin-unavailable = ⚠️ gone from the panel
admin-markup-own = { $markup }% (its own)
admin-markup-inherited = { $markup }% (inherited)
admin-category-card = 🗂 <b>{ $name }</b>
    English name: { $name_en }
    Arabic name: { $name_ar }
    Status: { $status }
    Markup: { $markup }
    Services: { $count }
admin-service-card = 🧾 <b>{ $name }</b> (#{ $id })
    Panel: { $panel } · service <code>{ $panel_service }</code>
    Category: { $category }
    English name: { $name_en }
    Arabic name: { $name_ar }
    Panel rate: { $rate } per 1000
    Shop price: { $price } per 1000
    Markup: { $markup }
    Status: { $status }
btn-admin-enable = ✅ Enable
btn-admin-disable = 🚫 Disable
btn-admin-markup = ％ Markup
btn-admin-name-en = 🔤 English name
btn-admin-name-ar = 🔤 Arabic name
btn-admin-services = 📋 Services
admin-enabled-done = Enabled.
admin-disabled-done = Disabled.
admin-global-markup-prompt = ％ The global markup is { $markup }%. Send the new one in percent (e.g. 25), or “-” to go back to MARKUP_PERCENT ({ $default }%).
admin-markup-prompt-category = ％ Send this category's markup in percent (e.g. 25), or “-” to inherit the global one.
admin-markup-prompt-service = ％ Send this service's markup in percent (e.g. 25), or “-” to inherit its category's or the global one.
admin-markup-invalid = ❌ Send a percent from 0 to 10000 with at most 2 decimals, or “-”.
admin-name-prompt-en = 🔤 Send the English display name, or “-” to show the panel's name.
admin-name-prompt-ar = 🔤 Send the Arabic display name, or “-” to show the panel's name.
admin-name-invalid = ❌ Send a name of at most { $limit } characters, or “-”.
admin-saved = ✅ Saved.
