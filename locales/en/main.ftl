welcome = 👋 Welcome, { $name }! Here you can buy followers, likes, views and more for your social accounts.
menu-title = 🏪 <b>Main menu</b>
    Choose what you want to do:
menu-new-order = 🛒 New order
menu-orders = 📦 My orders
menu-balance = 💰 Balance
menu-language = 🌐 Language
menu-help = ❓ Help
btn-menu = 🏠 Main menu
btn-back = ⬅️ Back
btn-cancel = ✖️ Cancel
cancelled = ✖️ Cancelled.
nothing-to-cancel = There is nothing to cancel.
help-text = ❓ <b>How it works</b>
    1. Tap “New order”, pick a category and a service.
    2. Send the link and the quantity; check the price and confirm.
    3. Follow your order in “My orders”: you get a message when it starts and when it is done.
    If the provider delivers less than ordered or cancels, the rest of the money returns to your balance automatically.
    Prices are in { $currency }. Type part of a service name at any time to search.
    /cancel stops what you are doing; /menu shows the menu.
language-choose = 🌐 Choose your language:
language-set = Language changed.
throttled = ⏳ Too many requests — please slow down a little.
banned = ⛔ Your access to this shop has been suspended.
stale-button = This button is no longer active. Open the menu with /menu.
unknown-input = I did not understand that. Use the menu below.
