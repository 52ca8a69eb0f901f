package io.factstream.domain.views;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.kernel.view.KeyLookup;

/**
 * The customer of each order, for the customer-orders view, whose rows are keyed by customer while order events
 * are keyed by order: known from {@code OrderPlaced}, forgotten when the order ends. The correlation is done once,
 * when the event is folded, so that reading the view is a lookup.
 */
public final class OrderOwners implements KeyLookup {

    @Override
    public String name() {
        return "order-owners";
    }

    @Override
    public String stateName() {
        return "customer";
    }

    @Override
    public boolean concerns(EventEnvelope event) {
        return EventCatalog.get().eventType(event.getEventType()).context() == BoundedContext.ORDERS;
    }

    @Override
    public String learns(EventEnvelope event) {
        return event.getEventData() instanceof OrderPlaced placed ? placed.getCustomerId() : null;
    }

    @Override
    public boolean forgets(EventEnvelope event) {
        Object data = event.getEventData();
        return data instanceof OrderCompleted || data instanceof OrderRejected || data instanceof OrderCancelled;
    }
}
