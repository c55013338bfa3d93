## Shop front: catalog, search and the order wizard.

btn-prev = ◀️
btn-next = ▶️
btn-order = 🛒 Order
btn-browse = 📂 Browse categories
btn-yes = ✅ Yes
btn-no = ❌ No
btn-skip = ⏭ Skip
btn-confirm = ✅ Confirm order
btn-top-up = 💰 Top up balance
btn-continue-order = 🛒 Continue your order

badge-refill = ♻️ Refill
badge-cancel = 🚫 Cancellable
badge-dripfeed = 💧 Drip-feed
badge-not-orderable = ⚠️ Not available to order

catalog-empty = 😔 No services are available right now. Please check back later.
catalog-categories = 📂 <b>Choose a category</b> ({ $count ->
    [one] 1 category
   *[other] { $count } categories
})
catalog-gone = This list has changed. Here are the current categories.
svc-page-title = 📂 <b>{ $category }</b> — { $count ->
    [one] 1 service
   *[other] { $count } services
}
svc-line = <b>{ $n }. { $name }</b>
    💵 { $price } { $per ->
        [package] per package · 📦 one package
       *[k] per 1000 · 🔢 { $min }–{ $max }
    }
svc-unavailable = 😔 This service is no longer available. Please choose another one.
card = 🛍 <b>{ $name }</b>
    📂 { $category }
    💵 Price: { $price } { $per ->
        [package] per package
       *[k] per 1000
    }
    { $per ->
        [package] 📦 Sold as one package: one order delivers the whole package.
       *[k] 🔢 Order from { $min } to { $max }
    }
card-description = 📝 { $text }
card-not-orderable = ⚠️ This service cannot be ordered from the bot.
search-title = 🔎 <b>Search results</b> ({ $count ->
    [one] 1 service
   *[other] { $count } services
})
search-none = 🔎 No service matches “{ $query }”. Try another word or browse the categories.

## The order wizard

wz-header = 🛒 <b>{ $service }</b>
wz-ask-link = 🔗 Send the link (a full address starting with https://).
wz-ask-media = 🖼 Send the link to the post whose likers should be mentioned.
wz-ask-quantity = 🔢 How many? Send a number from { $min } to { $max }.
wz-ask-comments = 💬 Send the comments, one per line ({ $min }–{ $max } lines). Each line is one comment.
wz-ask-usernames = 👤 Send the usernames, one per line ({ $min }–{ $max } lines).
wz-ask-hashtags = #️⃣ Send the hashtags, one per line.
wz-ask-keywords = 🔑 Send the keywords, one per line.
wz-ask-groups = 👥 Send the groups to invite from, one per line.
wz-ask-hashtag = #️⃣ Send the hashtag whose users should be mentioned.
wz-ask-username = 👤 Send the username (without spaces; @ is optional).
wz-ask-answer_number = 🗳 Send the number of the poll answer to vote for (from { $min } to { $max }).
wz-ask-drip = 💧 Deliver gradually (drip-feed)? The quantity is then delivered in several runs.
wz-ask-runs = 🔁 How many runs? Send a number from { $min } to { $max }.
wz-ask-interval = ⏱ Minutes between runs? Send a number from { $min } to { $max }.
wz-ask-interval-choice = ⏱ Minutes between runs? This service takes only these intervals: { $allowed }. Choose one below.
wz-ask-min = 🔢 Minimum per post? Send a number from { $min } to { $max }.
wz-ask-max = 🔢 Maximum per post? Send a number from { $min } to { $max }.
wz-ask-posts = 📰 How many new posts should be served? Send a number from { $min } to { $max }.
wz-ask-delay = ⏱ Delay after a new post appears:
wz-ask-expiry = 📅 Expiry date (DD/MM/YYYY), or Skip for none.
wz-delay-choice = { $minutes ->
    [0] No delay
   *[other] { $minutes } min
}

wz-err-empty = ⚠️ Please send text.
wz-err-link-chars = ⚠️ A link cannot contain &lt;, &gt; or ". Copy the address again from the app's Share or Copy link button.
wz-err-bad-link = ⚠️ That is not a valid link. Send a full address such as https://instagram.com/yourname
wz-err-bad-name = ⚠️ That does not look like a username or hashtag: use letters, digits, dots, dashes or underscores, without spaces.
wz-err-not-number = ⚠️ Please send a whole number.
wz-err-out-of-range = ⚠️ The number must be from { $min } to { $max }.
wz-err-lines = ⚠️ You sent { $count ->
    [one] 1 line
   *[other] { $count } lines
}; send from { $min } to { $max } lines.
wz-err-bad-delay = ⚠️ Choose a delay with the buttons (allowed minutes: { $allowed }).
wz-err-bad-interval = ⚠️ This service takes only these intervals (minutes): { $allowed }. Choose one with the buttons.
wz-err-separator = ⚠️ An entry must not contain a comma (,): the provider splits entries at commas, so it would deliver and charge it as several. Send one entry per line, without commas.
wz-err-bad-date = ⚠️ Send the date as DD/MM/YYYY, for example 31/12/2030.
wz-err-past-date = ⚠️ The expiry date must be in the future.
wz-err-changed = ⚠️ This service has changed meanwhile; please answer this step again.

wz-summary-title = 🧾 <b>Order summary</b>
wz-line-link = 🔗 Link: { $value }
wz-line-media = 🖼 Post: { $value }
wz-line-quantity = 🔢 Quantity: { $value }
wz-line-comments = 💬 { $count ->
    [one] 1 comment
   *[other] { $count } comments
}
wz-line-usernames = 👤 { $count ->
    [one] 1 username
   *[other] { $count } usernames
}
wz-line-hashtags = #️⃣ { $count ->
    [one] 1 hashtag
   *[other] { $count } hashtags
}
wz-line-keywords = 🔑 { $count ->
    [one] 1 keyword
   *[other] { $count } keywords
}
wz-line-groups = 👥 { $count ->
    [one] 1 group
   *[other] { $count } groups
}
wz-line-hashtag = #️⃣ Hashtag: { $value }
wz-line-username = 👤 Username: { $handle }
wz-line-answer_number = 🗳 Answer number: { $value }
wz-line-min = 🔢 Minimum per post: { $value }
wz-line-max = 🔢 Maximum per post: { $value }
wz-line-posts = 📰 Posts: { $value }
wz-line-delay = ⏱ Delay: { $value ->
    [0] none
   *[other] { $value } min
}
wz-line-expiry = 📅 Expires: { $value }
wz-line-drip = 💧 Drip-feed: { $runs } runs, every { $interval } min — { $total } in total
wz-line-price = 💵 <b>Price: { $price }</b>
wz-line-balance = 💰 Your balance: { $balance }
wz-line-after = ➡️ Balance after the order: { $balance }
wz-line-missing = ⚠️ Not enough balance: { $missing } missing. Top up, then confirm.

