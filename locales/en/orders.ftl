## My orders: the list

orders-title = 📦 <b>My orders</b> — { $count ->
    [one] one order
   *[other] { $count } orders
}
orders-page = Page { $page } of { $pages }. Tap an order to see its details.
orders-empty = 📦 You have no orders yet. Tap “New order” to place your first one.
orders-button = { $number } · { $status } · { $service }
btn-orders-prev = ⬅️ Previous
btn-orders-next = Next ➡️
btn-orders-back = ⬅️ My orders

## Order states, as customers see them

order-status-submitting = 📤 Sending
order-status-pending = 🕒 Pending
order-status-in_progress = ⏳ In progress
order-status-processing = ⚙️ Processing
order-status-completed = ✅ Completed
order-status-partial = 🌓 Partially completed
order-status-canceled = 🚫 Canceled
order-status-refunded = 💸 Refunded
order-status-failed = ❌ Failed
order-status-review = 🔎 Under review

## One order

order-details = 📦 <b>Order { $number }</b>
    Service: { $service }
    Link: { $link }
    Quantity: { $quantity }
    Charge: { $charge }
    Status: <b>{ $status }</b>
    Start count: { $start_count }
    Remains: { $remains }
    Refunded: { $refunded }
    Created: { $created }
    Updated: { $updated }
order-cancel-pending = ✖️ Cancellation requested: waiting for the provider to confirm it.
order-unknown-value = —
order-not-found = Order not found.
btn-order-refresh = 🔄 Refresh
btn-order-open = 📦 Order details
btn-order-refill = ♻️ Refill
btn-order-cancel = ✖️ Cancel order
btn-order-cancel-yes = ✅ Yes, cancel it
btn-order-cancel-no = ⬅️ No, keep it
order-cancel-confirm = Cancel order { $number }?
    The provider stops it if it can; whatever was not delivered returns to your balance once the provider confirms.

## Refresh, refill and cancel results

order-refreshed = Status updated.
order-refunded = 💸 Order { $number }: { $status }. { $amount } returned to your balance.
order-provider-unreachable = ⚠️ Could not reach the provider right now. Showing the saved data; please try again later.
refill-requested = ♻️ Refill requested for order { $number }. The provider will restore what dropped.
refill-in-progress = ♻️ A refill of this order is already in progress.
refill-rejected = The provider refused the refill: { $reason }
refill-not-allowed = This order cannot be refilled.
refill-unavailable = ⚠️ Could not reach the provider; the refill was not requested. Please try again later.
refill-unknown = ⚠️ The provider did not confirm the refill. We will check it; please do not request it again.
cancel-requested = ✖️ Cancellation requested for order { $number }. When the provider confirms it, the undelivered part returns to your balance automatically.
cancel-already-requested = ✖️ The cancellation of order { $number } is already requested. When the provider confirms it, the undelivered part returns to your balance automatically.
cancel-rejected = The provider refused to cancel: { $reason }
cancel-not-allowed = This order can no longer be canceled.
cancel-unavailable = ⚠️ Could not reach the provider; the cancellation was not requested. Please try again later.
cancel-unknown = ⚠️ The provider did not confirm the cancellation. Check the order's status again in a few minutes.

## Balance

balance-title = 💰 <b>Your balance: { $amount }</b>
balance-history = <b>Latest activity</b>
balance-no-history = No activity yet.
balance-line = { $date } · <b>{ $amount }</b> · { $what }
ledger-order = Order { $number }
ledger-refund = Refund of order { $number }
ledger-topup = Top-up
ledger-credit = Credit from the shop
ledger-debit = Correction by the shop
ledger-payment_refund = Payment refunded
btn-topup = ➕ Top up
btn-balance-back = ⬅️ Balance

## Admin: /credit

credit-usage = Usage: <code>/credit USER_ID AMOUNT [reason]</code>
    USER_ID is the customer's Telegram ID; a negative AMOUNT is a debit. At most { $decimals } decimals.
credit-unknown-user = No customer with Telegram ID <code>{ $user }</code>: they must start the bot first.
credit-done = ✅ { $amount } applied to <code>{ $user }</code>. New balance: { $balance }
credit-duplicate = This command was already applied. Balance of <code>{ $user }</code>: { $balance }
credit-insufficient = ❌ Refused: the balance of <code>{ $user }</code> is { $balance }, less than { $amount }.
credit-received = 💰 { $amount } was added to your balance by the shop. New balance: { $balance }
credit-received-note = 💰 { $amount } was added to your balance by the shop. New balance: { $balance }
    Note: { $reason }
debit-received = 💰 The shop deducted { $amount } from your balance. New balance: { $balance }
debit-received-note = 💰 The shop deducted { $amount } from your balance. New balance: { $balance }
    Note: { $reason }

## Refills that got no answer (bot/jobs/refills.py)

refill-retry-allowed = ♻️ The provider did not confirm the refill of order <b>#{ $order_id }</b>. You can request it again from the order's details.
admin-refills-resolved = ♻️ { $count ->
    [one] One refill
   *[other] { $count } refills
} had no answer from the panel for too long and { $count ->
    [one] was
   *[other] were
} resolved ("failed": the customer may ask again):
    { $refills }
