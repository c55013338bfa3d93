notify-order-started = 🚀 بدأ تنفيذ الطلب <b>{ ORDER($order_id) }</b> ({ $service }).
notify-order-completed = ✅ اكتمل الطلب <b>{ ORDER($order_id) }</b> ({ $service }). شكرًا لتسوقك معنا!
notify-order-partial = ⚠️ اكتمل الطلب <b>{ ORDER($order_id) }</b> ({ $service }) جزئيًا: تم تنفيذ { $delivered }. أُعيد { LTR($refunded) } إلى رصيدك.
notify-order-canceled = ❌ ألغى المزوّد الطلب <b>{ ORDER($order_id) }</b> ({ $service }). أُعيد { LTR($refunded) } إلى رصيدك.
notify-refill-completed = 🔄 اكتملت إعادة تعبئة الطلب <b>{ ORDER($order_id) }</b>.
notify-refill-rejected = 🔄 رفض المزوّد إعادة تعبئة الطلب <b>{ ORDER($order_id) }</b>.
admin-low-balance = 🔻 رصيد اللوحة <b>{ LTR($panel) }</b> منخفض: { LTR($balance) } (حد التنبيه { LTR($threshold) }). اشحن الرصيد كي تستمر الطلبات.
admin-balance-recovered = 🔺 عاد رصيد اللوحة <b>{ LTR($panel) }</b> إلى { LTR($balance) }.
admin-orders-held = { $count ->
    [zero] ⏸ لا توجد طلبات معلّقة.
    [one] ⏸ طلب واحد انقطع أثناء إرساله إلى اللوحة وهو معلّق للمراجعة: { LTR($orders) }.
    [two] ⏸ طلبان انقطعا أثناء إرسالهما إلى اللوحة وهما معلّقان للمراجعة: { LTR($orders) }.
    [few] ⏸ { $count } طلبات انقطعت أثناء إرسالها إلى اللوحة وهي معلّقة للمراجعة: { LTR($orders) }.
    [many] ⏸ { $count } طلبًا انقطع أثناء إرساله إلى اللوحة وهي معلّقة للمراجعة: { LTR($orders) }.
   *[other] ⏸ { $count } طلب انقطع أثناء إرساله إلى اللوحة وهي معلّقة للمراجعة: { LTR($orders) }.
} راجعها على اللوحة ثم أرفق رقم طلب اللوحة أو أعد المبلغ.
admin-order-review-partial = ⏸ انتهى الطلب { ORDER($order_id) } جزئيًا لكن اللوحة لم تذكر الكمية المتبقية. الطلب معلّق للمراجعة: أعد قيمة الجزء غير المنفّذ يدويًا.
admin-order-review-bad-rows = ⏸ الطلب { ORDER($order_id) }: تعذّر استخدام سطر حالته من اللوحة في دورات استعلام متتالية عددها { $cycles }. الطلب معلّق للمراجعة ولم يُرَدّ أي مبلغ: راجعه على اللوحة. آخر خطأ: { LTR($detail) }
admin-order-review-unknown-status = ⏸ الطلب { ORDER($order_id) }: تُبلغ اللوحة منذ مدة طويلة عن الحالة «{ LTR($detail) }» التي لا يعرفها المتجر. الطلب معلّق للمراجعة ولم يُرَدّ أي مبلغ: راجعه على اللوحة.
admin-order-panel-gave-up = ⚠️ الطلب { ORDER($order_id) }: تخلّت اللوحة عنه (الحالة «{ LTR($status) }»). سُوّي كإلغاء: أُعيد { LTR($refunded) } إلى العميل. راجع اللوحة إن استمرت في إفشال الطلبات.
admin-order-review-gave-up = ⏸ الطلب { ORDER($order_id) }: تخلّت اللوحة عنه (الحالة «{ LTR($detail) }») لكنها تذكر أنه لم يبقَ شيء للتنفيذ. الطلب معلّق للمراجعة ولم يُرَدّ أي مبلغ: راجعه على اللوحة.
admin-panel-bad-key = 🔑 رفضت اللوحة <b>{ LTR($panel) }</b> مفتاح API الخاص بالمتجر ({ LTR($action) }): { LTR($message) }. راجع المفتاح في PANELS.
admin-panel-no-funds = 💸 نفد رصيد اللوحة <b>{ LTR($panel) }</b> ({ LTR($action) }): { LTR($message) }. اشحن رصيدها؛ يُبلَّغ العملاء أن المزوّد غير متاح مؤقتًا.
