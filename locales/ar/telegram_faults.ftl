## When Telegram fails under a handler (handlers/telegram_errors.py)

tg-fault-reply = ⚠️ لم يقبل تيليجرام ردّي الآن، فقد يكون جزء منه ناقصًا. قد تكون خطوتك الأخيرة تمّت أو لم تتم: تحقّق من /orders أو /balance قبل تكرارها.
tg-fault-reply-admin = ⚠️ لم يقبل تيليجرام ردّي على خطوتك الأخيرة ({ $reason }). قد تكون طُبّقت أو لم تُطبّق: تحقّق قبل تكرارها.
tg-reason-no-answer = لم يُجب تيليجرام
tg-reason-flood = يطلب تيليجرام الانتظار { $seconds ->
    [zero] { $seconds } ثانية
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $seconds } ثوانٍ
    [many] { $seconds } ثانية
   *[other] { $seconds } ثانية
}
tg-chart-failed = ⚠️ تعذّر إرسال الرسم البياني ({ $reason })؛ الأرقام أعلاه كاملة.
tg-customer-not-told = ⚠️ تعذّر إبلاغ العميل (لم يوصل تيليجرام الرسالة، أو حظر العميل البوت).
