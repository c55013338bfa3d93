cmd-start = بدء المتجر
cmd-menu = القائمة الرئيسية
cmd-orders = طلباتي
cmd-balance = رصيدي
cmd-language = تغيير اللغة
cmd-help = طريقة الاستخدام
cmd-cancel = إلغاء الخطوة الحالية
cmd-credit = للمشرف: إضافة رصيد لعميل
