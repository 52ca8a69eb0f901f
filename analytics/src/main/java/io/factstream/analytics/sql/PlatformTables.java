package io.factstream.analytics.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.table.types.logical.RowType;

import io.factstream.analytics.format.FactstreamAvroFormatFactory;
import io.factstream.analytics.format.SqlShapes;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * The platform's topics as Flink SQL tables, generated from the topic catalog and the record types its topics
 * hold: per context {@code <ctx>_events}, {@code <ctx>_rejections} and {@code <ctx>_commands}, read
 * {@code read_committed} from the earliest offset through the {@value FactstreamAvroFormatFactory#IDENTIFIER}
 * format, with the Kafka partition and offset as metadata columns and a watermark on business time
 * ({@code creationTimestamp}, {@value #OUT_OF_ORDERNESS} behind).
 */
public final class PlatformTables {

    /** How far behind the latest business time seen the watermark of a table runs. */
    public static final String OUT_OF_ORDERNESS = "INTERVAL '5' SECOND";

    /**
     * One table.
     *
     * @param name   its SQL name, e.g. {@code orders_events}
     * @param topic  the topic it reads
     * @param record the catalog record its values are
     */
    public record Table(String name, String topic, Class<? extends SpecificRecord> record) {
    }

    private PlatformTables() {
    }

    /** Every table: for each context its events, rejections and commands. */
    public static List<Table> all() {
        List<Table> tables = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            tables.add(new Table(context.id() + "_events", context.eventsTopic(), EventEnvelope.class));
            tables.add(new Table(context.id() + "_rejections", context.rejectionsTopic(), CommandRejected.class));
            tables.add(new Table(context.id() + "_commands", context.commandsTopic(), CommandEnvelope.class));
        }
        return List.copyOf(tables);
    }

    /**
     * The {@code CREATE TABLE} statement of a table on this cluster, with its client properties (as
     * {@code properties.*} options).
     *
     * @param bounded whether a scan ends at the offsets that are latest when it starts (a batch query), or runs on
     */
    public static String ddl(Table table, KafkaConnection kafka, boolean bounded) {
        RowType row = (RowType) SqlShapes.dataType(table.record()).getLogicalType();
        List<String> columns = new ArrayList<>();
        row.getFields().forEach(field -> columns.add(quote(field.getName()) + " "
                + field.getType().asSerializableString()));
        columns.add("`kafkaPartition` INT METADATA FROM 'partition' VIRTUAL");
        columns.add("`kafkaOffset` BIGINT METADATA FROM 'offset' VIRTUAL");
        columns.add("WATERMARK FOR `creationTimestamp` AS `creationTimestamp` - " + OUT_OF_ORDERNESS);

        Map<String, String> options = new LinkedHashMap<>();
        options.put("connector", "kafka");
        options.put("topic", table.topic());
        options.put("properties.bootstrap.servers", kafka.bootstrapServers());
        kafka.clientProperties().forEach((key, value) -> options.put("properties." + key, value));
        options.put("properties.isolation.level", "read_committed");
        options.put("scan.startup.mode", "earliest-offset");
        if (bounded) {
            options.put("scan.bounded.mode", "latest-offset");
        }
        options.put("format", FactstreamAvroFormatFactory.IDENTIFIER);
        options.put(FactstreamAvroFormatFactory.IDENTIFIER + "." + FactstreamAvroFormatFactory.RECORD.key(),
                table.record().getName());
        return "CREATE TABLE " + quote(table.name()) + " (\n  " + String.join(",\n  ", columns) + "\n) WITH (\n  "
                + options.entrySet().stream().map(option -> literal(option.getKey()) + " = "
                        + literal(option.getValue())).collect(Collectors.joining(",\n  ")) + "\n)";
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
