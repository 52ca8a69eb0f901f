package io.factstream.catalog;

import org.apache.avro.specific.SpecificRecord;

/**
 * Lifts an event of a superseded version to the next version of its event type, for a change Avro's schema
 * resolution cannot express: a field renamed, a value whose meaning changed (cents to an amount with a currency),
 * an event split in two. A pure function of the old record, so that an old event, wherever it is read, means what
 * it meant when it was written.
 *
 * <p>Upcasters live beside the deciders and projections of the domain and are found with {@link
 * java.util.ServiceLoader} (listed in {@code META-INF/services/io.factstream.catalog.EventUpcaster});
 * {@link EventUpcasters} chains them from each superseded version to the current one.
 *
 * @param <O> the superseded event record
 * @param <N> the record of the next version, superseded itself or current
 */
public abstract class EventUpcaster<O extends SpecificRecord, N extends SpecificRecord> {

    private final Class<O> from;
    private final Class<N> to;

    /**
     * @param from the superseded event record this upcaster reads
     * @param to   the event record it produces: the next version of the same event type
     */
    protected EventUpcaster(Class<O> from, Class<N> to) {
        this.from = from;
        this.to = to;
    }

    /** The superseded event record this upcaster reads. */
    public final Class<O> from() {
        return from;
    }

    /** The event record it produces: the next version of the same event type. */
    public final Class<N> to() {
        return to;
    }

    /** The event as the next version says it. */
    public abstract N upcast(O event);
}
