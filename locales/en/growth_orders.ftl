## Order again (My orders → an order's card)

btn-order-again = 🔁 Order again
oa-notice = 🔁 Same as order { $number }, at today's price.
oa-unavailable = 😔 Order { $number } cannot be repeated: its service is no longer available. Please choose another one in the catalog.
oa-out-of-range = ⚠️ This service has changed since order { $number }: it now takes { $min } to { $max }. Please answer this step again.
oa-changed = ⚠️ This service has changed since order { $number }. Please answer this step again.

## Paste a link (a link sent outside the wizard)

pl-platform = { $platform ->
    [instagram] Instagram
    [tiktok] TikTok
    [youtube] YouTube
    [telegram] Telegram
    [x] X (Twitter)
    [facebook] Facebook
    [threads] Threads
    [spotify] Spotify
    [twitch] Twitch
    [discord] Discord
   *[other] { $platform }
}
pl-kind = { $kind ->
    [profile] profile
    [post] post
    [video] video
    [channel] channel or group
    [story] story
    [track] track
    [playlist] playlist
   *[other] link
}
pl-title = 🔗 <b>{ $platform }</b> { $kind } — { $count ->
    [one] 1 service for this link
   *[other] { $count } services for this link
}
    Choose one: the link is already filled in.
pl-none = 🔗 No service for this link yet. Have a look at the catalog.
pl-stale = ⌛ That list is for an older link. Please send the link again.
