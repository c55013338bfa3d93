## الشحن بغير النجوم: اختيار الطريقة، Crypto Pay، التحويل اليدوي

topup-choose-method = ➕ <b>شحن الرصيد</b>
    اختر طريقة الدفع.
btn-topup-stars = ⭐ نجوم تيليجرام
btn-topup-crypto = 💎 عملات رقمية (@CryptoBot)
btn-topup-transfer = 🏦 { $name }

crypto-choose-amount = 💎 <b>الدفع بالعملات الرقمية</b>
    تدفع في @CryptoBot بـ { LTR($assets) }. اختر مبلغًا أو اكتب مبلغك من { LTR($min) } إلى { LTR($max) }.
crypto-enter-amount = ✏️ اكتب المبلغ المراد إضافته إلى رصيدك: من { LTR($min) } إلى { LTR($max) }.
crypto-invoice-description = شحن الرصيد: { LTR($amount) }
crypto-invoice-failed = ⚠️ تعذّر إنشاء فاتورة العملات الرقمية الآن. حاول مرة أخرى لاحقًا.
crypto-invoice = 💎 <b>الفاتورة رقم { LTR($invoice_id) }</b> بمبلغ { LTR($amount) }
    ادفعها في @CryptoBot بالزر أدناه خلال { $minutes ->
        [zero] { LTR($minutes) } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { LTR($minutes) } دقائق
        [many] { LTR($minutes) } دقيقة
       *[other] { LTR($minutes) } دقيقة
    }. يُضاف المبلغ إلى رصيدك فور وصول الدفعة.
btn-crypto-pay = 💎 ادفع في @CryptoBot
crypto-paid = ✅ <b>وصلت دفعتك بالعملات الرقمية</b>
    أُضيف إلى رصيدك: <b>{ LTR($amount) }</b>
    الرصيد الجديد: <b>{ LTR($balance) }</b>
    رقم الشحن: <code>{ LTR($id) }</code>
crypto-expired = ⌛ انتهت صلاحية فاتورتك بمبلغ { LTR($amount) } دون دفع. أنشئ فاتورة جديدة من «شحن الرصيد» عندما تكون جاهزًا.

transfer-instructions = 🏦 <b>{ $name }</b>
    { $instructions }

    حوّل من { LTR($min) } إلى { LTR($max) }، ثم اكتب المبلغ الذي حوّلته (بـ { LTR($currency) }).
transfer-method-gone = طريقة الدفع هذه لم تعد متاحة. اختر طريقة أخرى من «شحن الرصيد».
transfer-amount-invalid = هذا ليس مبلغًا. اكتب الرقم الذي حوّلته، مثل { LTR($min) }.
transfer-amount-too-small = أقل تحويل هو { LTR($min) }.
transfer-amount-too-large = أكبر تحويل هو { LTR($max) }.
transfer-send-receipt = 🧾 حوّلت <b>{ LTR($paid) }</b>: سيُضاف { LTR($amount) } إلى رصيدك بعد أن يراجعه أحد المشرفين.
    أرسل الآن صورة أو ملف إيصال التحويل.
transfer-receipt-needed = 🧾 أرسل الإيصال صورةً أو ملفًا من فضلك.
transfer-too-many = ⏳ لديك { $count ->
        [zero] { LTR($count) } تحويل
        [one] تحويل واحد
        [two] تحويلان
        [few] { LTR($count) } تحويلات
        [many] { LTR($count) } تحويلًا
       *[other] { LTR($count) } تحويل
    } بانتظار المراجعة. انتظر حتى تتم مراجعتها.
transfer-received = ✅ استلمنا الإيصال (الطلب <code>{ LTR($id) }</code>). سيراجعه أحد المشرفين قريبًا، وستصلك رسالة في الحالتين.
transfer-approved = ✅ <b>تمت الموافقة على تحويلك</b> (الطلب <code>{ LTR($id) }</code>)
    أُضيف إلى رصيدك: <b>{ LTR($amount) }</b>
    الرصيد الجديد: <b>{ LTR($balance) }</b>
