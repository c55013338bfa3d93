## شاشة الكتالوج في لوحة الإدارة: آخر مزامنة لكتالوج كل لوحة.
## الأسباب والأخطاء بكلمات اللوحة أو المتجر نفسها، كما هي (بعد التهريب).

catsync-title = 🔄 <b>آخر مزامنات الكتالوج</b>
catsync-never = { LTR($panel) }: لم تتم مزامنتها بعد
catsync-ok = { LTR($panel) }: تمت المزامنة { LTR($when) } · { $total ->
    [zero] لا خدمات
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $total } خدمات
    [many] { $total } خدمة
   *[other] { $total } خدمة
}
catsync-skipped = { $count ->
    [zero] ⚠️ لم يُتخطَّ أي صف:
    [one] ⚠️ تم تخطي صف واحد:
    [two] ⚠️ تم تخطي صفّين:
    [few] ⚠️ تم تخطي { $count } صفوف:
    [many] ⚠️ تم تخطي { $count } صفًا:
   *[other] ⚠️ تم تخطي { $count } صف:
}
catsync-reason = • <code>{ LTR($service) }</code>: { LTR($reason) }
catsync-reason-no-id = • (بلا رقم خدمة): { LTR($reason) }
catsync-more = • … و{ $count } غيرها
catsync-failed = ⚠️ فشلت آخر مزامنة { LTR($when) }: { LTR($error) }
    يواصل المتجر بيع الكتالوج الموجود لديه ويعيد المحاولة في الموعد المحدد.
catsync-more-panels = { $count ->
    [zero] …
    [one] … ولوحة أخرى
    [two] … ولوحتان أخريان
    [few] … و{ $count } لوحات أخرى
    [many] … و{ $count } لوحة أخرى
   *[other] … و{ $count } لوحة أخرى
}
