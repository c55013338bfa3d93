## Why the provider refused a refill or a cancellation, by the kind of its error
## (bot/panel/errors.py ErrorKind). Customers never see the provider's own words: they may be
## in another language, carry secrets, or be too long for an alert.

panel-reason = { $kind ->
    [bad_key] the provider is temporarily unavailable.
    [not_enough_funds] the provider is temporarily unavailable.
    [bad_service] this service does not allow it right now.
    [quantity_out_of_bounds] the quantity does not allow it.
    [bad_link] the provider has a problem with the order's link.
    [duplicate_active_link] another order for this link is still active.
    [refill_not_allowed] this order cannot be refilled right now.
    [cancel_not_allowed] this order can no longer be canceled.
    [action_not_supported] the provider does not offer this for the order.
    [not_found] the provider did not find this order.
    [bad_request] the provider did not accept the request.
   *[other] the provider did not accept the request.
}
