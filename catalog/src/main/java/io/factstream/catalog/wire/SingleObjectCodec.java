package io.factstream.catalog.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventUpcasters;

/**
 * Avro single-object encoding of one catalog record type: the marker {@code C3 01}, the 8-byte little-endian
 * CRC-64-AVRO fingerprint of the writer's schema, then the binary body. Any Avro client holding the catalog's
 * {@code .avsc} files reads these bytes without this class or a registry.
 *
 * <p>Decoding resolves the writer's schema by fingerprint among the record's {@linkplain RecordedSchemas versions},
 * so bytes written with a superseded schema are read into the current class. An event whose data is a superseded
 * version of its type (one Avro cannot resolve to the current version) comes out {@linkplain EventUpcasters lifted}
 * to the current version. Thread-safe.
 *
 * <p>Corrupt bytes can claim strings or arrays of up to 2 GiB. Unless already set, this class caps Avro's decoder
 * allocations at {@value #ALLOCATION_LIMIT} bytes or items (Kafka's default maximum record size), so that a bad
 * record fails to decode instead of exhausting the heap. Avro reads the caps once per JVM, so the cluster
 * configuration sets the same {@code org.apache.avro.limits.*} system properties at JVM start.
 *
 * @param <T> the generated record class
 */
public final class SingleObjectCodec<T extends SpecificRecord> {

    /** The error type of an event of a superseded version that no upcaster lifts to the current one. */
    public static final String NO_UPCASTER = "NO_UPCASTER";

    private static final int HEADER_LENGTH = 10;
    static final String ALLOCATION_LIMIT = "1048576";

    static {
        for (String limit : List.of(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY,
                SystemLimitException.MAX_STRING_LENGTH_PROPERTY, SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY)) {
            System.getProperties().putIfAbsent(limit, ALLOCATION_LIMIT);
        }
    }

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final UnaryOperator<T> upcasting;

    @SuppressWarnings("unchecked")
    private SingleObjectCodec(Class<T> type, EventUpcasters upcasters) {
        SpecificData model = FastReadingModel.of(type);
        this.schema = SpecificData.getForClass(type).getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, RecordedSchemas.versionsOf(schema));
        // T is EventEnvelope in the first case.
        this.upcasting = type == EventEnvelope.class
                ? event -> (T) upcasters.upcast((EventEnvelope) event) : UnaryOperator.identity();
    }

    /** The codec of a generated record class. */
    public static <T extends SpecificRecord> SingleObjectCodec<T> forType(Class<T> type) {
        return forType(type, EventUpcasters.discovered());
    }

    /** The codec of a generated record class, lifting superseded events with these upcasters. */
    static <T extends SpecificRecord> SingleObjectCodec<T> forType(Class<T> type, EventUpcasters upcasters) {
        return new SingleObjectCodec<>(type, upcasters);
    }

    /** The current (reader and writer) schema. */
    public Schema schema() {
        return schema;
    }

    /** Encodes with the current schema. A record missing a required field is a programming error and throws. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes bytes written with any known version of the record.
     *
     * @throws UndecodableRecordException for null, short, foreign, unknown-version or corrupt bytes, and for an
     *                                    event no upcaster lifts; never anything else
     */
    public T decode(byte[] bytes) throws UndecodableRecordException {
        if (bytes == null) {
            throw new UndecodableRecordException("no value (null) where a " + schema.getName() + " was expected",
                    "NO_VALUE", null);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new UndecodableRecordException("too short for Avro single-object encoding: " + bytes.length
                    + " bytes", "TRUNCATED", null);
        }
        T decoded;
        try {
            decoded = decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new UndecodableRecordException("not Avro single-object encoded: header "
                    + HexFormat.of().formatHex(bytes, 0, 2), e.getClass().getName(), e);
        } catch (MissingSchemaException e) {
            throw new UndecodableRecordException("unknown schema fingerprint " + fingerprintOf(bytes)
                    + ": not a known version of " + schema.getFullName(), e.getClass().getName(), e);
        } catch (IOException | RuntimeException e) {
            // Corrupt bodies surface as EOF, negative lengths, bad union indexes, limit violations, ...
            throw new UndecodableRecordException("corrupt " + schema.getName() + " body: " + e,
                    e.getClass().getName(), e);
        }
        try {
            return upcasting.apply(decoded);
        } catch (IllegalStateException e) {
            throw new UndecodableRecordException("cannot lift a superseded event: " + e.getMessage(), NO_UPCASTER, e);
        } catch (RuntimeException e) {
            // An upcaster's bug, which would otherwise fail the job on this record again and again.
            throw new UndecodableRecordException("the upcaster of a superseded event failed: " + e,
                    e.getClass().getName(), e);
        }
    }

    private static String fingerprintOf(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 2, HEADER_LENGTH);
    }
}
