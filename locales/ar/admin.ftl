## لوحة الإدارة: عام

admin-none = —
admin-panel-currency-unknown = (لم يُبلغ المزوّد عن عملته بعد)
admin-not-found = غير موجود: ربما حُذف. افتح لوحة الإدارة من جديد بالأمر /admin.
admin-send-text = أرسل نصًا من فضلك، أو اضغط «إلغاء».
btn-admin-cancel = ✖️ إلغاء
btn-admin-refresh = 🔄 تحديث
btn-admin-back = ⬅️ رجوع
btn-admin-prev = ⬅️ السابق
btn-admin-next = التالي ➡️
cmd-admin = الإدارة: لوحة التحكم
cmd-refund = الإدارة: استرداد مبلغ طلب
cmd-user = الإدارة: البحث عن عميل
cmd-order = الإدارة: البحث عن طلب

## أرصدة اللوحات

admin-balances-title = 💳 <b>أرصدة اللوحات</b>
admin-balances-none = لا توجد لوحات مُعدّة.
admin-balance-live = <b>{ LTR($panel) }</b>: { LTR($balance) }
admin-balance-stale = <b>{ LTR($panel) }</b>: { LTR($balance) } ⚠️ آخر رصيد معروف: اللوحة لم تردّ
admin-balance-unknown = <b>{ LTR($panel) }</b>: ⚠️ غير معروف: اللوحة لم تردّ
admin-balance-low = 🔻 منخفض (أقل من { LTR($threshold) })
admin-balance-sandbox = 🧪 تجريبية

## المستخدمون

admin-users-prompt = 👤 أرسل معرّف تيليجرام للعميل أو اسم المستخدم ‎@username.
admin-user-usage = الاستخدام: <code>/user TELEGRAM_ID</code> أو <code>/user @username</code>
admin-user-not-found = لا يوجد عميل يطابق <code>{ LTR($query) }</code>: يجب أن يكون قد بدأ المحادثة مع البوت.
admin-user-card = 👤 <b>{ $name }</b> · <code>{ LTR($telegram_id) }</code>
    اسم المستخدم: { LTR($username) }
    اللغة: { $language }
    الرصيد: <b>{ LTR($balance) }</b>
    الحالة: { $status }
    تاريخ الانضمام: { LTR($joined) }
    الطلبات: { $orders }
admin-user-active = ✅ نشط
admin-user-banned = ⛔ محظور
admin-user-inactive = 💤 حظر البوت
admin-user-orders = <b>آخر الطلبات</b>
admin-user-order-line = { LTR($number) } · { $status } · { LTR($charge) } · { $service }
admin-user-ledger = <b>آخر قيود الرصيد</b>
admin-user-ledger-line = { LTR($date) } · <b>{ LTR($amount) }</b> · { $kind }
admin-ledger-topup = شحن
admin-ledger-order = طلب
admin-ledger-refund = استرداد
admin-ledger-credit = إضافة
admin-ledger-debit = خصم
admin-ledger-payment_refund = استرداد دفعة
btn-admin-credit = ➕ إضافة رصيد
btn-admin-debit = ➖ خصم رصيد
btn-admin-ban = ⛔ حظر
btn-admin-unban = ✅ إلغاء الحظر
admin-credit-amount = ➕ كم تريد أن تضيف إلى <code>{ LTR($user) }</code> (الرصيد { LTR($balance) })؟ أرسل مبلغًا موجبًا بحد أقصى { $decimals } منازل عشرية.
admin-debit-amount = ➖ كم تريد أن تخصم من <code>{ LTR($user) }</code> (الرصيد { LTR($balance) })؟ أرسل مبلغًا موجبًا بحد أقصى { $decimals } منازل عشرية.
admin-amount-invalid = ❌ أرسل مبلغًا موجبًا بحد أقصى { $decimals } منازل عشرية، مثل { LTR("10.50") }.
admin-credit-reason = المبلغ: { LTR($amount) }. أرسل الآن السبب: سيراه العميل.
admin-reason-invalid = ❌ أرسل السبب نصًا، بحد أقصى { $limit } حرف.
admin-ban-done = ⛔ تم الحظر.
admin-unban-done = ✅ تم إلغاء الحظر.
admin-ban-admin = لا يمكن حظر المشرفين.

## الطلبات