transfer-rejected = ❌ لم تتم الموافقة على تحويلك (الطلب <code>{ LTR($id) }</code>).
    السبب: { $reason }

## المشرف: الإيصالات والطرق

admin-menu-transfers = 🏦 التحويلات
btn-transfer-approve = ✅ موافقة
btn-transfer-edit = ✏️ تعديل المبلغ
btn-transfer-reject = ❌ رفض
btn-transfer-pending = 🧾 #{ LTR($id) } · { LTR($user_id) } · { LTR($amount) }
btn-transfer-method-on = 🟢 { $name } (اضغط للتعطيل)
btn-transfer-method-off = ⚪ { $name } (اضغط للتفعيل)
btn-transfer-method-add = ➕ إضافة طريقة
transfer-console = 🏦 <b>التحويلات اليدوية</b>
    بانتظار المراجعة: { LTR($count) }. الطرق: { LTR($methods) }.
transfer-admin-receipt = 🧾 <b>طلب تحويل رقم { LTR($id) }</b>
    العميل: <code>{ LTR($user_id) }</code>
    الطريقة: { $method }
    المبلغ المحوَّل: { LTR($paid) }
    المبلغ المراد إضافته: <b>{ LTR($amount) }</b>
transfer-admin-already = تمت معالجة هذا الطلب من قبل (الحالة: { LTR($status) }).
transfer-admin-approved = ✅ تمت الموافقة على الطلب رقم { LTR($id) }: أُضيف { LTR($amount) } إلى <code>{ LTR($user_id) }</code>.
transfer-admin-ask-reason = ✏️ اكتب سبب رفض الطلب رقم { LTR($id) }؛ سيصل إلى العميل.
transfer-admin-rejected = ❌ رُفض الطلب رقم { LTR($id) } الخاص بـ <code>{ LTR($user_id) }</code>، وأُبلغ العميل.
transfer-admin-ask-amount = ✏️ الطلب رقم { LTR($id) } ({ LTR($paid) }) سيضيف { LTR($amount) }. اكتب المبلغ الذي تريد إضافته بدلًا منه.
transfer-admin-amount-invalid = هذا ليس مبلغًا بعملة المتجر. اكتبه مرة أخرى.
transfer-admin-amount-set = ✏️ الطلب رقم { LTR($id) } سيضيف <b>{ LTR($amount) }</b> عند الموافقة.
transfer-admin-method-help = ➕ أرسل الطريقة الجديدة في رسالة واحدة، حقل في كل سطر:
    1. الاسم بالإنجليزية
    2. الاسم بالعربية
    3. التعليمات بالإنجليزية (مثل رقم الحساب)
    4. التعليمات بالعربية
    5. أقل مبلغ
    6. أكبر مبلغ
    7. (اختياري) السعر: عملة المتجر لكل وحدة محوَّلة
    8. (اختياري مع 7) رمز العملة المحوَّلة، مثل IQD
transfer-admin-method-shape = هذه ليست 6 أو 8 أسطر غير فارغة. أرسل الطريقة مرة أخرى.
transfer-admin-method-amounts = أقل مبلغ أو أكبر مبلغ أو السعر ليس رقمًا موجبًا (أو أقل مبلغ أكبر من أكبر مبلغ). أرسل الطريقة مرة أخرى.
transfer-admin-method-added = ✅ أُضيفت الطريقة «{ $name }» وفُعّلت.

## سجل الرصيد: الشحن حسب طريقته
ledger-topup-stars = شحن الرصيد · نجوم تيليجرام
ledger-topup-crypto = شحن الرصيد · عملات رقمية
ledger-topup-manual = شحن الرصيد · تحويل

## إحصاءات المشرف: الشحن حسب الطريقة
stats-topups-header = <b>الشحن</b> (المُضاف، منذ البداية)
stats-topup-method = { $method }: { LTR($amount) } ({ $count ->
        [zero] { LTR($count) } عملية شحن
        [one] عملية شحن واحدة
        [two] عمليتا شحن
        [few] { LTR($count) } عمليات شحن
        [many] { LTR($count) } عملية شحن
       *[other] { LTR($count) } عملية شحن
    })
