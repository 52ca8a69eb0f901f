package io.factstream.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The event catalog as data: every command and event type with what the catalog says about it. The single source
 * is the Avro schemas: the command types are the branches of {@code CommandEnvelope.commandData}, the event types
 * those of {@code EventEnvelope.eventData}, and the catalog's answers are properties of each record
 * ({@code context}, {@code allowedRoles}, {@code sentBy}, {@code rules}, {@code produces} on commands;
 * {@code context}, {@code version}, {@code publishedWhen}, {@code subscribers} on events). An event record with the
 * property {@value #SUPERSEDED_BY} is an earlier version of the event it names, kept in the union for the records
 * written with it; it is no event type of its own but one of that type's {@link EventType#superseded() versions}.
 *
 * <p>Loading checks that the catalog is complete and consistent, so a schema edit that forgets an answer fails
 * the build's tests rather than a job at runtime.
 */
public final class EventCatalog {

    /** The property of an event record superseded by a change Avro cannot resolve: its successor's full name. */
    public static final String SUPERSEDED_BY = "supersededBy";

    private static final EventCatalog REFERENCE =
            load(CommandEnvelope.getClassSchema(), EventEnvelope.getClassSchema());

    private final Map<String, CommandType> commands;
    private final Map<String, EventType> events;

    /** Both maps iterate in the order of the envelopes' unions. */
    private EventCatalog(Map<String, CommandType> commands, Map<String, EventType> events) {
        this.commands = Collections.unmodifiableMap(commands);
        this.events = Collections.unmodifiableMap(events);
    }

    /** The catalog of the generated envelope classes. */
    public static EventCatalog get() {
        return REFERENCE;
    }

    /** Reads and checks the catalog held by the given envelope schemas. */
    static EventCatalog load(Schema commandEnvelope, Schema eventEnvelope) {
        Map<String, List<Schema>> superseded = supersededVersions(unionBranches(eventEnvelope, "eventData"));
        Map<String, EventType> events = new LinkedHashMap<>();
        for (Schema record : unionBranches(eventEnvelope, "eventData")) {
            if (record.getProp(SUPERSEDED_BY) == null) {
                events.put(record.getName(), readEventType(record,
                        superseded.getOrDefault(record.getFullName(), List.of())));
            }
        }
        Map<String, CommandType> commands = new LinkedHashMap<>();
        for (Schema record : unionBranches(commandEnvelope, "commandData")) {
            CommandType command = readCommandType(record);
            for (String produced : command.produces()) {
                EventType event = events.get(produced);
                check(event != null && event.context() == command.context(), record,
                        "produces '" + produced + "', which is no event of its context");
            }
            commands.put(record.getName(), command);
        }
        for (EventType event : events.values()) {
            check(commands.values().stream().anyMatch(c -> c.produces().contains(event.name())), event.schema(),
                    "is produced by no command");
        }
        return new EventCatalog(commands, events);
    }

    /** Every command type, in the order of the envelope's union. */
    public List<CommandType> commandTypes() {
        return List.copyOf(commands.values());
    }

    /** Every event type, in the order of the envelope's union. */
    public List<EventType> eventTypes() {
        return List.copyOf(events.values());
    }

    /** The command types handled by one context's aggregate. */
    public List<CommandType> commandTypes(BoundedContext context) {
        return commandTypes().stream().filter(c -> c.context() == context).toList();
    }

    /** The event types published by one context's aggregate. */
    public List<EventType> eventTypes(BoundedContext context) {
        return eventTypes().stream().filter(e -> e.context() == context).toList();
    }

    /** The command type of this name; fails when the catalog has none. */
    public CommandType commandType(String name) {
        CommandType type = commands.get(name);
        if (type == null) {
            throw new IllegalArgumentException("no command type '" + name + "' in the catalog");
        }
        return type;
    }

    /** The event type of this name; fails when the catalog has none. */
    public EventType eventType(String name) {
        EventType type = events.get(name);
        if (type == null) {
            throw new IllegalArgumentException("no event type '" + name + "' in the catalog");
        }
        return type;
    }

    /** The command type of a command record. */
    public CommandType commandTypeOf(SpecificRecord commandData) {
        return commandType(commandData.getSchema().getName());
    }

    /** The event type of an event record. */
    public EventType eventTypeOf(SpecificRecord eventData) {
        return eventType(eventData.getSchema().getName());
    }

    /** The command types that can produce the event type of this name. */
    public List<CommandType> producersOf(String eventName) {
        return commandTypes().stream().filter(c -> c.produces().contains(eventName)).toList();
    }

    private static CommandType readCommandType(Schema record) {
        BoundedContext context = readContext(record);
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String role : textList(record, "allowedRoles")) {
            try {
                roles.add(Role.valueOf(role));
            } catch (IllegalArgumentException e) {
                throw invalid(record, "names unknown role '" + role + "'");
            }
        }
        check(!roles.isEmpty(), record, "allows no role");
        return new CommandType(record, context, Set.copyOf(roles), text(record, "sentBy"),
                textList(record, "rules"), textList(record, "produces"));
    }

    private static EventType readEventType(Schema record, List<Schema> superseded) {
        return new EventType(record, readContext(record), versionOf(record), text(record, "publishedWhen"),
                textList(record, "subscribers"), superseded);
    }

    /**
     * The superseded event records by the full name of the current record that replaces them, oldest first. Each
     * names its successor, an event record of the same name and context with a higher version.
     */
    private static Map<String, List<Schema>> supersededVersions(List<Schema> branches) {
        Map<String, Schema> byFullName = new LinkedHashMap<>();
        branches.forEach(branch -> byFullName.put(branch.getFullName(), branch));
        Map<String, List<Schema>> superseded = new LinkedHashMap<>();
        for (Schema record : branches) {
            String successorName = record.getProp(SUPERSEDED_BY);
            if (successorName == null) {
                continue;
            }
            Schema successor = byFullName.get(successorName);
            check(successor != null && successor.getProp(SUPERSEDED_BY) == null, record,
                    "is superseded by '" + successorName + "', which is no current event record");
            check(successor.getName().equals(record.getName()) && readContext(successor) == readContext(record)
                    && versionOf(successor) > versionOf(record), record, "is superseded by " + successorName
                    + ", which must be the same event (name and context) at a higher version");
            superseded.computeIfAbsent(successorName, name -> new ArrayList<>()).add(record);
        }
        superseded.values().forEach(versions -> versions.sort(Comparator.comparingInt(EventCatalog::versionOf)));
        return superseded;
    }

    private static int versionOf(Schema record) {
        Object version = record.getObjectProp("version");
        check(version instanceof Integer v && v > 0, record, "needs a positive integer 'version'");
        return (Integer) version;
    }

    private static BoundedContext readContext(Schema record) {
        BoundedContext context;
        try {
            context = BoundedContext.byId(text(record, "context"));
        } catch (IllegalArgumentException e) {
            throw invalid(record, e.getMessage());
        }
        check(context.aggregateType().equals(text(record, "aggregate")), record,
                "names aggregate '" + record.getProp("aggregate") + "' but its context's aggregate is "
                        + context.aggregateType());
        check(record.getDoc() != null && !record.getDoc().isBlank(), record, "has no doc");
        record.getFields().forEach(f -> check(f.doc() != null && !f.doc().isBlank(), record,
                "field '" + f.name() + "' has no doc"));
        return context;
    }

    private static String text(Schema record, String property) {
        String value = record.getProp(property);
        check(value != null && !value.isBlank(), record, "needs the property '" + property + "'");
        return value;
    }

    private static List<String> textList(Schema record, String property) {
        Object value = record.getObjectProp(property);
        check(value instanceof List<?> list && list.stream().allMatch(String.class::isInstance), record,
                "needs the property '" + property + "' as a list of strings");
        List<String> texts = new ArrayList<>();
        ((List<?>) value).forEach(v -> texts.add((String) v));
        return List.copyOf(texts);
    }

    private static List<Schema> unionBranches(Schema envelope, String field) {
        return envelope.getField(field).schema().getTypes();
    }

    private static void check(boolean condition, Schema record, String problem) {
        if (!condition) {
            throw invalid(record, problem);
        }
    }

    private static IllegalStateException invalid(Schema record, String problem) {
        return new IllegalStateException("catalog record " + record.getFullName() + " " + problem);
    }
}
