package io.factstream.catalog;

import java.util.List;

import org.apache.avro.Schema;

/**
 * An event type of the catalog: its Avro record and the answers to the catalog's questions about it.
 *
 * @param schema        the event's Avro record; its doc says what the event means, its fields what data it carries
 * @param context       the bounded context whose aggregate publishes it to {@link #topic()}
 * @param version       the catalog version of the record, written to {@code EventEnvelope.schemaVersion}
 * @param publishedWhen which component publishes it, and when
 * @param subscribers   the components that subscribe to it, and what they do with it
 * @param superseded    its earlier versions that Avro cannot resolve to this one, oldest first: records of other
 *                      names, still in the envelope for the events written with them, that upcasters lift to this
 */
public record EventType(
        Schema schema,
        BoundedContext context,
        int version,
        String publishedWhen,
        List<String> subscribers,
        List<Schema> superseded) {

    /** The unique name, e.g. {@code OrderPlaced}, as written in {@code EventEnvelope.eventType}. */
    public String name() {
        return schema.getName();
    }

    /** What the event means. */
    public String doc() {
        return schema.getDoc();
    }

    /** The aggregate type whose stream holds the event. */
    public String aggregateType() {
        return context.aggregateType();
    }

    /** The topic the event is published to. */
    public String topic() {
        return context.eventsTopic();
    }
}
