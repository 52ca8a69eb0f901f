package io.factstream.domain;

import java.util.List;

import io.factstream.domain.views.CustomerOrdersProjection;
import io.factstream.domain.views.KitchenQueueProjection;
import io.factstream.domain.views.OrderOwners;
import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.views.CustomerOrdersRow;
import io.factstream.views.KitchenQueueRow;
import io.factstream.views.OrderStatusRow;

/** The reference domain's views, one definition for each view of the catalog. */
public final class Views {

    /** Each order with its payment, ticket, delivery and timeline, by order id. */
    public static final ViewDefinition<OrderStatusRow> ORDER_STATUS = ViewDefinition.of(OrderStatusRow.class,
            OrderStatusProjection::new, OrderStatusProjection::keyOf);

    /** Each customer's orders, spend and wallet balance, by customer id; order events find it through their order. */
    public static final ViewDefinition<CustomerOrdersRow> CUSTOMER_ORDERS = ViewDefinition.of(CustomerOrdersRow.class,
            CustomerOrdersProjection::new, CustomerOrdersProjection::keyOfWalletEvent)
            .alsoKeyedThrough(new OrderOwners());

    /** The tickets waiting or in preparation, by ticket id. */
    public static final ViewDefinition<KitchenQueueRow> KITCHEN_QUEUE = ViewDefinition.of(KitchenQueueRow.class,
            KitchenQueueProjection::new, KitchenQueueProjection::keyOf);

    private Views() {
    }

    /** Every view, in the catalog's order. */
    public static List<ViewDefinition<?>> all() {
        return List.of(ORDER_STATUS, CUSTOMER_ORDERS, KITCHEN_QUEUE);
    }
}
