package io.factstream.jobs.io;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.log.DeadLetter;

/**
 * Reads catalog records from Kafka without ever failing: each consumed record becomes either the decoded record
 * ({@link Either#Right}) or a {@link DeadLetter} ({@link Either#Left}) that keeps the original key and value bytes,
 * the source topic, partition, offset and timestamp, and the reason, ready for the context's DLQ topic.
 *
 * <p>Both sides are Avro types, so Flink serializes the stream with its Avro serializer, never with Kryo.
 *
 * @param <T> the generated record class
 */
public final class CatalogRecordDeserializer<T extends SpecificRecordBase>
        implements RecordDecoder<Either<DeadLetter, T>> {

    private final Class<T> type;

    private transient SingleObjectCodec<T> codec;

    private CatalogRecordDeserializer(Class<T> type) {
        this.type = type;
    }

    /** A deserializer for records of this generated class. */
    public static <T extends SpecificRecordBase> CatalogRecordDeserializer<T> forType(Class<T> type) {
        return new CatalogRecordDeserializer<>(type);
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
        try {
            return Either.Right(codec.decode(record.value()));
        } catch (UndecodableRecordException e) {
            return Either.Left(DeadLetter.newBuilder()
                    .setSourceTopic(record.topic())
                    .setSourcePartition(record.partition())
                    .setSourceOffset(record.offset())
                    .setSourceTimestamp(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                    .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                    .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                    .setReason(e.getMessage().replace('\n', ' '))
                    .setErrorType(e.errorType())
                    .build());
        }
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(type));
    }
}
