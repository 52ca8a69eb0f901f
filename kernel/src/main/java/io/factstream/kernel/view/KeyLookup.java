package io.factstream.kernel.view;

import java.io.Serializable;

import io.factstream.catalog.EventEnvelope;

/**
 * Finds the row of events that do not carry its key, from what an earlier event of their aggregate said: an order
 * event's customer, for one, is known from the order's {@code OrderPlaced}. Per aggregate, the key an event makes
 * known ({@link #learns}) holds for that event and those after it, until one after which it is forgotten
 * ({@link #forgets}). The view job keeps the keys keyed by aggregate id, so that reading a view stays a lookup.
 */
public interface KeyLookup extends Serializable {

    /** The lookup's name, e.g. {@code order-owners}; the operator that keeps the keys is named after it. */
    String name();

    /** The name of the state that holds each aggregate's key, as savepoints know it. */
    String stateName();

    /** Whether an event goes through the lookup. */
    boolean concerns(EventEnvelope event);

    /** The row key the event makes known for its aggregate, or null. */
    String learns(EventEnvelope event);

    /** Whether the aggregate's key is forgotten once the event has gone to its row. */
    boolean forgets(EventEnvelope event);
}