admin-orders-prompt = 📦 أرسل رقم طلب المتجر أو رقم الطلب في اللوحة.
admin-order-usage = الاستخدام: <code>/order ORDER_ID</code>: رقم طلب المتجر أو رقم الطلب في اللوحة.
admin-order-not-found = لا يوجد طلب يطابق <code>{ LTR($query) }</code>.
admin-order-matches = عدة طلبات تطابق <code>{ LTR($query) }</code>:
admin-order-card = 📦 <b>الطلب { LTR($number) }</b>: { $status }
    العميل: <code>{ LTR($user) }</code> ({ LTR($username) })
    الخدمة: { $service }
    اللوحة: { LTR($panel) } · رقم الطلب في اللوحة: <code>{ LTR($panel_order) }</code>
    الرابط: { LTR($link) }
    الكمية: { LTR($quantity) }
    السعر: { LTR($charge) } · المسترد: { LTR($refunded) }
    التكلفة في اللوحة: { LTR($cost) }
    حالة اللوحة: { LTR($panel_status) } · العدد عند البدء: { LTR($start_count) } · المتبقي: { LTR($remains) }
    الخطأ: { $error }
    تاريخ الإنشاء: { LTR($created) }
admin-order-bad-cycles = ⚠️ سطور حالة غير صالحة متتالية: { $count } من { $limit } (ثم يُعلَّق للمراجعة)
admin-order-unknown-status = ❓ حالة من اللوحة لا يعرفها المتجر: «{ LTR($status) }» منذ { LTR($since) }
btn-admin-customer = 👤 العميل
btn-admin-attach = 🔗 ربط رقم الطلب في اللوحة
btn-admin-refund-full = 💸 استرداد كامل المبلغ
btn-admin-review-list = ⏸ المعلّقة للمراجعة
btn-admin-refund-yes = ✅ نعم، استرد
btn-admin-refund-no = ⬅️ لا

## المراجعة

admin-review-empty = ⏸ لا توجد طلبات معلّقة للمراجعة.
admin-review-title = ⏸ <b>معلّقة للمراجعة</b>: { $count ->
    [zero] لا توجد طلبات
    [one] طلب واحد
    [two] طلبان
    [few] { $count } طلبات
    [many] { $count } طلبًا
   *[other] { $count } طلب
}. تحقق من كل طلب في لوحته، ثم اربط رقم الطلب في اللوحة أو استرد المبلغ.
admin-review-button = { LTR($number) } · { LTR($charge) } · { LTR($created) }
admin-not-in-review = هذا الطلب لم يعد معلّقًا للمراجعة.
admin-attach-prompt = 🔗 أرسل رقم الطلب الذي أعطته اللوحة <b>{ LTR($panel) }</b> للطلب { LTR($number) }.
admin-attach-invalid = ❌ رقم الطلب في اللوحة حروف وأرقام و«-» و«_» فقط، بحد أقصى 64 حرفًا.
admin-attach-taken = ❌ رقم الطلب <code>{ LTR($panel_order) }</code> في اللوحة مربوط بالفعل بالطلب { LTR($other) }.
admin-attach-done = ✅ الطلب { LTR($number) } قيد الانتظار من جديد برقم الطلب في اللوحة <code>{ LTR($panel_order) }</code>: ستُتابع حالته مثل أي طلب آخر.
admin-refund-confirm = 💸 استرداد { LTR($amount) } (كل ما لم يُسترد بعد) من الطلب { LTR($number) } إلى <code>{ LTR($user) }</code> ووسم الطلب بأنه فشل؟

## الاسترداد

admin-refund-usage = الاستخدام: <code>/refund ORDER [AMOUNT]</code>
    ORDER هو رقم طلب المتجر. بدون AMOUNT يُسترد كل ما لم يُسترد بعد. بحد أقصى { $decimals } منازل عشرية.
admin-refund-applied = ✅ تم استرداد { LTR($amount) } من الطلب { LTR($number) }. الحالة: { $status }. المتبقي القابل للاسترداد: { LTR($left) }.
admin-refund-duplicate = هذا الاسترداد طُبّق من قبل ({ LTR($amount) } من الطلب { LTR($number) }).
admin-refund-not-found = لا يوجد طلب { LTR($number) }.
admin-refund-submitting = الطلب { LTR($number) } يُرسل إلى لوحته الآن. حاول مرة أخرى بعد دقيقة.
admin-refund-nothing-left = الطلب { LTR($number) } مسترد بالكامل بالفعل.
admin-refund-exceeds = ❌ مرفوض: أقصى ما يمكن استرداده من الطلب { LTR($number) } هو { LTR($left) }.
admin-refund-conflict = تغيّر الطلب { LTR($number) } في أثناء ذلك (الحالة: { $status }). تحقق منه وحاول مرة أخرى.
admin-refund-not-in-review = الطلب { LTR($number) } لم يعد معلّقًا للمراجعة (الحالة: { $status }).
admin-refund-notice = 💸 أعاد المتجر { LTR($amount) } من الطلب <b>{ LTR($number) }</b> إلى رصيدك.

