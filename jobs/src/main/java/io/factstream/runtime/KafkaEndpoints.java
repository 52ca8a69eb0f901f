package io.factstream.runtime;

import java.util.List;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.factstream.serde.CatalogRecordDeserializer;
import io.factstream.serde.DeadLetter;

/** Kafka sources and sinks as every factstream job uses them. */
public final class KafkaEndpoints {

    private KafkaEndpoints() {
    }

    /**
     * A source of catalog records that never fails on bad input (undecodable records arrive as dead letters). It
     * reads only committed records, because its inputs are written by transactional jobs whose aborted attempts
     * must stay unseen, and resumes from the group's committed offsets, or the earliest on a first start.
     */
    public static <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
            JobOptions options, Class<T> type, String groupId, List<String> topics) {
        KafkaSourceBuilder<Either<DeadLetter, T>> builder = KafkaSource.<Either<DeadLetter, T>>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topics)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(CatalogRecordDeserializer.forType(type))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (options.bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An exactly-once sink: records are written in Kafka transactions committed with Flink's checkpoints, so a
     * {@code read_committed} reader sees each record once, whatever fails.
     *
     * @param sinkUid the sink's uid; with the job's {@code --transactional-id-prefix} it makes the prefix of the
     *                sink's transactional ids, which must be unique among running jobs and stable across restarts
     */
    public static <T> KafkaSink<T> exactlyOnceSink(
            JobOptions options, KafkaRecordSerializationSchema<T> serializer, String sinkUid) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.transactionalIdPrefix + "-" + sinkUid)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(options.transactionTimeout.toMillis()))
                .build();
    }
}
