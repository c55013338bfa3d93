## شحن الرصيد بنجوم تيليجرام

pay-stars = { $stars ->
    [zero] { $stars } نجمة
    [one] نجمة واحدة
    [two] نجمتان
    [few] { $stars } نجوم
    [many] { $stars } نجمة
   *[other] { $stars } نجمة
}
topup-title = ➕ <b>شحن الرصيد</b>
    الدفع بنجوم تيليجرام ⭐. السعر: { LTR($unit) } = { $rate } ⭐
    اختر مبلغًا، أو أدخل المبلغ الذي تريده من { LTR($min) } إلى { LTR($max) }.
btn-topup-preset = { $amount } · { $stars } ⭐
btn-topup-custom = ✏️ مبلغ آخر
btn-topup-back = ➡️ شحن الرصيد
topup-enter-amount = ✏️ اكتب المبلغ الذي تريد إضافته إلى رصيدك بعملة { LTR($currency) }: من { LTR($min) } إلى { LTR($max) }.
    السعر: { LTR($unit) } = { $rate } ⭐
topup-amount-invalid = هذا ليس مبلغًا. اكتب رقمًا مثل { LTR($example) }.
topup-amount-too-precise = { $decimals ->
    [zero] بدون منازل عشرية من فضلك.
    [one] منزلة عشرية واحدة على الأكثر من فضلك.
    [two] منزلتان عشريتان على الأكثر من فضلك.
    [few] { $decimals } منازل عشرية على الأكثر من فضلك.
    [many] { $decimals } منزلة عشرية على الأكثر من فضلك.
   *[other] { $decimals } منزلة عشرية على الأكثر من فضلك.
}
topup-amount-too-small = أقل مبلغ للشحن هو { LTR($min) }.
topup-amount-too-large = أكبر مبلغ للشحن هو { LTR($max) }.
topup-invoice-title = شحن { LTR($amount) }
topup-invoice-description = إضافة { LTR($amount) } إلى رصيدك في المتجر مقابل { $stars }. السعر: { LTR($unit) } = { $rate } نجمة.
topup-invoice-label = شحن الرصيد
topup-invoice-failed = ⚠️ تعذّر إنشاء الفاتورة الآن. حاول مرة أخرى لاحقًا.

## الدفع

pay-refused-invalid = هذه الفاتورة غير صالحة. افتح «شحن الرصيد» في البوت وأنشئ فاتورة جديدة.
pay-refused-wrong-user = هذه الفاتورة أُنشئت لعميل آخر. أنشئ فاتورتك الخاصة في البوت.
pay-refused-total = سعر هذه الفاتورة غير مطابق. أنشئ فاتورة جديدة في البوت.
pay-refused-banned = تم إيقاف وصولك إلى هذا المتجر، لذلك لا تُقبل المدفوعات.
pay-receipt = ✅ <b>تم استلام الدفعة</b>
    أُضيف إلى رصيدك: <b>{ LTR($amount) }</b>
    المدفوع: { $stars }
    الرصيد الجديد: <b>{ LTR($balance) }</b>
    رقم الدفعة (اذكره للدعم): <code>{ LTR($charge_id) }</code>
pay-unmatched = ⚠️ استلمنا دفعتك لكن تعذّر ربطها بعملية شحن. سيراجعها المسؤول. اذكر رقم الدفعة هذا في /paysupport: <code>{ LTR($charge_id) }</code>
pay-admin-unmatched = ⚠️ دفعة نجوم لم تُربط بعملية شحن ولم تُضف إلى الرصيد: العميل <code>{ LTR($user_id) }</code>، { $stars } ⭐، رقم الدفعة <code>{ LTR($charge_id) }</code>. استردّها بالأمر /refundstars عند الحاجة.
pay-refunded-by-shop = ↩️ استردّ المتجر دفعتك <code>{ LTR($charge_id) }</code>: أُعيدت إليك { $stars } وخُصم { LTR($amount) } من رصيدك. الرصيد الجديد: { LTR($balance) }
pay-refunded-by-telegram = ↩️ استردّ تيليجرام دفعتك <code>{ LTR($charge_id) }</code> ({ $stars }). خُصم { LTR($amount) } من رصيدك. الرصيد الجديد: { LTR($balance) }
pay-admin-shortfall = ⚠️ استردّ تيليجرام الدفعة <code>{ LTR($charge_id) }</code> للعميل <code>{ LTR($user_id) }</code> ({ $stars } ⭐، أُضيف بها { LTR($credited) })، لكن جزءًا منها أُنفق. خُصم { LTR($debited) }؛ والعجز { LTR($shortfall) } (مسجّل على الدفعة).

