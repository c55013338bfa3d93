## سبب رفض المزوّد لإعادة التعبئة أو الإلغاء، حسب نوع الخطأ
## (ErrorKind في bot/panel/errors.py). لا يرى العملاء نص المزوّد نفسه أبدًا.

panel-reason = { $kind ->
    [bad_key] المزوّد غير متاح مؤقتًا.
    [not_enough_funds] المزوّد غير متاح مؤقتًا.
    [bad_service] هذه الخدمة لا تسمح بذلك حاليًا.
    [quantity_out_of_bounds] الكمية لا تسمح بذلك.
    [bad_link] لدى المزوّد مشكلة في رابط الطلب.
    [duplicate_active_link] يوجد طلب آخر نشط لهذا الرابط.
    [refill_not_allowed] لا يمكن إعادة تعبئة هذا الطلب حاليًا.
    [cancel_not_allowed] لم يعد بالإمكان إلغاء هذا الطلب.
    [action_not_supported] لا يتيح المزوّد ذلك لهذا الطلب.
    [not_found] لم يعثر المزوّد على هذا الطلب.
    [bad_request] لم يقبل المزوّد الطلب.
   *[other] لم يقبل المزوّد الطلب.
}
