package io.factstream.domain.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.Role;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.catalog.wire.RecordedSchemas;
import io.factstream.domain.Views;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.view.ViewDefinition;

/**
 * Renders the event catalog as Markdown ({@code docs/event-catalog.md}) from the Avro schemas, the
 * {@link EventCatalog} properties, the {@link Menu} and the {@link TopicCatalog}: roles, menu, topics, envelopes,
 * then per context one section per command type and per event type answering the catalog's questions, shared
 * types and schema history.
 *
 * <p>{@code main(path)} writes the file; a test fails when the committed file differs from what this renders.
 */
public final class EventCatalogDocument {

    /** Where the document lives, relative to the repository root. */
    public static final String PATH = "docs/event-catalog.md";

    private final EventCatalog catalog;
    private final StringBuilder out = new StringBuilder();

    private EventCatalogDocument(EventCatalog catalog) {
        this.catalog = catalog;
    }

    /** Writes the document to the given path (default {@value #PATH}). */
    public static void main(String[] args) throws IOException {
        Path path = Path.of(args.length > 0 ? args[0] : PATH);
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.writeString(path, render(EventCatalog.get()), StandardCharsets.UTF_8);
        System.out.println("wrote " + path);
    }

    /** The document for a catalog. */
    public static String render(EventCatalog catalog) {
        return new EventCatalogDocument(catalog).document();
    }

    private String document() {
        line("# factstream event catalog");
        line();
        line("Generated from the Avro schemas in `catalog/src/main/avro` by `EventCatalogDocument`; do not edit.");
        line("Regenerate with `mvn -q -pl domain -am process-classes -Pdocs` (a test fails when");
        line("this file is out of date).");
        line();
        line("Every value on a topic is Avro single-object encoded (`C3 01`, the 8-byte CRC-64-AVRO fingerprint of the");
        line("writer schema, the binary body); every key is a UTF-8 string. Money is integer cents of the shop's");
        line("currency (EUR), or a `Money` naming its currency; time is `timestamp-millis`. Each event has a unique");
        line("`eventId` (a name-based UUID of its commandId and index) and a `sequenceNumber` that numbers its");
        line("aggregate's stream 1, 2, 3, ... without gaps. An event type changed in a way Avro cannot resolve keeps");
        line("its superseded versions, which upcasters lift to the current one wherever events are read.");
        line();
        roles();
        menu();
        topics();
        views();
        envelopes();
        for (BoundedContext context : BoundedContext.values()) {
            context(context);
        }
        sharedTypes();
        schemaHistory();
        return out.toString();
    }

    private void roles() {
        line("## Roles");
        line();
        line("| role | who | may send |");
        line("|---|---|---|");
        for (Role role : Role.values()) {
            String commands = catalog.commandTypes().stream()
                    .filter(c -> c.allowedRoles().contains(role))
                    .map(CommandType::name)
                    .collect(Collectors.joining(", "));
            line("| `" + role + "` | " + role.description() + " | " + commands + " |");
        }
        line();
    }

    private void menu() {
        line("## Menu");
        line();
        line("Orders are priced from this menu, in integer cents; a size without a price is not offered.");
        line();
        StringBuilder header = new StringBuilder("| pizza |");
        StringBuilder rule = new StringBuilder("|---|");
        for (PizzaSize size : PizzaSize.values()) {
            header.append(' ').append(size).append(" |");
            rule.append("---:|");
        }
        line(header.toString());
        line(rule.toString());
        Menu.standard().pizzas().forEach((pizza, prices) -> {
            StringBuilder row = new StringBuilder("| `" + pizza + "` |");
            for (PizzaSize size : PizzaSize.values()) {
                row.append(' ').append(prices.containsKey(size) ? prices.get(size).toString() : "-").append(" |");
            }
            line(row.toString());
        });
        line();
    }

    private void views() {
        line("## Views");
        line();
        line("Read models, the last-versioned way: every version of a row on `views.<view>.history`, the latest on the");
        line("compacted `views.<view>.latest` (a tombstone when a row is deleted). Each view is a row record of");
        line("`ViewRow.row` and a definition in `io.factstream.domain.Views`.");
        line();
        line("| view | row | what a row holds | events without the row's key |");
        line("|---|---|---|---|");
        for (ViewDefinition<?> view : Views.all()) {
            ViewCatalog.ViewType type = ViewCatalog.get().viewType(view.name());
            line("| `" + view.name() + "` | `" + type.row().getName() + "` | " + md(type.doc()) + " | "
                    + view.lookup().map(lookup -> "found through `" + lookup.name() + "`").orElse("-") + " |");
        }
        line();
    }