## /paysupport و /terms

paysupport-text = 🛟 <b>المساعدة في الدفع</b>
    إذا حدثت مشكلة في دفعة (دفعت ولم يزد رصيدك، أو خُصم منك مرتين)، تواصل مع مسؤول المتجر وأرسل له:
    • رقم الدفعة من إيصالك (يبدأ بـ <code>{ LTR("stx") }</code>)،
    • رقمك التعريفي في تيليجرام: <code>{ LTR($telegram_id) }</code>.
    كل دفعة تُضاف إلى الرصيد مرة واحدة ويمكن التحقق منها برقمها. دعم تيليجرام لا يستطيع المساعدة في المشتريات داخل هذا البوت.
terms-text = 📄 <b>شروط الدفع</b>
    • نجوم تيليجرام تشتري رصيدًا في هذا المتجر ({ LTR($currency) }) بالسعر المعروض قبل الدفع: { LTR($unit) } = { $rate } ⭐. يُستخدم الرصيد لدفع طلبات خدمات المتجر.
    • يُضاف الشحن إلى رصيدك فور الدفع، ويحمل إيصاله رقم الدفعة.
    • الاسترداد: يمكن استرداد الشحن بالنجوم فقط ما دام غير مُنفق (رصيدك ما زال يغطيه)، ويُخصم المبلغ المسترد من رصيدك. الرصيد المُنفق لا يُسترد بالنجوم؛ والطلبات الفاشلة أو الملغاة يعود مبلغها إلى رصيدك تلقائيًا.
    • للمساعدة في دفعة استخدم /paysupport.

## المسؤول: /refundstars

refundstars-usage = الاستخدام: <code>{ LTR("/refundstars CHARGE_ID") }</code>
    CHARGE_ID هو رقم الدفعة من إيصال العميل. يُسمح بالاسترداد فقط ما دام المبلغ المضاف غير مُنفق، ويُخصم من رصيد العميل.
refundstars-not-found = لا توجد دفعة نجوم بالرقم <code>{ LTR($charge_id) }</code>.
refundstars-spent = ❌ مرفوض: رصيد <code>{ LTR($user_id) }</code> هو { LTR($balance) }، أقل من { LTR($amount) } التي أضافتها هذه الدفعة. لا تُسترد الدفعة إلا ما دامت غير مُنفقة.
refundstars-done = ✅ أُعيدت { $stars } ⭐ إلى <code>{ LTR($user_id) }</code>؛ وخُصم { LTR($amount) }. الرصيد الجديد: { LTR($balance) }
refundstars-already = لم تعد هذه الدفعة قابلة للاسترداد (الحالة: { LTR($status) }).
refundstars-refused = ❌ رفض تيليجرام الاسترداد: { LTR($reason) }. أُعيد { LTR($amount) } إلى رصيد <code>{ LTR($user_id) }</code>.
refundstars-unknown = ⚠️ نتيجة الاسترداد غير معروفة ({ $reason }): ربما تمّ وربما لا. يبقى { LTR($amount) } محجوزًا من رصيد <code>{ LTR($user_id) }</code> والدفعة «قيد الاسترداد». تحقّق لاحقًا أو أرسل الأمر نفسه مرة أخرى: الاسترداد الذي تمّ يُعرف ولا يتكرر أبدًا.

## الأوامر

cmd-paysupport = المساعدة في الدفع
cmd-terms = شروط الدفع
cmd-refundstars = المسؤول: استرداد دفعة نجوم
refundstars-flood = ⏳ يطلب تيليجرام الانتظار { $seconds ->
    [zero] { $seconds } ثانية
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $seconds } ثوانٍ
    [many] { $seconds } ثانية
   *[other] { $seconds } ثانية
} قبل هذا الاسترداد: لم يُستردّ شيء بعد. يبقى { LTR($amount) } محجوزًا من رصيد <code>{ LTR($user_id) }</code>؛ أرسل الأمر نفسه مرة أخرى بعد ذلك.
refundstars-customer-not-told = ⚠️ تعذّر إبلاغ العميل <code>{ LTR($user_id) }</code> بالاسترداد (لم يوصل تيليجرام الرسالة).

## سجل العميل: استرداد نجوم لم يؤكده تيليجرام
ledger-stars-refund-held = محجوز لاسترداد نجوم (بانتظار تيليجرام)
ledger-stars-refund-released = لم يتم استرداد النجوم: أُعيد المبلغ
