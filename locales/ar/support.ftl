menu-support = 💬 الدعم
cmd-support = راسل الدعم
support-intro =
    💬 <b>الدعم</b>
    اكتب سؤالك هنا: النصوص والصور والمستندات وسائر الملفات تصل إلى فريقنا، وتصلك ردودهم في هذه المحادثة.
    اضغط «🏠 القائمة الرئيسية» عند الانتهاء.
support-opened = ✅ وصلت رسالتك إلى فريق الدعم. سنردّ عليك هنا في أقرب وقت، ويمكنك مواصلة الكتابة.
support-slow-down = ⏳ تمهّل من فضلك: يصل إلى الدعم { $count ->
    [zero] لا شيء من الرسائل
    [one] رسالة واحدة
    [two] رسالتان
    [few] { LTR($count) } رسائل
    [many] { LTR($count) } رسالة
   *[other] { LTR($count) } رسالة
} على الأكثر في الدقيقة. انتظر قليلًا ثم أرسل الباقي.
support-failed = ⚠️ تعذّر إيصال رسالتك إلى الدعم الآن. حاول مجددًا بعد بضع دقائق.
support-not-copyable = ⚠️ لا يمكن تمرير هذا النوع من الرسائل إلى الدعم. أرسل نصًا أو صورة أو مستندًا.
support-closed-customer = ✅ أُغلقت تذكرة الدعم الخاصة بك. هل تحتاج شيئًا آخر؟ اكتب مجددًا عبر «💬 الدعم» في أي وقت.
support-header =
    🎫 <b>التذكرة { ORDER($ticket_id) }</b>
    👤 { $name } ({ LTR($username) }) · المعرّف <code>{ LTR($telegram_id) }</code> · { LTR($language) }
    💰 الرصيد: { LTR($balance) }
    📦 آخر الطلبات:
support-header-order = { ORDER($number) } · { $status } · { $service } · { LTR($charge) }
support-header-no-orders = لا توجد طلبات بعد
support-header-blocked = 🚫 <b>حظر العميل البوت</b>: لا يمكن إيصال الردود إليه.
support-header-closed = ✅ <b>مغلقة.</b>
support-btn-close = ✅ إغلاق التذكرة
support-closed-staff = ✅ أغلق { $name } التذكرة. أُبلغ العميل بأنه يستطيع الكتابة مجددًا في أي وقت.
support-closed-button = ✅ أُغلقت التذكرة.
support-already-closed = هذه التذكرة مغلقة بالفعل.
support-close-where = استخدم /close داخل موضوع العميل.
support-staff-ticket-closed = ⚠️ هذه التذكرة مغلقة: لم يُرسل الرد. رسالة العميل التالية تفتح تذكرة جديدة.
support-staff-blocked = 🚫 حظر العميل البوت: لم يصل الرد.
support-staff-not-delivered = ⚠️ لم يوصل تيليجرام الرد إلى العميل. حاول مجددًا.
