## شاشة اللوحات للإدارة: لهجة كل لوحة (ما تختلف فيه عن الواجهة الموثّقة)

panel-profile-documented = ⚙️ الواجهة: كما هي موثّقة
panel-profile-title = ⚙️ الواجهة:
panel-profile-learned = (مُتعلَّم)
panel-profile-pinned = (📌 PANELS)
panel-profile-yes = نعم
panel-profile-no = لا
panel-profile-unknown = غير معروف بعد
panel-profile-multi-status = حالة عدة طلبات: <code>{ LTR($value) }</code>
panel-profile-multi-refill = عدة تعبئات: <code>{ LTR($value) }</code>
panel-profile-multi-refill-status = حالات عدة تعبئات: <code>{ LTR($value) }</code>
panel-profile-refill-param = التعبئة تسمّي الطلب بـ <code>{ LTR($value) }</code>
panel-profile-v1-refill = التعبئة والإلغاء في v1: { $value }
panel-profile-dripfeed-flag = إرسال dripfeed=1: { $value }
panel-profile-dripfeed-intervals = فترات التنقيط: { LTR($value) }
panel-profile-package-quantity = quantity=1 للباقات: { $value }
panel-profile-comment-separator = التعليقات تُفصل بـ <code>{ LTR($value) }</code>
panel-profile-media-field = حقل الوسائط <code>{ LTR($value) }</code>
