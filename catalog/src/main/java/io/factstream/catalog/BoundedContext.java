package io.factstream.catalog;

import java.util.Arrays;

/**
 * The four bounded contexts of the reference domain. Each has one aggregate type, one aggregate job and its own
 * topics: {@code <id>.commands}, {@code <id>.events} (the event store), {@code <id>.rejections} and {@code <id>.dlq}.
 */
public enum BoundedContext {
    ORDERS("orders", "Order"),
    PAYMENTS("payments", "Wallet"),
    KITCHEN("kitchen", "Ticket"),
    DELIVERY("delivery", "Delivery");

    private final String id;
    private final String aggregateType;

    BoundedContext(String id, String aggregateType) {
        this.id = id;
        this.aggregateType = aggregateType;
    }

    /** The lower-case name used in topic names and in the catalog, e.g. {@code orders}. */
    public String id() {
        return id;
    }

    /** The type of the context's aggregate, e.g. {@code Order}, as written in envelopes. */
    public String aggregateType() {
        return aggregateType;
    }

    public String commandsTopic() {
        return id + ".commands";
    }

    public String eventsTopic() {
        return id + ".events";
    }

    public String rejectionsTopic() {
        return id + ".rejections";
    }

    public String deadLetterTopic() {
        return id + ".dlq";
    }

    /** Where the aggregate job parks the commands of an aggregate in quarantine, until they are redriven. */
    public String parkedTopic() {
        return id + ".parked";
    }

    /** The context a topic belongs to, e.g. {@code ORDERS} for {@code orders.events}. */
    public static BoundedContext ofTopic(String topic) {
        return byId(topic.substring(0, Math.max(0, topic.indexOf('.'))));
    }

    /** The context with this {@link #id()}; fails with the known ids when there is none. */
    public static BoundedContext byId(String id) {
        return Arrays.stream(values())
                .filter(c -> c.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown context '" + id + "', expected one of " + Arrays.toString(ids())));
    }

    private static String[] ids() {
        return Arrays.stream(values()).map(BoundedContext::id).toArray(String[]::new);
    }
}