## الكتالوج

admin-catalog-title = 🗂 <b>الكتالوج</b>
    هامش الربح العام: { LTR($markup) }٪ { $source }
    الفئات: { $categories } · الخدمات: { $services } ({ $enabled } معروضة للبيع)
admin-markup-env = (MARKUP_PERCENT)
admin-markup-set = (مُعيّن من لوحة الإدارة)
btn-admin-sync = 🔄 مزامنة الآن
btn-admin-global-markup = ％ هامش الربح العام
btn-admin-categories = 🗂 الفئات
admin-sync-started = جارٍ المزامنة…
admin-sync-done = 🔄 <b>تمت مزامنة الكتالوج</b>
admin-sync-line = { LTR($panel) }: { $total } خدمة ({ $added } جديدة، { $changed } معدّلة، { $disabled } أزيلت)
admin-sync-failed = { LTR($panel) }: ⚠️ لم تردّ؛ لم يتغير كتالوجها
admin-categories-title = 🗂 <b>الفئات</b>: الصفحة { $page } من { $pages }
admin-services-title = 📋 <b>{ $category }</b>: الصفحة { $page } من { $pages }
admin-item-on = ✅ { $name }
admin-item-off = 🚫 { $name }
admin-on = ✅ معروضة للبيع
admin-off = 🚫 معطّلة
admin-unavailable = ⚠️ أزيلت من اللوحة
admin-markup-own = { LTR($markup) }٪ (خاص بها)
admin-markup-inherited = { LTR($markup) }٪ (موروث)
admin-category-card = 🗂 <b>{ $name }</b>
    الاسم بالإنجليزية: { $name_en }
    الاسم بالعربية: { $name_ar }
    الحالة: { $status }
    هامش الربح: { $markup }
    الخدمات: { $count }
admin-service-card = 🧾 <b>{ $name }</b> ({ ORDER($id) })
    اللوحة: { LTR($panel) } · الخدمة <code>{ LTR($panel_service) }</code>
    الفئة: { $category }
    الاسم بالإنجليزية: { $name_en }
    الاسم بالعربية: { $name_ar }
    سعر اللوحة: { LTR($rate) } لكل 1000
    سعر المتجر: { LTR($price) } لكل 1000
    هامش الربح: { $markup }
    الحالة: { $status }
btn-admin-enable = ✅ تفعيل
btn-admin-disable = 🚫 تعطيل
btn-admin-markup = ％ هامش الربح
btn-admin-name-en = 🔤 الاسم بالإنجليزية
btn-admin-name-ar = 🔤 الاسم بالعربية
btn-admin-services = 📋 الخدمات
admin-enabled-done = تم التفعيل.
admin-disabled-done = تم التعطيل.
admin-global-markup-prompt = ％ هامش الربح العام { LTR($markup) }٪. أرسل الهامش الجديد بالنسبة المئوية (مثل 25)، أو «-» للعودة إلى MARKUP_PERCENT ({ LTR($default) }٪).
admin-markup-prompt-category = ％ أرسل هامش ربح هذه الفئة بالنسبة المئوية (مثل 25)، أو «-» لتوريث الهامش العام.
admin-markup-prompt-service = ％ أرسل هامش ربح هذه الخدمة بالنسبة المئوية (مثل 25)، أو «-» لتوريث هامش فئتها أو الهامش العام.
admin-markup-invalid = ❌ أرسل نسبة من 0 إلى 10000 بحد أقصى منزلتين عشريتين، أو «-».
admin-name-prompt-en = 🔤 أرسل اسم العرض بالإنجليزية، أو «-» لعرض اسم اللوحة.
admin-name-prompt-ar = 🔤 أرسل اسم العرض بالعربية، أو «-» لعرض اسم اللوحة.
admin-name-invalid = ❌ أرسل اسمًا بحد أقصى { $limit } حرف، أو «-».
admin-saved = ✅ تم الحفظ.
