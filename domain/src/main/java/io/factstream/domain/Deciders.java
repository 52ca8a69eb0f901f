package io.factstream.domain;

import io.factstream.catalog.BoundedContext;
import io.factstream.domain.delivery.DeliveryDecider;
import io.factstream.domain.kitchen.TicketDecider;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.payments.WalletDecider;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.Decider;

/** The reference domain's decider of each bounded context. */
public final class Deciders {

    private Deciders() {
    }

    public static Decider<?> forContext(BoundedContext context) {
        return switch (context) {
            case ORDERS -> new OrderDecider(Menu.standard());
            case PAYMENTS -> new WalletDecider();
            case KITCHEN -> new TicketDecider();
            case DELIVERY -> new DeliveryDecider();
        };
    }
}
