## Top-up with Telegram Stars

pay-stars = { $stars ->
    [one] 1 Star
   *[other] { $stars } Stars
}
topup-title = ➕ <b>Top up your balance</b>
    You pay in Telegram Stars ⭐. Rate: { $unit } = { $rate } ⭐
    Choose an amount, or enter your own from { $min } to { $max }.
btn-topup-preset = { $amount } · { $stars } ⭐
btn-topup-custom = ✏️ Other amount
btn-topup-back = ⬅️ Top up
topup-enter-amount = ✏️ Type the amount to add to your balance, in { $currency }: from { $min } to { $max }.
    Rate: { $unit } = { $rate } ⭐
topup-amount-invalid = That is not an amount. Type a number such as { $example }.
topup-amount-too-precise = { $decimals ->
    [0] Whole numbers only, please.
    [1] At most one decimal, please.
   *[other] At most { $decimals } decimals, please.
}
topup-amount-too-small = The smallest top-up is { $min }.
topup-amount-too-large = The largest top-up is { $max }.
topup-invoice-title = Top up { $amount }
topup-invoice-description = { $amount } added to your shop balance for { $stars }. Rate: { $unit } = { $rate } Stars.
topup-invoice-label = Balance top-up
topup-invoice-failed = ⚠️ Could not create the invoice right now. Please try again later.

## Checkout

pay-refused-invalid = This invoice is not valid. Please open Top up in the bot and create a new one.
pay-refused-wrong-user = This invoice was made for another customer. Please create your own in the bot.
pay-refused-total = The price of this invoice does not match. Please create a new one in the bot.
pay-refused-banned = Your access to this shop is suspended, so payments are not accepted.
pay-receipt = ✅ <b>Payment received</b>
    Added to your balance: <b>{ $amount }</b>
    Paid: { $stars }
    New balance: <b>{ $balance }</b>
    Payment ID (quote it to support): <code>{ $charge_id }</code>
pay-unmatched = ⚠️ We received your payment but could not match it to a top-up. An administrator will look into it. Quote this payment ID in /paysupport: <code>{ $charge_id }</code>
pay-admin-unmatched = ⚠️ A Stars payment could not be matched to a top-up and was not credited: customer <code>{ $user_id }</code>, { $stars } ⭐, payment ID <code>{ $charge_id }</code>. Refund it with /refundstars if needed.
pay-refunded-by-shop = ↩️ The shop refunded your payment <code>{ $charge_id }</code>: { $stars } returned to you and { $amount } deducted from your balance. New balance: { $balance }
pay-refunded-by-telegram = ↩️ Telegram refunded your payment <code>{ $charge_id }</code> ({ $stars }). { $amount } was deducted from your balance. New balance: { $balance }
pay-admin-shortfall = ⚠️ Telegram refunded payment <code>{ $charge_id }</code> of customer <code>{ $user_id }</code> ({ $stars } ⭐, { $credited } credited), but part of it was already spent. Debited { $debited }; shortfall { $shortfall } (recorded on the payment).

## /paysupport and /terms

paysupport-text = 🛟 <b>Help with a payment</b>
    If a payment went wrong (you paid but your balance did not grow, or you were charged twice), contact the shop administrator and send them:
    • the payment ID from your receipt (it looks like <code>stxABC…</code>),
    • your Telegram ID: <code>{ $telegram_id }</code>.
    Every payment is credited once and can be checked by its ID. Telegram's own support cannot help with purchases made in this bot.
terms-text = 📄 <b>Terms of payment</b>
    • Telegram Stars buy balance in this shop ({ $currency }) at the rate shown before you pay: { $unit } = { $rate } ⭐. The balance pays for orders of the shop's services.
    • A top-up is credited to your balance right after the payment; its receipt carries the payment ID.
    • Refunds: a top-up can be refunded in Stars only while it is unspent (your balance still covers it); the refunded amount is deducted from your balance. Spent balance is not refundable in Stars; failed or canceled orders return their money to your balance automatically.
    • For help with a payment use /paysupport.

## Admin: /refundstars

refundstars-usage = Usage: <code>/refundstars CHARGE_ID</code>
    CHARGE_ID is the payment ID from the customer's receipt. The refund is allowed only while the credited amount is unspent; it is deducted from the customer's balance.
refundstars-not-found = No Stars payment with ID <code>{ $charge_id }</code>.
refundstars-spent = ❌ Refused: the balance of <code>{ $user_id }</code> is { $balance }, less than the { $amount } this payment credited. A payment can be refunded only while unspent.
refundstars-done = ✅ Refunded { $stars } ⭐ to <code>{ $user_id }</code>; { $amount } deducted. New balance: { $balance }
refundstars-already = This payment is not refundable any more (status: { $status }).
refundstars-refused = ❌ Telegram refused the refund: { $reason }. The { $amount } was returned to the balance of <code>{ $user_id }</code>.
refundstars-unknown = ⚠️ The refund’s outcome is unknown ({ $reason }): it may or may not have happened. The { $amount } stays held from the balance of <code>{ $user_id }</code> and the payment stays “refunding”. Check later or send the same command again: a refund that did happen is recognised, never made twice.

## Commands

cmd-paysupport = Help with a payment
cmd-terms = Terms of payment
cmd-refundstars = Admin: refund a Stars payment
refundstars-flood = ⏳ Telegram asks to wait { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
} before this refund: nothing was refunded yet. The { $amount } stays held from the balance of <code>{ $user_id }</code>; send the same command again after that.
refundstars-customer-not-told = ⚠️ The customer <code>{ $user_id }</code> could not be told about the refund (Telegram did not deliver the message).

## The customer's history: a Stars refund not confirmed by Telegram
ledger-stars-refund-held = Held for a Stars refund (awaiting Telegram)
ledger-stars-refund-released = Stars refund not made: amount returned
