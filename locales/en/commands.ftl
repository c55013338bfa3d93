cmd-start = Start the shop
cmd-menu = Main menu
cmd-orders = My orders
cmd-balance = My balance
cmd-language = Change language
cmd-help = How it works
cmd-cancel = Cancel the current step
cmd-credit = Admin: credit a customer
