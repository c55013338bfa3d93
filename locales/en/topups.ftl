## Top-ups beyond Stars: the method choice, Crypto Pay, manual transfers

topup-choose-method = ➕ <b>Top up your balance</b>
    Choose how you want to pay.
btn-topup-stars = ⭐ Telegram Stars
btn-topup-crypto = 💎 Crypto (@CryptoBot)
btn-topup-transfer = 🏦 { $name }

crypto-choose-amount = 💎 <b>Pay with crypto</b>
    You pay in @CryptoBot with { $assets }. Choose an amount, or type your own from { $min } to { $max }.
crypto-enter-amount = ✏️ Type the amount to add to your balance: from { $min } to { $max }.
crypto-invoice-description = Balance top-up: { $amount }
crypto-invoice-failed = ⚠️ Could not create the crypto invoice right now. Please try again later.
crypto-invoice = 💎 <b>Invoice #{ $invoice_id }</b> for { $amount }
    Pay it in @CryptoBot with the button below within { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }. Your balance is credited as soon as the payment arrives.
btn-crypto-pay = 💎 Pay in @CryptoBot
crypto-paid = ✅ <b>Crypto payment received</b>
    Added to your balance: <b>{ $amount }</b>
    New balance: <b>{ $balance }</b>
    Top-up ID: <code>{ $id }</code>
crypto-expired = ⌛ Your crypto invoice for { $amount } expired unpaid. Create a new one from Top up when you are ready.

transfer-instructions = 🏦 <b>{ $name }</b>
    { $instructions }

    Transfer from { $min } to { $max }, then type the amount you transferred (in { $currency }).
transfer-method-gone = This payment method is no longer available. Please choose another one from Top up.
transfer-amount-invalid = That is not an amount. Type the number you transferred, e.g. { $min }.
transfer-amount-too-small = The smallest transfer is { $min }.
transfer-amount-too-large = The largest transfer is { $max }.
transfer-send-receipt = 🧾 You transferred <b>{ $paid }</b>: { $amount } will be added to your balance once an administrator checks it.
    Now send a photo or a file of the transfer receipt.
transfer-receipt-needed = 🧾 Please send the receipt as a photo or a file.
transfer-too-many = ⏳ You already have { $count ->
        [one] { $count } transfer
       *[other] { $count } transfers
    } waiting for review. Please wait until they are checked.
transfer-received = ✅ Receipt received (request <code>{ $id }</code>). An administrator will check it soon; you will get a message either way.
transfer-approved = ✅ <b>Your transfer was approved</b> (request <code>{ $id }</code>)
    Added to your balance: <b>{ $amount }</b>
    New balance: <b>{ $balance }</b>
transfer-rejected = ❌ Your transfer (request <code>{ $id }</code>) was not approved.
    Reason: { $reason }

## Admin: receipts and methods

admin-menu-transfers = 🏦 Transfers
btn-transfer-approve = ✅ Approve
btn-transfer-edit = ✏️ Edit amount
btn-transfer-reject = ❌ Reject
btn-transfer-pending = 🧾 #{ $id } · { $user_id } · { $amount }
btn-transfer-method-on = 🟢 { $name } (tap to disable)
btn-transfer-method-off = ⚪ { $name } (tap to enable)
btn-transfer-method-add = ➕ Add a method
transfer-console = 🏦 <b>Manual transfers</b>
    Waiting for review: { $count }. Methods: { $methods }.
transfer-admin-receipt = 🧾 <b>Transfer request #{ $id }</b>
    Customer: <code>{ $user_id }</code>
    Method: { $method }
    Transferred: { $paid }
    To credit: <b>{ $amount }</b>
transfer-admin-already = This request was already handled (status: { $status }).
transfer-admin-approved = ✅ Request #{ $id } approved: { $amount } credited to <code>{ $user_id }</code>.
transfer-admin-ask-reason = ✏️ Type the reason for rejecting request #{ $id }; the customer receives it.
transfer-admin-rejected = ❌ Request #{ $id } of <code>{ $user_id }</code> rejected; the customer was told.
transfer-admin-ask-amount = ✏️ Request #{ $id } ({ $paid }) would credit { $amount }. Type the amount to credit instead.
transfer-admin-amount-invalid = That is not an amount for this shop's currency. Type it again.
transfer-admin-amount-set = ✏️ Request #{ $id } will credit <b>{ $amount }</b> when approved.
transfer-admin-method-help = ➕ Send the new method in one message, one field per line:
    1. name in English
    2. name in Arabic
    3. instructions in English (e.g. the account number)
    4. instructions in Arabic
    5. minimum amount
    6. maximum amount
    7. (optional) rate: shop currency per unit transferred
    8. (optional, with 7) the transferred currency's code, e.g. IQD
transfer-admin-method-shape = That is not 6 or 8 non-empty lines. Send the method again.
transfer-admin-method-amounts = The minimum, maximum or rate is not a positive number (or the minimum exceeds the maximum). Send the method again.
transfer-admin-method-added = ✅ Method “{ $name }” added and enabled.

## The balance history: a top-up by its method
ledger-topup-stars = Top-up · Telegram Stars
ledger-topup-crypto = Top-up · crypto
ledger-topup-manual = Top-up · transfer

## Admin stats: top-ups by method
stats-topups-header = <b>Top-ups</b> (credited, all time)
stats-topup-method = { $method }: { $amount } ({ $count ->
        [one] { $count } top-up
       *[other] { $count } top-ups
    })
