package io.factstream.kernel.view;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;

/** Events for view tests: an aggregate's n-th event, some seconds after {@link #T0}, of the order {@code order-1}. */
public final class ViewEvents {

    public static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private ViewEvents() {
    }

    public static EventEnvelope event(String aggregateId, long sequence, int secondsAfterT0, SpecificRecord data) {
        EventType type = EventCatalog.get().eventTypeOf(data);
        String id = UUID.nameUUIDFromBytes((aggregateId + "/" + sequence + "/" + type.name()).getBytes(UTF_8))
                .toString();
        return new EventEnvelope(id, aggregateId, sequence, T0.plusSeconds(secondsAfterT0), "order-1", type.name(),
                type.aggregateType(), "command-" + id, "someone", type.version(), data);
    }
}
