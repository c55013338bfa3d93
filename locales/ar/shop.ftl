## واجهة المتجر: الأقسام والبحث ومعالج الطلب.

btn-prev = ▶️ السابق
btn-next = التالي ◀️
btn-order = 🛒 اطلب الآن
btn-browse = 📂 تصفّح الأقسام
btn-yes = ✅ نعم
btn-no = ❌ لا
btn-skip = ⏭ تخطٍّ
btn-confirm = ✅ تأكيد الطلب
btn-top-up = 💰 شحن الرصيد
btn-continue-order = 🛒 أكمل طلبك

badge-refill = ♻️ تعويض
badge-cancel = 🚫 قابل للإلغاء
badge-dripfeed = 💧 تنقيط
badge-not-orderable = ⚠️ غير متاح للطلب

catalog-empty = 😔 لا توجد خدمات متاحة الآن. يُرجى المحاولة لاحقًا.
catalog-categories = 📂 <b>اختر قسمًا</b> ({ $count ->
    [zero] لا أقسام
    [one] قسم واحد
    [two] قسمان
    [few] { $count } أقسام
    [many] { $count } قسمًا
   *[other] { $count } قسم
})
catalog-gone = تغيّرت هذه القائمة. إليك الأقسام الحالية.
svc-page-title = 📂 <b>{ $category }</b> — { $count ->
    [zero] لا خدمات
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $count } خدمات
    [many] { $count } خدمةً
   *[other] { $count } خدمة
}
svc-line = <b>{ $n }. { $name }</b>
    💵 { LTR($price) } { $per ->
        [package] للباقة · 📦 باقة واحدة
       *[k] لكل 1000 · 🔢 { $min }–{ $max }
    }
svc-unavailable = 😔 هذه الخدمة لم تعد متاحة. يُرجى اختيار خدمة أخرى.
card = 🛍 <b>{ $name }</b>
    📂 { $category }
    💵 السعر: { LTR($price) } { $per ->
        [package] للباقة
       *[k] لكل 1000
    }
    { $per ->
        [package] 📦 تُباع كباقة واحدة: الطلب الواحد يُنفّذ الباقة كاملة.
       *[k] 🔢 اطلب من { $min } إلى { $max }
    }
card-description = 📝 { $text }
card-not-orderable = ⚠️ لا يمكن طلب هذه الخدمة من البوت.
search-title = 🔎 <b>نتائج البحث</b> ({ $count ->
    [zero] لا نتائج
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $count } خدمات
    [many] { $count } خدمةً
   *[other] { $count } خدمة
})
search-none = 🔎 لا توجد خدمة تطابق «{ $query }». جرّب كلمة أخرى أو تصفّح الأقسام.

## معالج الطلب

wz-header = 🛒 <b>{ $service }</b>
wz-ask-link = 🔗 أرسل الرابط (عنوانًا كاملًا يبدأ بـ { LTR("https://") }).
wz-ask-media = 🖼 أرسل رابط المنشور الذي تريد الإشارة إلى المعجبين به.
wz-ask-quantity = 🔢 كم العدد؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-comments = 💬 أرسل التعليقات، كل تعليق في سطر (من { $min } إلى { $max } سطر). كل سطر تعليق واحد.
wz-ask-usernames = 👤 أرسل أسماء المستخدمين، كل اسم في سطر (من { $min } إلى { $max } سطر).
wz-ask-hashtags = #️⃣ أرسل الوسوم، كل وسم في سطر.
wz-ask-keywords = 🔑 أرسل الكلمات المفتاحية، كل كلمة في سطر.
wz-ask-groups = 👥 أرسل المجموعات التي تتم الدعوة منها، كل مجموعة في سطر.
wz-ask-hashtag = #️⃣ أرسل الوسم الذي تريد الإشارة إلى مستخدميه.
wz-ask-username = 👤 أرسل اسم المستخدم (بدون مسافات، والرمز @ اختياري).
wz-ask-answer_number = 🗳 أرسل رقم الإجابة في الاستطلاع (من { $min } إلى { $max }).
wz-ask-drip = 💧 هل تريد التنفيذ على دفعات (تنقيط)؟ تُنفَّذ الكمية حينها على عدة دفعات.
wz-ask-runs = 🔁 كم دفعة؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-interval = ⏱ كم دقيقة بين الدفعات؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-interval-choice = ⏱ كم دقيقة بين الدفعات؟ هذه الخدمة تقبل هذه الفواصل فقط: { LTR($allowed) }. اختر واحدًا من الأزرار.
wz-ask-min = 🔢 الحد الأدنى لكل منشور؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-max = 🔢 الحد الأقصى لكل منشور؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-posts = 📰 كم منشورًا جديدًا تريد خدمته؟ أرسل رقمًا من { $min } إلى { $max }.
wz-ask-delay = ⏱ مدة الانتظار بعد نشر منشور جديد:
wz-ask-expiry = 📅 تاريخ الانتهاء ({ LTR("DD/MM/YYYY") })، أو اضغط «تخطٍّ» بلا تاريخ.
wz-delay-choice = { $minutes ->
    [0] بدون انتظار
   *[other] { $minutes } د
}

