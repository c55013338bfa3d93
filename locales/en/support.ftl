menu-support = 💬 Support
cmd-support = Write to support
support-intro =
    💬 <b>Support</b>
    Write your question here: text, photos, documents and other files all reach our team. Their answers arrive in this chat.
    Tap «🏠 Main menu» when you are done.
support-opened = ✅ Your message reached our support team. We will answer here as soon as we can; you can keep writing.
support-slow-down = ⏳ Please slow down: at most { $count ->
    [one] one message
   *[other] { $count } messages
} a minute reach support. Wait a moment, then send the rest.
support-failed = ⚠️ Your message could not reach support right now. Please try again in a few minutes.
support-not-copyable = ⚠️ This kind of message cannot be passed on to support. Send text, a photo or a document.
support-closed-customer = ✅ Your support ticket was closed. Need anything else? Write again via «💬 Support» at any time.
support-header =
    🎫 <b>Ticket #{ $ticket_id }</b>
    👤 { $name } ({ $username }) · ID <code>{ $telegram_id }</code> · { $language }
    💰 Balance: { $balance }
    📦 Latest orders:
support-header-order = { ORDER($number) } · { $status } · { $service } · { $charge }
support-header-no-orders = none yet
support-header-blocked = 🚫 <b>The customer blocked the bot</b>: answers cannot reach them.
support-header-closed = ✅ <b>Closed.</b>
support-btn-close = ✅ Close ticket
support-closed-staff = ✅ Ticket closed by { $name }. The customer was told they can write again at any time.
support-closed-button = ✅ Ticket closed.
support-already-closed = This ticket is closed already.
support-close-where = Use /close inside a customer's topic.
support-staff-ticket-closed = ⚠️ This ticket is closed: the answer was not sent. The customer's next message opens a new one.
support-staff-blocked = 🚫 The customer blocked the bot: the answer was not delivered.
support-staff-not-delivered = ⚠️ Telegram did not deliver the answer to the customer. Try again.
