package io.factstream.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.payments.PaymentAuthorized;
import io.factstream.catalog.wire.RecordedSchemas;

/**
 * Writes events as the release before PaymentAuthorized version 2 wrote them: in version 2 of the recorded
 * EventEnvelope schema, whose PaymentAuthorized (version 1) said its amounts in integer cents. What the event store
 * of a platform upgraded across that change holds from before the upgrade.
 */
public final class PreviousRelease {

    /** The writer schema of the previous release. */
    public static final Schema ENVELOPE = RecordedSchemas.versions(EventEnvelope.getClassSchema().getFullName()).get(1);

    private static final BinaryMessageEncoder<GenericRecord> ENCODER =
            new BinaryMessageEncoder<>(GenericData.get(), ENVELOPE);

    private PreviousRelease() {
    }

    /** The event's bytes as the previous release wrote them. */
    public static byte[] encode(EventEnvelope event) {
        EventEnvelope written = event;
        if (event.getEventData() instanceof io.factstream.catalog.payments.v2.PaymentAuthorized authorized) {
            written = EventEnvelope.newBuilder(event).setSchemaVersion(1).setEventData(new PaymentAuthorized(
                    authorized.getOrderId(), authorized.getAmount().getMinorUnits(),
                    authorized.getAvailable().getMinorUnits())).build();
        }
        try {
            ByteBuffer buffer = ENCODER.encode((GenericRecord) generic(written, ENVELOPE));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value of a generated class as a generic datum of the writer's schema, field by field by name. */
    private static Object generic(Object value, Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> {
                SpecificRecord record = (SpecificRecord) value;
                GenericRecord generic = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    generic.put(field.name(), generic(record.get(record.getSchema().getField(field.name()).pos()),
                            field.schema()));
                }
                yield generic;
            }
            case UNION -> value == null ? null
                    : generic(value, schema.getTypes().get(GenericData.get().resolveUnion(schema, value)));
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                ((List<?>) value).forEach(item -> items.add(generic(item, schema.getElementType())));
                yield items;
            }
            case ENUM -> new GenericData.EnumSymbol(schema, value.toString());
            case LONG -> value instanceof Instant instant ? instant.toEpochMilli() : value;
            default -> value;
        };
    }
}
