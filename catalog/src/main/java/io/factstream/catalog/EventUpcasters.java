package io.factstream.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The chains of {@link EventUpcaster}s that lift every superseded event version to the current one. Every reader
 * of events applies them: the codec of {@link EventEnvelope} on every record it decodes, and the kernel on the
 * events that state held across an upgrade; so deciders, sagas, projections and readers only ever see current
 * events.
 */
public final class EventUpcasters {

    private static final class Discovered {
        private static final EventUpcasters INSTANCE = discover();
    }

    /** By the full name of the superseded record each reads. */
    private final Map<String, EventUpcaster<SpecificRecord, SpecificRecord>> byFrom;

    private EventUpcasters(Map<String, EventUpcaster<SpecificRecord, SpecificRecord>> byFrom) {
        this.byFrom = byFrom;
    }

    /** The upcasters on the class path of this class (the domain's, in a job jar). */
    public static EventUpcasters discovered() {
        return Discovered.INSTANCE;
    }

    /** These upcasters; each reads a superseded record, at most one the same, and lifts it within its type. */
    @SuppressWarnings("unchecked")
    public static EventUpcasters of(List<? extends EventUpcaster<?, ?>> upcasters) {
        Map<String, EventUpcaster<SpecificRecord, SpecificRecord>> byFrom = new HashMap<>();
        for (EventUpcaster<?, ?> upcaster : upcasters) {
            Schema from = schemaOf(upcaster.from());
            Schema to = schemaOf(upcaster.to());
            String name = upcaster.getClass().getName();
            check(isSuperseded(from), name + " reads " + from.getFullName() + ", which is not superseded");
            check(from.getName().equals(to.getName()) && version(to) > version(from), name + " lifts "
                    + describe(from) + " to " + describe(to) + ", not to a later version of the same event");
            check(byFrom.put(from.getFullName(), (EventUpcaster<SpecificRecord, SpecificRecord>) upcaster) == null,
                    "two upcasters read " + from.getFullName());
        }
        return new EventUpcasters(Map.copyOf(byFrom));
    }

    /**
     * The event with its data lifted to the current version of its type and its {@code schemaVersion} that
     * version's; a current event as it is.
     *
     * @throws IllegalStateException when a superseded version on the way has no upcaster
     */
    public EventEnvelope upcast(EventEnvelope event) {
        SpecificRecord data = (SpecificRecord) event.getEventData();
        if (!isSuperseded(data.getSchema())) {
            return event;
        }
        while (isSuperseded(data.getSchema())) {
            EventUpcaster<SpecificRecord, SpecificRecord> upcaster = byFrom.get(data.getSchema().getFullName());
            check(upcaster != null, describe(data.getSchema()) + " has no upcaster on the class path");
            data = upcaster.upcast(data);
        }
        return EventEnvelope.newBuilder(event).setEventData(data).setSchemaVersion(version(data.getSchema())).build();
    }

    /** What stops these upcasters from lifting each superseded version of the catalog's events to current. */
    public List<String> missing(EventCatalog catalog) {
        List<String> missing = new ArrayList<>();
        for (EventType type : catalog.eventTypes()) {
            for (Schema superseded : type.superseded()) {
                Schema step = superseded;
                while (isSuperseded(step) && byFrom.containsKey(step.getFullName())) {
                    step = schemaOf(byFrom.get(step.getFullName()).to());
                }
                if (!step.getFullName().equals(type.schema().getFullName())) {
                    missing.add(describe(step) + " has no upcaster towards version " + type.version());
                }
            }
        }
        return missing;
    }

    private static boolean isSuperseded(Schema record) {
        return record.getProp(EventCatalog.SUPERSEDED_BY) != null;
    }

    private static String describe(Schema record) {
        return record.getName() + " version " + version(record) + " (" + record.getFullName() + ")";
    }

    private static int version(Schema record) {
        return record.getObjectProp("version") instanceof Integer version ? version : 0;
    }

    private static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.getForClass(type).getSchema(type);
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }

    private static EventUpcasters discover() {
        List<EventUpcaster<?, ?>> found = new ArrayList<>();
        ServiceLoader.load(EventUpcaster.class, EventUpcaster.class.getClassLoader()).forEach(found::add);
        return of(found);
    }
}
