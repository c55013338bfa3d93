cmd-broadcast = Admin: message every customer
bc-ask-message =
    📣 <b>New broadcast</b>
    Send me the message for your customers: text, or a photo, video or file with a caption. It is copied exactly as you send it, formatting included.
bc-ask-buttons =
    Add link buttons under it? Send one button per line:
    <code>Text - https://example.com</code>
    Several buttons on one row: <code>Shop - https://a.example | Help - https://b.example</code>
    Or press Skip.
bc-buttons-invalid =
    I could not read those buttons. Send one per line as <code>Text - https://example.com</code> (at most 10 rows of 4 buttons; links start with https://, http:// or tg://), or press Skip.
bc-preview-failed = ⚠️ Telegram cannot copy that message ({ $reason }). Send another message.
bc-preview-failed-buttons = ⚠️ Telegram refused these buttons ({ $reason }). Send other buttons, or press Skip.
bc-preview =
    ☝️ That is the preview. It will be copied to { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    } at { $rate } messages per second.
    Paid broadcast: off.
bc-preview-paid =
    ☝️ That is the preview. It will be copied to { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    } at up to { $rate } messages per second.
    Paid broadcast: on. Telegram charges 0.1 ⭐ per message above the free limit, from the bot's Stars balance.
bc-btn-skip = ⏭ Skip
bc-btn-abort = ✖️ Discard
bc-btn-send = ✅ Send now
bc-btn-paid-off = 💸 Paid broadcast: off
bc-btn-paid-on = 💸 Paid broadcast: on
bc-btn-pause = ⏸ Pause
bc-btn-resume = ▶️ Resume
bc-btn-cancel = ⏹ Cancel
bc-discarded = Broadcast discarded; nothing was sent.
bc-not-draft = This broadcast was already started or discarded.
bc-not-now = This broadcast cannot do that now; it may have finished.
bc-pause-ok = Pausing…
bc-resume-ok = Resuming…
bc-cancel-ok = Canceling…
bc-state-running = sending
bc-state-paused = paused
bc-state-done = finished
bc-state-canceled = canceled
bc-progress =
    📣 <b>Broadcast #{ $id }</b>: { $state }
    { $bar } { $percent }%
    ✅ Sent: { $sent } · 🚫 Blocked: { $blocked } · ⚠️ Failed: { $failed } · ⏳ Pending: { $pending }
    Recipients: { $total } · Time left: { $eta }
bc-report-done =
    ✅ Broadcast #{ $id } finished in { $duration }.
    Sent: { $sent } · Blocked: { $blocked } · Failed: { $failed } · Recipients: { $total }
bc-report-canceled =
    ⏹ Broadcast #{ $id } canceled after { $duration }.
    Sent: { $sent } · Blocked: { $blocked } · Failed: { $failed } · Not sent: { $pending } · Recipients: { $total }
bc-preview-unavailable = ⚠️ Telegram did not show the preview ({ $reason }). Your message is kept: press Skip, or send the buttons again, to try again.