wz-err-empty = ⚠️ يُرجى إرسال نص.
wz-err-link-chars = ⚠️ لا يمكن أن يحتوي الرابط على { LTR("&lt;") } أو { LTR("&gt;") } أو { LTR("\"") }. انسخ العنوان مجددًا من زر المشاركة أو نسخ الرابط في التطبيق.
wz-err-bad-link = ⚠️ هذا ليس رابطًا صالحًا. أرسل عنوانًا كاملًا مثل { LTR("https://instagram.com/yourname") }
wz-err-bad-name = ⚠️ هذا لا يبدو اسم مستخدم أو وسمًا: استخدم حروفًا وأرقامًا ونقاطًا وشرطات بدون مسافات.
wz-err-not-number = ⚠️ يُرجى إرسال عدد صحيح.
wz-err-out-of-range = ⚠️ يجب أن يكون العدد من { $min } إلى { $max }.
wz-err-lines = ⚠️ أرسلت { $count ->
    [zero] صفر أسطر
    [one] سطرًا واحدًا
    [two] سطرين
    [few] { $count } أسطر
    [many] { $count } سطرًا
   *[other] { $count } سطر
}؛ أرسل من { $min } إلى { $max } سطر.
wz-err-bad-delay = ⚠️ اختر مدة الانتظار من الأزرار (الدقائق المسموحة: { LTR($allowed) }).
wz-err-bad-interval = ⚠️ هذه الخدمة تقبل هذه الفواصل الزمنية فقط (بالدقائق): { LTR($allowed) }. اختر واحدًا من الأزرار.
wz-err-separator = ⚠️ يجب ألا يحتوي أي إدخال على فاصلة (,): المزوّد يقسم القائمة عند الفواصل، فيُنفّذ الإدخال ويحتسبه كعدّة إدخالات. أرسل إدخالًا واحدًا في كل سطر بدون فواصل.
wz-err-bad-date = ⚠️ أرسل التاريخ بالصيغة { LTR("DD/MM/YYYY") }، مثل { LTR("31/12/2030") }.
wz-err-past-date = ⚠️ يجب أن يكون تاريخ الانتهاء في المستقبل.
wz-err-changed = ⚠️ تغيّرت هذه الخدمة في الأثناء؛ يُرجى الإجابة عن هذه الخطوة مجددًا.

wz-summary-title = 🧾 <b>ملخّص الطلب</b>
wz-line-link = 🔗 الرابط: { LTR($value) }
wz-line-media = 🖼 المنشور: { LTR($value) }
wz-line-quantity = 🔢 الكمية: { $value }
wz-line-comments = 💬 { $count ->
    [zero] لا تعليقات
    [one] تعليق واحد
    [two] تعليقان
    [few] { $count } تعليقات
    [many] { $count } تعليقًا
   *[other] { $count } تعليق
}
wz-line-usernames = 👤 { $count ->
    [zero] لا أسماء مستخدمين
    [one] اسم مستخدم واحد
    [two] اسما مستخدم
    [few] { $count } أسماء مستخدمين
    [many] { $count } اسمَ مستخدم
   *[other] { $count } اسم مستخدم
}
wz-line-hashtags = #️⃣ { $count ->
    [zero] لا وسوم
    [one] وسم واحد
    [two] وسمان
    [few] { $count } أوسمة
    [many] { $count } وسمًا
   *[other] { $count } وسم
}
wz-line-keywords = 🔑 { $count ->
    [zero] لا كلمات مفتاحية
    [one] كلمة مفتاحية واحدة
    [two] كلمتان مفتاحيتان
    [few] { $count } كلمات مفتاحية
    [many] { $count } كلمةً مفتاحية
   *[other] { $count } كلمة مفتاحية
}
wz-line-groups = 👥 { $count ->
    [zero] لا مجموعات
    [one] مجموعة واحدة
    [two] مجموعتان
    [few] { $count } مجموعات
    [many] { $count } مجموعةً
   *[other] { $count } مجموعة
}
wz-line-hashtag = #️⃣ الوسم: { LTR($value) }
wz-line-username = 👤 اسم المستخدم: { LTR($handle) }
wz-line-answer_number = 🗳 رقم الإجابة: { $value }
wz-line-min = 🔢 الحد الأدنى لكل منشور: { $value }
wz-line-max = 🔢 الحد الأقصى لكل منشور: { $value }
wz-line-posts = 📰 عدد المنشورات: { $value }
wz-line-delay = ⏱ الانتظار: { $value ->
    [0] بدون
   *[other] { $value } د
}
wz-line-expiry = 📅 ينتهي في: { LTR($value) }
wz-line-drip = 💧 التنقيط: { $runs } دفعات، كل { $interval } د — المجموع { $total }
wz-line-price = 💵 <b>السعر: { LTR($price) }</b>
wz-line-balance = 💰 رصيدك: { LTR($balance) }
wz-line-after = ➡️ الرصيد بعد الطلب: { LTR($balance) }
wz-line-missing = ⚠️ الرصيد غير كافٍ: ينقصك { LTR($missing) }. اشحن رصيدك ثم أكّد الطلب.

