## الإحالات (bot/shop/referrals.py) وأكواد الخصم (bot/shop/promos.py)

menu-invite = 👥 ادعُ أصدقاءك
cmd-invite = ادعُ أصدقاءك واربح
cmd-promo = استخدام كود ترويجي
cmd-newpromo = إنشاء كود ترويجي
cmd-promos = الأكواد الترويجية

invite-screen = 👥 <b>ادعُ أصدقاءك</b>
    رابطك الخاص:
    { LTR($link) }

    انضم عبره: { $joined ->
        [zero] لا أحد بعد
        [one] شخص واحد
        [two] شخصان
        [few] { $joined } أشخاص
        [many] { $joined } شخصًا
       *[other] { $joined } شخص
    }
    الأرباح: <b>{ LTR($earned) }</b>
invite-reward-on = تحصل على { LTR($percent) }٪ مما تكلّفه كل طلبية لهم في النهاية (سعرها ناقص أي استرداد)، عند انتهاء الطلب.
invite-reward-off = مكافآت الدعوات متوقفة حاليًا؛ الأصدقاء الذين ينضمون الآن يُحتسبون مع ذلك.
invite-help = استرداد المشرف لطلب بعد انتهائه لا يسحب مكافأتك.
notify-referral-reward = 🎉 أنهى صديق دعوته طلبًا: أُضيف <b>{ LTR($amount) }</b> إلى رصيدك.
ledger-referral = مكافأة دعوة
ledger-promo = كود ترويجي
ledger-promo_bonus = مكافأة شحن من كود ترويجي

btn-promo = 🎟 كود ترويجي
promo-ask = 🎟 أرسل الكود الترويجي.
promo-usage = 🎟 أرسل { LTR("/promo") } متبوعًا بالكود، مثل { LTR("/promo WELCOME10") }
promo-credited = ✅ تم استخدام الكود <b>{ LTR($code) }</b>: أُضيف <b>{ LTR($amount) }</b>. رصيدك: <b>{ LTR($balance) }</b>
promo-bonus-pending = ✅ تم استخدام الكود <b>{ LTR($code) }</b>: شحنتك القادمة تحصل على مكافأة <b>{ LTR($percent) }٪</b>.
promo-bonus-paid = 🎁 مكافأة الكود الترويجي: أُضيف <b>{ LTR($amount) }</b> إلى رصيدك.
promo-invalid = ❌ هذا لا يبدو كودًا ترويجيًا (من 3 إلى 32 حرفًا أو رقمًا أو «-» أو «_»). حاول مجددًا، أو { LTR("/cancel") }.
promo-not-found = ❌ لا يوجد كود بهذا الاسم. تحقق منه وحاول مجددًا، أو { LTR("/cancel") }.
promo-expired = ⌛ انتهت صلاحية الكود <b>{ LTR($code) }</b>.
promo-exhausted = 🚫 نفدت استخدامات الكود <b>{ LTR($code) }</b>.
promo-already = ℹ️ استخدمت الكود <b>{ LTR($code) }</b> من قبل.
promo-bonus-waiting = ℹ️ لديك مكافأة شحن من كود آخر بانتظار شحنتك القادمة؛ استخدمها أولًا.

admin-menu-promos = 🎟 الأكواد الترويجية
admin-newpromo-usage = طريقة الاستخدام:
    { LTR("/newpromo CODE AMOUNT [uses=N] [days=N]") } — رصيد يُضاف
    { LTR("/newpromo CODE PERCENT% [uses=N] [days=N]") } — مكافأة على الشحنة القادمة
    مثال: { LTR("/newpromo WELCOME 5 uses=100 days=30") }
admin-promo-syntax = ❌ لم أفهم ذلك.
admin-promo-bad_code = ❌ الكود من 3 إلى 32 حرفًا أو رقمًا أو «-» أو «_».
admin-promo-bad_amount = ❌ يجب أن يكون المبلغ موجبًا، بحد أقصى { LTR($precision) } منازل عشرية.
admin-promo-bad_percent = ❌ يجب أن تكون النسبة أكبر من 0 وحتى 100 (مثل { LTR("10%") }).
admin-promo-bad_uses = ❌ { LTR("uses=") } يأخذ عددًا صحيحًا من 1 إلى 1000000.
admin-promo-bad_days = ❌ { LTR("days=") } يأخذ عددًا صحيحًا من 1 إلى 3650.
admin-promo-exists = ❌ الكود { LTR($code) } موجود مسبقًا.
admin-promo-created = ✅ تم إنشاء الكود:
admin-promos-title = 🎟 <b>الأكواد الترويجية</b> (الأحدث أولًا)
admin-promos-empty = لا توجد أكواد بعد. أنشئ كودًا بالأمر { LTR("/newpromo") } أو بالزر أدناه.
admin-promo-credit = رصيد { LTR($amount) }
admin-promo-bonus = مكافأة شحن { LTR($percent) }٪
admin-promo-line = <b>{ LTR($code) }</b> · { $value } · استُخدم { LTR($uses) }{ $max } · { $expiry }{ $state }
admin-promo-max = { " " }من { LTR($max) }
admin-promo-no-expiry = بلا انتهاء
admin-promo-expires = حتى { LTR($date) }
admin-promo-disabled-mark = { " " }· ⛔ معطّل
admin-promo-disabled = ⛔ تم تعطيل الكود { LTR($code) }.
btn-promo-new = ➕ كود جديد
btn-promo-disable = ⛔ تعطيل { $code }
btn-referral-percent = 👥 مكافأة الدعوة: { $percent }٪
admin-promo-ask-code = 🎟 أرسل الكود الجديد (من 3 إلى 32 حرفًا أو رقمًا أو «-» أو «_»).
admin-promo-ask-value = أرسل المبلغ الذي يُضاف (مثل 5)، أو نسبة مكافأة الشحن (مثل { LTR("10%") }).
admin-promo-ask-uses = كم مرة يمكن استخدامه إجمالًا؟ أرسل عددًا، أو «-» بلا حد.
admin-promo-ask-days = صالح لكم يومًا؟ أرسل عددًا، أو «-» بلا انتهاء.
admin-referral-prompt = 👥 مكافأة الدعوة { LTR($percent) }٪ من كل طلب منتهٍ لعميل مدعو. أرسل النسبة الجديدة (من 0 إلى 100، و0 يوقفها)، أو «-» للعودة إلى REFERRAL_PERCENT ({ LTR($default) }٪).
admin-referral-invalid = ❌ أرسل نسبة من 0 إلى 100 بحد أقصى منزلتين عشريتين، أو «-».
admin-referral-set = ✅ مكافأة الدعوة: { LTR($percent) }٪.
