cmd-broadcast = للمشرف: رسالة إلى كل العملاء
bc-ask-message =
    📣 <b>رسالة جماعية جديدة</b>
    أرسل لي الرسالة الموجهة إلى عملائك: نصًا، أو صورة أو فيديو أو ملفًا مع تعليق. تُنسخ كما ترسلها تمامًا مع تنسيقها.
bc-ask-buttons =
    هل تريد إضافة أزرار روابط أسفلها؟ أرسل زرًا واحدًا في كل سطر:
    <code>{ LTR("Text - https://example.com") }</code>
    عدة أزرار في صف واحد: <code>{ LTR("Shop - https://a.example | Help - https://b.example") }</code>
    أو اضغط «تخطٍّ».
bc-buttons-invalid =
    تعذّرت قراءة هذه الأزرار. أرسل زرًا في كل سطر بالشكل <code>{ LTR("Text - https://example.com") }</code> (حتى 10 صفوف في كل منها 4 أزرار، وتبدأ الروابط بـ { LTR("https://") } أو { LTR("http://") } أو { LTR("tg://") })، أو اضغط «تخطٍّ».
bc-preview-failed = ⚠️ لا يستطيع تيليجرام نسخ هذه الرسالة ({ LTR($reason) }). أرسل رسالة أخرى.
bc-preview-failed-buttons = ⚠️ رفض تيليجرام هذه الأزرار ({ LTR($reason) }). أرسل أزرارًا أخرى أو اضغط «تخطٍّ».
bc-preview =
    ☝️ هذه هي المعاينة. ستُنسخ إلى { $count ->
        [zero] لا أحد من العملاء
        [one] عميل واحد
        [two] عميلين
        [few] { $count } عملاء
        [many] { $count } عميلًا
       *[other] { $count } عميل
    } بمعدل { $rate } رسالة في الثانية.
    البث المدفوع: متوقف.
bc-preview-paid =
    ☝️ هذه هي المعاينة. ستُنسخ إلى { $count ->
        [zero] لا أحد من العملاء
        [one] عميل واحد
        [two] عميلين
        [few] { $count } عملاء
        [many] { $count } عميلًا
       *[other] { $count } عميل
    } بمعدل يصل إلى { $rate } رسالة في الثانية.
    البث المدفوع: مفعّل. يقتطع تيليجرام ‎0.1 ⭐ عن كل رسالة تتجاوز الحد المجاني من رصيد نجوم البوت.
bc-btn-skip = ⏭ تخطٍّ
bc-btn-abort = ✖️ تجاهل
bc-btn-send = ✅ أرسل الآن
bc-btn-paid-off = 💸 البث المدفوع: متوقف
bc-btn-paid-on = 💸 البث المدفوع: مفعّل
bc-btn-pause = ⏸ إيقاف مؤقت
bc-btn-resume = ▶️ استئناف
bc-btn-cancel = ⏹ إلغاء
bc-discarded = تم تجاهل الرسالة الجماعية؛ لم يُرسل شيء.
bc-not-draft = هذه الرسالة الجماعية بدأت أو أُلغيت من قبل.
bc-not-now = لا يمكن تنفيذ ذلك على هذه الرسالة الجماعية الآن؛ ربما انتهت.
bc-pause-ok = جارٍ الإيقاف المؤقت…
bc-resume-ok = جارٍ الاستئناف…
bc-cancel-ok = جارٍ الإلغاء…
bc-state-running = قيد الإرسال
bc-state-paused = متوقفة مؤقتًا
bc-state-done = انتهت
bc-state-canceled = أُلغيت
bc-progress =
    📣 <b>الرسالة الجماعية { ORDER($id) }</b>: { $state }
    { $bar } { LTR($percent) }٪
    ✅ أُرسلت: { $sent } · 🚫 محظور: { $blocked } · ⚠️ فشلت: { $failed } · ⏳ متبقية: { $pending }
    المستلمون: { $total } · الوقت المتبقي: { LTR($eta) }
bc-report-done =
    ✅ انتهت الرسالة الجماعية { ORDER($id) } خلال { LTR($duration) }.
    أُرسلت: { $sent } · محظور: { $blocked } · فشلت: { $failed } · المستلمون: { $total }
bc-report-canceled =
    ⏹ أُلغيت الرسالة الجماعية { ORDER($id) } بعد { LTR($duration) }.
    أُرسلت: { $sent } · محظور: { $blocked } · فشلت: { $failed } · لم تُرسل: { $pending } · المستلمون: { $total }
bc-preview-unavailable = ⚠️ لم يعرض تيليجرام المعاينة ({ $reason }). رسالتك محفوظة: اضغط «تخطٍّ» أو أرسل الأزرار مرة أخرى للمحاولة من جديد.
