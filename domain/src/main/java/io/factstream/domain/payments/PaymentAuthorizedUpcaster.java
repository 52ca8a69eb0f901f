package io.factstream.domain.payments;

import io.factstream.catalog.EventUpcaster;
import io.factstream.catalog.payments.PaymentAuthorized;
import io.factstream.domain.shared.Menu;

/**
 * PaymentAuthorized version 1 to version 2: version 1 said its amounts in integer cents of the shop's currency,
 * version 2 names the currency of each. Nothing else changed, so the upcast keeps every amount and adds the
 * currency the cents always were in.
 */
public final class PaymentAuthorizedUpcaster
        extends EventUpcaster<PaymentAuthorized, io.factstream.catalog.payments.v2.PaymentAuthorized> {

    public PaymentAuthorizedUpcaster() {
        super(PaymentAuthorized.class, io.factstream.catalog.payments.v2.PaymentAuthorized.class);
    }

    @Override
    public io.factstream.catalog.payments.v2.PaymentAuthorized upcast(PaymentAuthorized event) {
        return new io.factstream.catalog.payments.v2.PaymentAuthorized(event.getOrderId(),
                Menu.amount(event.getAmountCents()), Menu.amount(event.getAvailableCents()));
    }
}
