## When Telegram fails under a handler (handlers/telegram_errors.py)

tg-fault-reply = ⚠️ Telegram did not take my reply just now, so part of it may be missing. Your last step may or may not have gone through: check /orders or /balance before repeating it.
tg-fault-reply-admin = ⚠️ Telegram did not take my reply to your last step ({ $reason }). It may or may not have been applied: check before repeating it.
tg-reason-no-answer = Telegram did not answer
tg-reason-flood = Telegram asks to wait { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
}
tg-chart-failed = ⚠️ The chart could not be sent ({ $reason }); the figures above are complete.
tg-customer-not-told = ⚠️ The customer could not be told (Telegram did not deliver the message, or they blocked the bot).
