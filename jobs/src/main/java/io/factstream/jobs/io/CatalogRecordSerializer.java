package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.factstream.catalog.wire.SingleObjectCodec;

/**
 * Writes catalog records to Kafka: the value in Avro single-object encoding, the key as a UTF-8 string taken from
 * the record (for envelopes, the aggregate id, so that one aggregate's records stay in one partition and in order).
 *
 * The Kafka timestamp is the stream record's timestamp, or one taken from the record.
 *
 * <pre>{@code
 * CatalogRecordSerializer.builder(EventEnvelope.class)
 *         .topic(BoundedContext.ORDERS.eventsTopic())
 *         .key(EventEnvelope::getAggregateId)
 *         .build();
 * }</pre>
 *
 * @param <T> the generated record class
 */
public final class CatalogRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private final Class<T> type;
    private final SerializableFunction<T, String> topic;
    private final SerializableFunction<T, String> key;
    /** Null: the stream record's timestamp. */
    private final SerializableFunction<T, Long> timestamp;
    /** Null: never a tombstone. */
    private final SerializableFunction<T, Boolean> tombstone;

    private transient SingleObjectCodec<T> codec;

    private CatalogRecordSerializer(Builder<T> builder) {
        this.type = builder.type;
        this.topic = Objects.requireNonNull(builder.topic, "topic");
        this.key = Objects.requireNonNull(builder.key, "key");
        this.timestamp = builder.timestamp;
        this.tombstone = builder.tombstone;
    }

    /** Starts a serializer for records of this generated class. */
    public static <T extends SpecificRecord> Builder<T> builder(Class<T> type) {
        return new Builder<>(type);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        codec = SingleObjectCodec.forType(type);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long streamTimestamp) {
        if (codec == null) {
            codec = SingleObjectCodec.forType(type);
        }
        Long recordTimestamp = timestamp == null ? streamTimestamp : timestamp.apply(element);
        byte[] value = tombstone != null && tombstone.apply(element) ? null : codec.encode(element);
        return new ProducerRecord<>(topic.apply(element), null, recordTimestamp, key.apply(element).getBytes(UTF_8),
                value);
    }

    /** Builds a {@link CatalogRecordSerializer}; topic and key are required. */
    public static final class Builder<T extends SpecificRecord> {
        private final Class<T> type;
        private SerializableFunction<T, String> topic;
        private SerializableFunction<T, String> key;
        private SerializableFunction<T, Long> timestamp;
        private SerializableFunction<T, Boolean> tombstone;

        private Builder(Class<T> type) {
            this.type = type;
        }

        /** Every record goes to this topic. */
        public Builder<T> topic(String name) {
            Objects.requireNonNull(name, "topic");
            this.topic = record -> name;
            return this;
        }

        /** Each record goes to the topic chosen from it, e.g. the commands topic of its context. */
        public Builder<T> topicSelector(SerializableFunction<T, String> selector) {
            this.topic = selector;
            return this;
        }

        /** The record key, written as UTF-8. */
        public Builder<T> key(SerializableFunction<T, String> key) {
            this.key = key;
            return this;
        }

        /** The Kafka timestamp, in epoch milliseconds, taken from the record instead of the stream record. */
        public Builder<T> timestamp(SerializableFunction<T, Long> timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /** Writes a null value (a tombstone, for compacted topics) instead of the records this is true of. */
        public Builder<T> tombstoneWhen(SerializableFunction<T, Boolean> tombstone) {
            this.tombstone = tombstone;
            return this;
        }

        public CatalogRecordSerializer<T> build() {
            return new CatalogRecordSerializer<>(this);
        }
    }
}
