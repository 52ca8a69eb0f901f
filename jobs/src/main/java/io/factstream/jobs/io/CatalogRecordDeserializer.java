package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.log.DeadLetter;

/**
 * Reads catalog records from Kafka without ever failing: each consumed record becomes either the decoded record
 * ({@link Either#Right}) or a {@link DeadLetter} ({@link Either#Left}) that keeps the original key and value bytes,
 * the source topic, partition, offset and timestamp, and the reason, ready for the context's DLQ topic. With
 * {@link #keyedBy}, a record whose Kafka key is not the one its content names is a dead letter too: per-aggregate
 * order rests on all of an aggregate's records sharing its key, and so its partition.
 *
 * <p>Both sides are Avro types, so Flink serializes the stream with its Avro serializer, never with Kryo.
 *
 * @param <T> the generated record class
 */
public final class CatalogRecordDeserializer<T extends SpecificRecordBase>
        implements RecordDecoder<Either<DeadLetter, T>> {

    /** The error type of a dead letter whose key is not the one its record names. */
    public static final String KEY_MISMATCH = "KEY_MISMATCH";

    private final Class<T> type;
    private final SerializableFunction<T, String> keyOf;
    private final String keyName;

    private transient SingleObjectCodec<T> codec;

    private CatalogRecordDeserializer(Class<T> type, SerializableFunction<T, String> keyOf, String keyName) {
        this.type = type;
        this.keyOf = keyOf;
        this.keyName = keyName;
    }

    /** A deserializer for records of this generated class, whatever their keys. */
    public static <T extends SpecificRecordBase> CatalogRecordDeserializer<T> forType(Class<T> type) {
        return new CatalogRecordDeserializer<>(type, null, null);
    }

    /** Events as the jobs that read the event store take them: keyed by their aggregate id. */
    public static CatalogRecordDeserializer<EventEnvelope> events() {
        return forType(EventEnvelope.class).keyedBy(EventEnvelope::getAggregateId, "aggregateId");
    }

    /** Rejections as the saga takes them: keyed by the rejected command's subject id. */
    public static CatalogRecordDeserializer<CommandRejected> rejections() {
        return forType(CommandRejected.class).keyedBy(CommandRejected::getSubjectId, "subjectId");
    }

    /**
     * This deserializer, checking that each record's key is the one its content names (its {@code keyName}, e.g.
     * the event's aggregate id): a record keyed otherwise becomes a dead letter that says so.
     */
    public CatalogRecordDeserializer<T> keyedBy(SerializableFunction<T, String> keyOf, String keyName) {
        return new CatalogRecordDeserializer<>(type, keyOf, keyName);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = SingleObjectCodec.forType(type);
    }

    /** Decodes one consumed record into the record or a dead letter; never throws. */
    @Override
    public Either<DeadLetter, T> decode(ConsumerRecord<byte[], byte[]> record) {
        if (codec == null) {
            codec = SingleObjectCodec.forType(type);
        }
        T decoded;
        try {
            decoded = codec.decode(record.value());
        } catch (UndecodableRecordException e) {
            return Either.Left(deadLetter(record, e.getMessage().replace('\n', ' '), e.errorType()));
        }
        if (keyOf != null) {
            String key = record.key() == null ? null : new String(record.key(), UTF_8);
            String named = keyOf.apply(decoded);
            if (!named.equals(key)) {
                return Either.Left(deadLetter(record, (key == null ? "the record has no key" : "the record's key '"
                        + key + "' is not its " + keyName + " '" + named + "'") + ": the records about one "
                        + "aggregate must share its key, and so its partition and its order", KEY_MISMATCH));
            }
        }
        return Either.Right(decoded);
    }

    private static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, String errorType) {
        return DeadLetter.newBuilder()
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setSourceTimestamp(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setReason(reason)
                .setErrorType(errorType)
                .build();
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroRecordTypeInfo<>(DeadLetter.class), new AvroRecordTypeInfo<>(type));
    }
}