wz-stale = This order form is closed. Start a new order from the menu.
wz-old-button = This button belongs to an earlier step. Use the latest message.
wz-use-buttons = 👇 Please use the buttons below the message.
wz-not-enough = ⚠️ Your balance no longer covers this order.
wz-price-changed = ⚠️ The price of this service changed since you saw it. Please check the new price and confirm again.
wz-placing = ⏳ Placing order #{ $order }…
wz-already-placed = Order #{ $order } has already been placed; it will not be placed twice.
wz-placed = ✅ <b>Order #{ $order } placed.</b>
    { $charge } was taken from your balance. You will get a message when it starts and when it is done.
wz-failed = ❌ <b>Order #{ $order } could not be placed:</b> { $reason }
    { $refund } has been returned to your balance.
wz-review = ⏳ <b>Order #{ $order } is being checked.</b>
    The provider did not answer in time. We are checking whether it was accepted; you will be told the result, and you will never be charged twice.
wz-reason = { $kind ->
    [bad_link] the provider rejected the link. Please check it is correct and public.
    [quantity_out_of_bounds] the quantity is outside what the provider accepts right now.
    [duplicate_active_link] there is already an active order for this link. Wait until it is done.
    [bad_service] this service is temporarily unavailable.
    [not_enough_funds] the provider is temporarily unavailable.
    [bad_key] the provider is temporarily unavailable.
    [unavailable] the provider could not be reached. Please try again later.
    [action_not_supported] this service cannot be ordered right now.
    [not_found] the provider did not accept the order details.
    [refill_not_allowed] the provider refused the order.
    [cancel_not_allowed] the provider refused the order.
    [bad_request] the provider did not accept the order details.
   *[other] the provider refused the order.
}

admin-order-review = ⚠️ <b>Order #{ $order } needs review</b>
    The panel did not answer the order (outcome unknown). It was NOT refunded and will not be resent.
    Customer: { $customer }
    Service: { $service }
    Charge: { $charge }
    Error: { $error }

admin-order-accepted-after-hold = ✅ <b>Order #{ $order } was accepted by the panel after all</b> (panel order <code>{ $panel_order }</code>).
    It had been held for review while its request was still in flight. It is pending again and checked like any other order: do NOT refund it.
admin-order-accepted-after-resolution = 🚨 <b>Order #{ $order }: the panel accepted it after it was resolved</b> (panel order <code>{ $panel_order }</code>).
    It is { $status }, { $refunded } refunded: the customer may get both the service and the refund. Cancel it on the panel, or correct the balance.
admin-review-button-placed = { $number } · { $charge } · ✅ panel { $panel_order }
admin-refund-placed-warning = ⚠️ <b>The panel accepted this order</b>: panel <b>{ $panel }</b>, order <code>{ $panel_order }</code>, last status: { $panel_status }. It may be delivered: check it on the panel first, and refund only what it did not deliver (<code>/refund ORDER AMOUNT</code>).
