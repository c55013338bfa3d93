## طلباتي: القائمة

orders-title = 📦 <b>طلباتي</b> — { $count ->
    [zero] لا توجد طلبات
    [one] طلب واحد
    [two] طلبان
    [few] { $count } طلبات
    [many] { $count } طلبًا
   *[other] { $count } طلب
}
orders-page = الصفحة { $page } من { $pages }. اضغط على طلب لعرض تفاصيله.
orders-empty = 📦 لا توجد لديك طلبات بعد. اضغط «طلب جديد» لإنشاء أول طلب.
orders-button = { LTR($number) } · { $status } · { $service }
btn-orders-prev = ➡️ السابق
btn-orders-next = التالي ⬅️
btn-orders-back = ➡️ طلباتي

## حالات الطلب كما يراها العميل

order-status-submitting = 📤 جارٍ الإرسال
order-status-pending = 🕒 قيد الانتظار
order-status-in_progress = ⏳ قيد التنفيذ
order-status-processing = ⚙️ قيد المعالجة
order-status-completed = ✅ مكتمل
order-status-partial = 🌓 مكتمل جزئيًا
order-status-canceled = 🚫 ملغى
order-status-refunded = 💸 مسترد
order-status-failed = ❌ فشل
order-status-review = 🔎 قيد المراجعة

## طلب واحد

order-details = 📦 <b>الطلب { LTR($number) }</b>
    الخدمة: { $service }
    الرابط: { LTR($link) }
    الكمية: { LTR($quantity) }
    المبلغ: { LTR($charge) }
    الحالة: <b>{ $status }</b>
    العدد عند البدء: { LTR($start_count) }
    المتبقي: { LTR($remains) }
    المبلغ المسترد: { LTR($refunded) }
    تاريخ الإنشاء: { LTR($created) }
    آخر تحديث: { LTR($updated) }
order-cancel-pending = ✖️ تم طلب الإلغاء: بانتظار تأكيد المزوّد.
order-unknown-value = —
order-not-found = الطلب غير موجود.
btn-order-refresh = 🔄 تحديث
btn-order-open = 📦 تفاصيل الطلب
btn-order-refill = ♻️ إعادة تعبئة
btn-order-cancel = ✖️ إلغاء الطلب
btn-order-cancel-yes = ✅ نعم، ألغِه
btn-order-cancel-no = ➡️ لا، أبقِه
order-cancel-confirm = هل تريد إلغاء الطلب { LTR($number) }؟
    يوقفه المزوّد إن أمكن، ويعود ما لم يُنفَّذ إلى رصيدك بعد تأكيد المزوّد.

## نتائج التحديث وإعادة التعبئة والإلغاء

order-refreshed = تم تحديث الحالة.
order-refunded = 💸 الطلب { LTR($number) }: { $status }. أُعيد { LTR($amount) } إلى رصيدك.
order-provider-unreachable = ⚠️ تعذّر الاتصال بالمزوّد حاليًا. نعرض البيانات المحفوظة؛ حاول مرة أخرى لاحقًا.
refill-requested = ♻️ تم طلب إعادة التعبئة للطلب { LTR($number) }. سيعوّض المزوّد ما نقص.
refill-in-progress = ♻️ إعادة تعبئة هذا الطلب جارية بالفعل.
refill-rejected = رفض المزوّد إعادة التعبئة: { $reason }
refill-not-allowed = لا يمكن إعادة تعبئة هذا الطلب.
refill-unavailable = ⚠️ تعذّر الاتصال بالمزوّد؛ لم يُرسل طلب إعادة التعبئة. حاول مرة أخرى لاحقًا.
refill-unknown = ⚠️ لم يؤكّد المزوّد إعادة التعبئة. سنتحقق من ذلك؛ لا تطلبها مرة أخرى من فضلك.
cancel-requested = ✖️ تم طلب إلغاء الطلب { LTR($number) }. عند تأكيد المزوّد يعود الجزء غير المنفَّذ إلى رصيدك تلقائيًا.
cancel-already-requested = ✖️ سبق أن طلبت إلغاء الطلب { LTR($number) }. عند تأكيد المزوّد يعود الجزء غير المنفَّذ إلى رصيدك تلقائيًا.
cancel-rejected = رفض المزوّد الإلغاء: { $reason }
cancel-not-allowed = لم يعد بالإمكان إلغاء هذا الطلب.
cancel-unavailable = ⚠️ تعذّر الاتصال بالمزوّد؛ لم يُرسل طلب الإلغاء. حاول مرة أخرى لاحقًا.
cancel-unknown = ⚠️ لم يؤكّد المزوّد الإلغاء. تحقّق من حالة الطلب بعد بضع دقائق.

## الرصيد

balance-title = 💰 <b>رصيدك: { LTR($amount) }</b>
balance-history = <b>آخر العمليات</b>
balance-no-history = لا توجد عمليات بعد.
balance-line = { LTR($date) } · <b>{ LTR($amount) }</b> · { $what }
ledger-order = الطلب { LTR($number) }
ledger-refund = استرداد الطلب { LTR($number) }
ledger-topup = شحن الرصيد
ledger-credit = إضافة من المتجر
ledger-debit = تصحيح من المتجر
ledger-payment_refund = استرداد دفعة
btn-topup = ➕ شحن الرصيد
btn-balance-back = ➡️ الرصيد

## المسؤول: /credit

credit-usage = الاستخدام: <code>/credit USER_ID AMOUNT [reason]</code>
    USER_ID هو رقم العميل في تيليجرام، والمبلغ السالب خصم. بحد أقصى { $decimals } منازل عشرية.
credit-unknown-user = لا يوجد عميل برقم تيليجرام <code>{ LTR($user) }</code>: يجب أن يبدأ البوت أولًا.
credit-done = ✅ تم تطبيق { LTR($amount) } على <code>{ LTR($user) }</code>. الرصيد الجديد: { LTR($balance) }
credit-duplicate = تم تنفيذ هذا الأمر من قبل. رصيد <code>{ LTR($user) }</code>: { LTR($balance) }
credit-insufficient = ❌ مرفوض: رصيد <code>{ LTR($user) }</code> هو { LTR($balance) }، أقل من { LTR($amount) }.
credit-received = 💰 أضاف المتجر { LTR($amount) } إلى رصيدك. الرصيد الجديد: { LTR($balance) }
credit-received-note = 💰 أضاف المتجر { LTR($amount) } إلى رصيدك. الرصيد الجديد: { LTR($balance) }
    ملاحظة: { $reason }
debit-received = 💰 خصم المتجر { LTR($amount) } من رصيدك. الرصيد الجديد: { LTR($balance) }
debit-received-note = 💰 خصم المتجر { LTR($amount) } من رصيدك. الرصيد الجديد: { LTR($balance) }
    ملاحظة: { $reason }

## إعادات التعبئة التي لم يصل ردّ عليها (bot/jobs/refills.py)

refill-retry-allowed = ♻️ لم يؤكّد المزوّد إعادة تعبئة الطلب <b>{ ORDER($order_id) }</b>. يمكنك طلبها مرة أخرى من تفاصيل الطلب.
admin-refills-resolved = ♻️ { $count ->
    [zero] لا توجد إعادات تعبئة
    [one] إعادة تعبئة واحدة
    [two] إعادتا تعبئة
    [few] { $count } إعادات تعبئة
    [many] { $count } إعادة تعبئة
   *[other] { $count } إعادة تعبئة
} بقيت دون ردّ من اللوحة مدة طويلة وحُسمت («failed»: يمكن للعميل الطلب مجددًا):
    { LTR($refills) }