    private void topics() {
        line("## Topics");
        line();
        line("Standard sizing: " + TopicCatalog.DEFAULT_PARTITIONS + " partitions, replication factor "
                + TopicCatalog.DEFAULT_REPLICATION_FACTOR + " (both set per cluster with `topics ensure`).");
        line();
        line("| topic | cleanup | retention | holds |");
        line("|---|---|---|---|");
        for (TopicSpec topic : TopicCatalog.standard().topics()) {
            String retention = topic.retentionMs()
                    .map(ms -> ms < 0 ? "forever" : (ms / 86_400_000L) + " days")
                    .orElse("-");
            line("| `" + topic.name() + "` | " + topic.cleanupPolicy() + " | " + retention + " | "
                    + topic.purpose() + " |");
        }
        line();
    }

    private void envelopes() {
        line("## Envelopes");
        line();
        for (Schema envelope : List.of(CommandEnvelope.getClassSchema(), EventEnvelope.getClassSchema(),
                CommandRejected.getClassSchema())) {
            line("### " + envelope.getName());
            line();
            line(md(envelope.getDoc()));
            line();
            fields(envelope);
        }
        Schema reasons = RejectionReason.getClassSchema();
        line("### " + reasons.getName());
        line();
        line(md(reasons.getDoc()) + " One of: " + symbols(reasons) + ".");
        line();
    }

    private void context(BoundedContext context) {
        line("## Context `" + context.id() + "`: the " + context.aggregateType() + " aggregate");
        line();
        line("Commands arrive on `" + context.commandsTopic() + "`, events are published to `"
                + context.eventsTopic() + "`, rejections to `" + context.rejectionsTopic()
                + "`, undecodable records to `" + context.deadLetterTopic() + "`. All are keyed by the "
                + context.aggregateType() + " id.");
        line();
        for (CommandType command : catalog.commandTypes(context)) {
            command(command);
        }
        for (EventType event : catalog.eventTypes(context)) {
            event(event);
        }
    }

    private void command(CommandType command) {
        line("### Command: " + command.name());
        line();
        line(md(command.doc()));
        line();
        line("- **Allowed roles:** " + command.allowedRoles().stream().sorted().map(r -> "`" + r + "`")
                .collect(Collectors.joining(", ")));
        line("- **Sent by:** " + md(command.sentBy()));
        line("- **Handled by:** the " + command.context().id() + " job, by the " + command.context().aggregateType()
                + " whose id is the subjectId");
        line("- **Produces:** " + String.join(", ", command.produces()) + "; otherwise one CommandRejected");
        line("- **Rules:**");
        for (int i = 0; i < command.rules().size(); i++) {
            line("  " + (i + 1) + ". " + md(command.rules().get(i)));
        }
        line();
        fields(command.schema());
    }

    private void event(EventType event) {
        List<CommandType> causes = catalog.producersOf(event.name());
        line("### Event: " + event.name());
        line();
        line("| question | answer |");
        line("|---|---|");
        line("| unique name | `" + event.name() + "` (schema version " + event.version() + ") |");
        line("| meaning | " + md(event.doc()) + " |");
        line("| aggregate | " + event.aggregateType() + " |");
        line("| topic | `" + event.topic() + "` |");
        line("| published by, when | " + md(event.publishedWhen()) + " |");
        line("| caused by | " + causes.stream().map(CommandType::name).collect(Collectors.joining(", ")) + " |");
        line("| who can cause it | " + causes.stream().flatMap(c -> c.allowedRoles().stream()).distinct().sorted()
                .map(r -> "`" + r + "`").collect(Collectors.joining(", ")) + " |");
        line("| subscribers | " + md(String.join("; ", event.subscribers())) + " |");
        line();
        fields(event.schema());
        for (Schema superseded : event.superseded()) {
            line("Superseded version " + superseded.getObjectProp("version") + ", `" + superseded.getFullName()
                    + "`: still in the event store, never written any more, and read lifted to version "
                    + event.version() + " by its upcaster.");
            line();
            fields(superseded);
        }
    }

