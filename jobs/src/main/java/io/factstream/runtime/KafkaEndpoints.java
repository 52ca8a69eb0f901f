package io.factstream.runtime;

import java.time.Instant;
import java.util.List;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.factstream.serde.RecordDecoder;

/** Kafka sources and sinks as every factstream job uses them. */
public final class KafkaEndpoints {

    private KafkaEndpoints() {
    }

    /**
     * A source that never fails on bad input (the decoder turns undecodable records into dead letters). It reads
     * only committed records, because its inputs are written by transactional jobs whose aborted attempts must stay
     * unseen. It starts at {@code --from} (by default the group's committed offsets, or the earliest on a first
     * start) and, when the job is bounded, ends at {@code --until} (by default the latest offsets as it starts).
     */
    public static <T> KafkaSource<T> source(JobOptions options, RecordDecoder<T> decoder, String groupId,
                                            List<String> topics) {
        KafkaSourceBuilder<T> builder = KafkaSource.<T>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topics)
                .setGroupId(groupId)
                .setStartingOffsets(options.start().offsets(true))
                .setDeserializer(decoder)
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (options.isBounded()) {
            builder.setBounded(options.end().offsets(false));
        }
        return builder.build();
    }

    /**
     * An exactly-once sink: records are written in Kafka transactions committed with Flink's checkpoints (in a
     * batch run, one transaction per writer, committed at the end of the input), so a {@code read_committed} reader
     * sees each record once, whatever fails. It writes to {@code --output-bootstrap-servers}.
     *
     * @param sinkUid the sink's uid; with the job's {@code --transactional-id-prefix} it makes the prefix of the
     *                sink's transactional ids, which must be unique among running jobs and stable across restarts
     */
    public static <T> KafkaSink<T> exactlyOnceSink(
            JobOptions options, KafkaRecordSerializationSchema<T> serializer, String sinkUid) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(options.outputServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.transactionalIdPrefix + "-" + sinkUid)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(options.transactionTimeout.toMillis()))
                .build();
    }

    /**
     * Writes a stream to an {@linkplain #exactlyOnceSink exactly-once sink} with this uid and name.
     *
     * <p>In a batch run the sink is fed through an operator of its own: a sink writer fed by several pipelined
     * regions (a union) is not chained to its committer, and the two, which must share a slot, would end up in
     * different slot sharing groups and regions. Chained behind the extra operator, they stay together.
     */
    public static <T> DataStreamSink<T> write(DataStream<T> stream, JobOptions options,
                                              KafkaRecordSerializationSchema<T> serializer, String sinkUid,
                                              String name) {
        DataStream<T> input = stream;
        if (options.mode == RuntimeExecutionMode.BATCH) {
            input = stream.map(value -> value, stream.getType()).uid(sinkUid + "-input").name(name + " input");
        }
        return input.sinkTo(exactlyOnceSink(options, serializer, sinkUid)).uid(sinkUid).name(name);
    }

    /**
     * The Kafka timestamp of an output record: the business time of what it says, so that a replay or a backfill
     * writes the same timestamps as the live run, but never ahead of this clock, as the broker refuses timestamps
     * too far in its future.
     */
    public static Long recordTimestamp(Instant businessTime) {
        return Math.min(businessTime.toEpochMilli(), System.currentTimeMillis());
    }
}
