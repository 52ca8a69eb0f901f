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
public interface EventUpcaster<O extends SpecificRecord, N extends SpecificRecord> {

    /** The superseded event record this upcaster reads. */
    Class<O> from();

    /** The event record it produces: the next version of the same event type. */
    Class<N> to();

    /** The event as the next version says it. */
    N upcast(O event);
}
