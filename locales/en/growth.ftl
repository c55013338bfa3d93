## Referrals (bot/shop/referrals.py) and promo codes (bot/shop/promos.py)

menu-invite = 👥 Invite friends
cmd-invite = Invite friends and earn
cmd-promo = Redeem a promo code
cmd-newpromo = Create a promo code
cmd-promos = Promo codes

invite-screen = 👥 <b>Invite friends</b>
    Your personal link:
    { $link }

    Joined through it: { $joined ->
        [0] nobody yet
        [one] one person
       *[other] { $joined } people
    }
    Earned: <b>{ $earned }</b>
invite-reward-on = You get { $percent }% of what each order of theirs finally costs (its price minus any refund), once the order is finished.
invite-reward-off = Rewards for invitations are paused at the moment; friends who join now still count.
invite-help = An admin refund of an order after it finished does not take your reward back.
notify-referral-reward = 🎉 A friend you invited finished an order: <b>{ $amount }</b> was added to your balance.
ledger-referral = Invitation reward
ledger-promo = Promo code
ledger-promo_bonus = Promo code top-up bonus

btn-promo = 🎟 Promo code
promo-ask = 🎟 Send your promo code.
promo-usage = 🎟 Send /promo followed by the code, e.g. /promo WELCOME10
promo-credited = ✅ Code <b>{ $code }</b> redeemed: <b>{ $amount }</b> added. Your balance: <b>{ $balance }</b>
promo-bonus-pending = ✅ Code <b>{ $code }</b> redeemed: your next top-up gets a <b>{ $percent }%</b> bonus.
promo-bonus-paid = 🎁 Promo bonus: <b>{ $amount }</b> added to your balance.
promo-invalid = ❌ That does not look like a promo code (3–32 letters, digits, “-” or “_”). Try again, or /cancel.
promo-not-found = ❌ No such promo code. Check it and try again, or /cancel.
promo-expired = ⌛ Code <b>{ $code }</b> has expired.
promo-exhausted = 🚫 Code <b>{ $code }</b> has been used up.
promo-already = ℹ️ You have already used code <b>{ $code }</b>.
promo-bonus-waiting = ℹ️ A top-up bonus from another code is waiting for your next top-up; use it first.

admin-menu-promos = 🎟 Promo codes
admin-newpromo-usage = Usage:
    /newpromo CODE AMOUNT [uses=N] [days=N] — a balance credit
    /newpromo CODE PERCENT% [uses=N] [days=N] — a bonus on the next top-up
    e.g. /newpromo WELCOME 5 uses=100 days=30
admin-promo-syntax = ❌ I could not read that.
admin-promo-bad_code = ❌ A code is 3–32 letters, digits, “-” or “_”.
admin-promo-bad_amount = ❌ The amount must be positive, with at most { $precision } decimals.
admin-promo-bad_percent = ❌ The percent must be above 0 and at most 100 (e.g. 10%).
admin-promo-bad_uses = ❌ uses= takes a whole number from 1 to 1000000.
admin-promo-bad_days = ❌ days= takes a whole number from 1 to 3650.
admin-promo-exists = ❌ Code { $code } exists already.
admin-promo-created = ✅ Promo code created:
admin-promos-title = 🎟 <b>Promo codes</b> (newest first)
admin-promos-empty = No promo codes yet. Create one with /newpromo or the button below.
admin-promo-credit = { $amount } credit
admin-promo-bonus = { $percent }% top-up bonus
admin-promo-line = <b>{ $code }</b> · { $value } · used { $uses }{ $max } · { $expiry }{ $state }
admin-promo-max = { " " }of { $max }
admin-promo-no-expiry = no expiry
admin-promo-expires = until { $date }
admin-promo-disabled-mark = { " " }· ⛔ disabled
admin-promo-disabled = ⛔ Code { $code } is disabled.
btn-promo-new = ➕ New code
btn-promo-disable = ⛔ Disable { $code }
btn-referral-percent = 👥 Referral reward: { $percent }%
admin-promo-ask-code = 🎟 Send the new code (3–32 letters, digits, “-” or “_”).
admin-promo-ask-value = Send the amount to credit (e.g. 5), or a top-up bonus percent (e.g. 10%).
admin-promo-ask-uses = How many uses in all? Send a number, or “-” for no limit.
admin-promo-ask-days = Valid for how many days? Send a number, or “-” for no expiry.
admin-referral-prompt = 👥 The referral reward is { $percent }% of each finished order of an invited customer. Send the new percent (0 to 100, 0 turns it off), or “-” to go back to REFERRAL_PERCENT ({ $default }%).
admin-referral-invalid = ❌ Send a percent from 0 to 100 with at most 2 decimals, or “-”.
admin-referral-set = ✅ Referral reward: { $percent }%.