wz-stale = نموذج الطلب هذا مغلق. ابدأ طلبًا جديدًا من القائمة.
wz-old-button = هذا الزر يخص خطوة سابقة. استخدم أحدث رسالة.
wz-use-buttons = 👇 يُرجى استخدام الأزرار أسفل الرسالة.
wz-not-enough = ⚠️ رصيدك لم يعد يكفي لهذا الطلب.
wz-price-changed = ⚠️ تغيّر سعر هذه الخدمة منذ أن اطّلعت عليه. راجع السعر الجديد ثم أكّد الطلب مرة أخرى.
wz-placing = ⏳ جارٍ تقديم الطلب رقم { LTR($order) }…
wz-already-placed = الطلب رقم { LTR($order) } تم تقديمه مسبقًا؛ لن يُقدَّم مرتين.
wz-placed = ✅ <b>تم تقديم الطلب رقم { LTR($order) }.</b>
    خُصم { LTR($charge) } من رصيدك. ستصلك رسالة عند بدء التنفيذ وعند اكتماله.
wz-failed = ❌ <b>تعذّر تقديم الطلب رقم { LTR($order) }:</b> { $reason }
    أُعيد { LTR($refund) } إلى رصيدك.
wz-review = ⏳ <b>الطلب رقم { LTR($order) } قيد المراجعة.</b>
    لم يردّ المزوّد في الوقت المحدد. نتحقق الآن مما إذا قُبل الطلب؛ ستُبلَّغ بالنتيجة، ولن يُخصم المبلغ مرتين أبدًا.
wz-reason = { $kind ->
    [bad_link] رفض المزوّد الرابط. تأكد من صحته ومن أنه عام.
    [quantity_out_of_bounds] الكمية خارج ما يقبله المزوّد حاليًا.
    [duplicate_active_link] يوجد طلب نشط لهذا الرابط. انتظر حتى يكتمل.
    [bad_service] هذه الخدمة غير متاحة مؤقتًا.
    [not_enough_funds] المزوّد غير متاح مؤقتًا.
    [bad_key] المزوّد غير متاح مؤقتًا.
    [unavailable] تعذّر الاتصال بالمزوّد. حاول مرة أخرى لاحقًا.
    [action_not_supported] لا يمكن طلب هذه الخدمة حاليًا.
    [not_found] لم يقبل المزوّد تفاصيل الطلب.
    [refill_not_allowed] رفض المزوّد الطلب.
    [cancel_not_allowed] رفض المزوّد الطلب.
    [bad_request] لم يقبل المزوّد تفاصيل الطلب.
   *[other] رفض المزوّد الطلب.
}

admin-order-review = ⚠️ <b>الطلب رقم { LTR($order) } يحتاج إلى مراجعة</b>
    لم تردّ اللوحة على الطلب (النتيجة غير معروفة). لم يُسترد المبلغ ولن يُعاد إرسال الطلب.
    العميل: { LTR($customer) }
    الخدمة: { $service }
    المبلغ: { LTR($charge) }
    الخطأ: { LTR($error) }

admin-order-accepted-after-hold = ✅ <b>قبلت اللوحة الطلب رقم { LTR($order) } في النهاية</b> (طلب اللوحة <code>{ LTR($panel_order) }</code>).
    كان قد عُلّق للمراجعة بينما كان طلبه لا يزال قيد الإرسال. عاد الآن قيد الانتظار وتُتابع حالته كأي طلب آخر: لا تسترد مبلغه.
admin-order-accepted-after-resolution = 🚨 <b>الطلب رقم { LTR($order) }: قبلته اللوحة بعد حسمه</b> (طلب اللوحة <code>{ LTR($panel_order) }</code>).
    حالته { $status }، واسترُدّ منه { LTR($refunded) }: قد يحصل العميل على الخدمة والمبلغ معًا. ألغِه في اللوحة أو صحّح الرصيد.
admin-review-button-placed = { LTR($number) } · { LTR($charge) } · ✅ اللوحة { LTR($panel_order) }
admin-refund-placed-warning = ⚠️ <b>قبلت اللوحة هذا الطلب</b>: اللوحة <b>{ LTR($panel) }</b>، الطلب <code>{ LTR($panel_order) }</code>، آخر حالة: { LTR($panel_status) }. قد يكون قد نُفّذ: تحقّق منه في اللوحة أولًا، واسترد فقط ما لم يُنفَّذ (<code>/refund ORDER AMOUNT</code>).
