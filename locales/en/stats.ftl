cmd-stats = Admin: shop statistics
stats-title = 📊 <b>Shop statistics</b>
stats-users = 👤 Users: { $total } · active: { $active } · new today: { $today } · 7 days: { $week } · 30 days: { $month }
stats-money-header = <b>Money</b> (revenue = charged minus refunded; cost = panel charges × currency rate)
stats-period-today = Today
stats-period-week = 7 days
stats-period-month = 30 days
stats-money =
    <b>{ $period }</b>: { $orders ->
        [one] { $orders } order
       *[other] { $orders } orders
    }
      revenue { $revenue } · cost { $cost } · profit { $profit }
stats-orders-header = <b>Orders by status</b> (all time)
stats-order-state = { $state }: { $count }
stats-top-header = <b>Top services</b> (revenue, 30 days)
stats-top-line = { $rank }. { $name }: { $revenue } ({ $orders ->
        [one] { $orders } order
       *[other] { $orders } orders
    })
stats-none = —
stats-chart-caption = Last { $days } days, by UTC day. Top (blue): orders per day. Bottom (green): revenue per day in { $currency }.
