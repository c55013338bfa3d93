notify-order-started = 🚀 Order <b>#{ $order_id }</b> ({ $service }) has started.
notify-order-completed = ✅ Order <b>#{ $order_id }</b> ({ $service }) is completed. Thank you for shopping with us!
notify-order-partial = ⚠️ Order <b>#{ $order_id }</b> ({ $service }) was completed partially: { $delivered } delivered. { $refunded } has been returned to your balance.
notify-order-canceled = ❌ Order <b>#{ $order_id }</b> ({ $service }) was canceled by the provider. { $refunded } has been returned to your balance.
notify-refill-completed = 🔄 The refill of order <b>#{ $order_id }</b> is completed.
notify-refill-rejected = 🔄 The refill of order <b>#{ $order_id }</b> was not accepted by the provider.
admin-low-balance = 🔻 Panel <b>{ $panel }</b> balance is low: { $balance } (alert below { $threshold }). Top it up so orders keep flowing.
admin-balance-recovered = 🔺 Panel <b>{ $panel }</b> balance is back to { $balance }.
admin-orders-held = { $count ->
    [one] ⏸ One order was interrupted while being sent to the panel and is held for review: { $orders }.
   *[other] ⏸ { $count } orders were interrupted while being sent to the panel and are held for review: { $orders }.
} Check them on the panel, then attach the panel order ID or refund.
admin-order-review-partial = ⏸ Order #{ $order_id } ended partial but the panel did not say how much remains. It is held for review: refund the undelivered part by hand.
admin-order-review-bad-rows = ⏸ Order #{ $order_id }: the panel's status row for it could not be used { $cycles } poll cycles in a row. It is held for review, nothing was refunded: check it on the panel. Last error: { $detail }
admin-order-review-unknown-status = ⏸ Order #{ $order_id }: the panel has reported the status “{ $detail }”, which the shop does not know, for too long. It is held for review, nothing was refunded: check it on the panel.
admin-order-panel-gave-up = ⚠️ Order #{ $order_id }: the panel gave up on it (status “{ $status }”). It was settled like a cancellation: { $refunded } returned to the customer. Check the panel if it keeps failing orders.
admin-order-review-gave-up = ⏸ Order #{ $order_id }: the panel gave up on it (status “{ $detail }”) yet reports nothing left to deliver. It is held for review, nothing was refunded: check it on the panel.
admin-panel-bad-key = 🔑 Panel <b>{ $panel }</b> refused the shop's API key ({ $action }): { $message }. Check the key in PANELS.
admin-panel-no-funds = 💸 Panel <b>{ $panel }</b> is out of funds ({ $action }): { $message }. Top it up; customers are told the provider is temporarily unavailable.
