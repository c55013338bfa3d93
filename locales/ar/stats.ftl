cmd-stats = للمشرف: إحصاءات المتجر
stats-title = 📊 <b>إحصاءات المتجر</b>
stats-users = 👤 المستخدمون: { $total } · النشطون: { $active } · الجدد اليوم: { $today } · خلال 7 أيام: { $week } · خلال 30 يومًا: { $month }
stats-money-header = <b>المال</b> (الإيرادات = المبالغ المدفوعة ناقص المستردّة؛ التكلفة = ما تحتسبه اللوحات × سعر الصرف)
stats-period-today = اليوم
stats-period-week = 7 أيام
stats-period-month = 30 يومًا
stats-money =
    <b>{ $period }</b>: { $orders ->
        [zero] لا طلبات
        [one] طلب واحد
        [two] طلبان
        [few] { $orders } طلبات
        [many] { $orders } طلبًا
       *[other] { $orders } طلب
    }
      الإيرادات { LTR($revenue) } · التكلفة { LTR($cost) } · الربح { LTR($profit) }
stats-orders-header = <b>الطلبات حسب الحالة</b> (منذ البداية)
stats-order-state = { $state }: { $count }
stats-top-header = <b>الخدمات الأعلى</b> (بالإيرادات، آخر 30 يومًا)
stats-top-line = { $rank }. { $name }: { LTR($revenue) } ({ $orders ->
        [zero] لا طلبات
        [one] طلب واحد
        [two] طلبان
        [few] { $orders } طلبات
        [many] { $orders } طلبًا
       *[other] { $orders } طلب
    })
stats-none = —
stats-chart-caption = آخر { $days } يومًا، حسب اليوم بتوقيت UTC. في الأعلى (بالأزرق): الطلبات في اليوم. في الأسفل (بالأخضر): الإيرادات في اليوم بعملة { LTR($currency) }.