    private void sharedTypes() {
        line("## Shared types");
        line();
        Map<String, Schema> shared = new TreeMap<>();
        for (CommandType command : catalog.commandTypes()) {
            collectNamedTypes(command.schema(), shared);
        }
        for (EventType event : catalog.eventTypes()) {
            collectNamedTypes(event.schema(), shared);
        }
        for (Schema type : shared.values()) {
            line("### " + type.getName());
            line();
            if (type.getType() == Schema.Type.ENUM) {
                line(md(type.getDoc()) + " One of: " + symbols(type) + ".");
                line();
            } else {
                line(md(type.getDoc()));
                line();
                fields(type);
            }
        }
    }

    private void schemaHistory() {
        line("## Schema versions");
        line();
        line("Every version ever released of the records that outlive a release: on the topics, readers resolve the");
        line("writer's schema by fingerprint among them, so records written before a change stay readable; in");
        line("savepoints, the jobs read state written by any of them.");
        line();
        line("| record | kept in | version | fingerprint (CRC-64-AVRO) |");
        line("|---|---|---|---|");
        Map<String, String> keptIn = new LinkedHashMap<>();
        RecordedSchemas.WIRE.forEach(schema -> keptIn.put(schema.getFullName(), "topics"));
        RecordedSchemas.STATE.forEach(schema -> keptIn.merge(schema.getFullName(), "savepoints", (a, b) -> a + ", " + b));
        keptIn.forEach((name, where) -> {
            List<Schema> versions = RecordedSchemas.versions(name);
            for (int i = 0; i < versions.size(); i++) {
                line("| " + versions.get(i).getName() + " | " + where + " | " + (i + 1)
                        + (i == versions.size() - 1 ? " (current)" : "") + " | `" + fingerprint(versions.get(i)) + "` |");
            }
        });
        line();
    }

    private void fields(Schema record) {
        if (record.getFields().isEmpty()) {
            line("No fields.");
            line();
            return;
        }
        line("| field | type | meaning |");
        line("|---|---|---|");
        for (Schema.Field field : record.getFields()) {
            line("| `" + field.name() + "` | " + typeName(field.schema()) + " | " + md(field.doc()) + " |");
        }
        line();
    }

    private static String typeName(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            return logical.getName();
        }
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getName();
            case ARRAY -> "array of " + typeName(schema.getElementType());
            case MAP -> "map of " + typeName(schema.getValueType());
            case UNION -> schema.getTypes().size() > 3
                    ? "one of " + schema.getTypes().size() + " records"
                    : schema.getTypes().stream().map(EventCatalogDocument::typeName)
                            .collect(Collectors.joining(" or "));
            default -> schema.getType().getName();
        };
    }

    private static void collectNamedTypes(Schema schema, Map<String, Schema> into) {
        for (Schema.Field field : schema.getFields()) {
            collectFieldTypes(field.schema(), into);
        }
    }

    private static void collectFieldTypes(Schema schema, Map<String, Schema> into) {
        switch (schema.getType()) {
            case RECORD -> {
                if (into.put(schema.getFullName(), schema) == null) {
                    collectNamedTypes(schema, into);
                }
            }
            case ENUM -> into.put(schema.getFullName(), schema);
            case ARRAY -> collectFieldTypes(schema.getElementType(), into);
            case MAP -> collectFieldTypes(schema.getValueType(), into);
            case UNION -> schema.getTypes().forEach(t -> collectFieldTypes(t, into));
            default -> {
            }
        }
    }

    private static String symbols(Schema enumSchema) {
        return enumSchema.getEnumSymbols().stream().map(s -> "`" + s + "`").collect(Collectors.joining(", "));
    }

    private static String fingerprint(Schema schema) {
        return String.format("%016x", SchemaNormalization.parsingFingerprint64(schema));
    }

    /** Schema docs are plain text: keep {@code <context>} visible and table cells whole. */
    private static String md(String text) {
        return text.replace("<", "&lt;").replace("|", "\\|");
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    private void line() {
        out.append('\n');
    }
}
