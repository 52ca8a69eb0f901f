package io.factstream.catalog.wire;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;

/** Seeded random instances of generated catalog records, for round-trip and robustness tests. */
public final class RandomRecords {

    private static final SpecificData MODEL = SpecificData.getForClass(CommandEnvelope.class);

    private final Random random;

    public RandomRecords(long seed) {
        this.random = new Random(seed);
    }

    /** A command envelope carrying a random record of the given command schema. */
    public CommandEnvelope commandEnvelope(Schema commandData) {
        CommandEnvelope envelope = (CommandEnvelope) record(CommandEnvelope.getClassSchema());
        envelope.setCommandData(record(commandData));
        return envelope;
    }

    /** An event envelope carrying a random record of the given event schema. */
    public EventEnvelope eventEnvelope(Schema eventData) {
        EventEnvelope envelope = (EventEnvelope) record(EventEnvelope.getClassSchema());
        envelope.setEventData(record(eventData));
        return envelope;
    }

    /** A random instance of the record's generated class, every field set. */
    public IndexedRecord record(Schema schema) {
        IndexedRecord record = (IndexedRecord) MODEL.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            record.put(field.pos(), value(field.schema()));
        }
        return record;
    }

    private Object value(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> record(schema);
            case ENUM -> MODEL.createEnum(schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())),
                    schema);
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(value(schema.getElementType()));
                }
                yield items;
            }
            case UNION -> value(schema.getTypes().get(random.nextInt(schema.getTypes().size())));
            case STRING -> text();
            case LONG -> schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                    ? Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(Integer.MAX_VALUE))
                    : random.nextLong();
            case INT -> random.nextInt();
            case BOOLEAN -> random.nextBoolean();
            case DOUBLE -> random.nextDouble();
            case BYTES -> ByteBuffer.wrap(text().getBytes());
            case NULL -> null;
            default -> throw new IllegalArgumentException("no random values of " + schema);
        };
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            // Mostly ASCII, sometimes a multi-byte character, so that UTF-8 lengths differ from char counts.
            text.append(random.nextInt(10) == 0 ? 'ß' : (char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }
}
