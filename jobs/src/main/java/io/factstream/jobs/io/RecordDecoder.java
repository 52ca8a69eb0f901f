package io.factstream.jobs.io;

import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one Kafka record into exactly one stream element, without ever failing: what cannot be decoded becomes a
 * value that says so (a dead letter). The same decoder reads a topic through the Kafka source and a topic dump
 * file, so a job sees the same elements from either.
 *
 * @param <T> the element type
 */
public interface RecordDecoder<T> extends KafkaRecordDeserializationSchema<T> {

    /** Decodes one record; never throws. */
    T decode(ConsumerRecord<byte[], byte[]> record);

    @Override
    default void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        out.collect(decode(record));
    }
}
