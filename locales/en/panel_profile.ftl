## Admin panel screen: each panel's dialect profile (how it differs from the documented API)

panel-profile-documented = ⚙️ API: as documented
panel-profile-title = ⚙️ API:
panel-profile-learned = (learned)
panel-profile-pinned = (📌 PANELS)
panel-profile-yes = yes
panel-profile-no = no
panel-profile-unknown = not known yet
panel-profile-multi-status = status of several orders: <code>{ $value }</code>
panel-profile-multi-refill = several refills: <code>{ $value }</code>
panel-profile-multi-refill-status = several refill statuses: <code>{ $value }</code>
panel-profile-refill-param = refill names the order as <code>{ $value }</code>
panel-profile-v1-refill = v1 refill and cancel: { $value }
panel-profile-dripfeed-flag = sends dripfeed=1: { $value }
panel-profile-dripfeed-intervals = drip-feed intervals: { $value }
panel-profile-package-quantity = quantity=1 for packages: { $value }
panel-profile-comment-separator = comments split on <code>{ $value }</code>
panel-profile-media-field = media field <code>{ $value }</code>
