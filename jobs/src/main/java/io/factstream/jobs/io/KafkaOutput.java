package io.factstream.jobs.io;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kernel.aggregate.AggregateSettings;

/**
 * Where a job writes: exactly-once Kafka sinks. Records are written in Kafka transactions committed with Flink's
 * checkpoints (in a batch run, one transaction per writer, committed at the end of the input), so a
 * {@code read_committed} reader sees each record once, whatever fails.
 *
 * @param connection            the cluster and the client properties
 * @param transactionalIdPrefix with a sink's uid, the prefix of its transactional ids: unique among running jobs,
 *                              stable across restarts of a job
 * @param transactionTimeout    below the broker's {@code transaction.max.timeout.ms}
 * @param jobName               the job whose outputs these are, whose {@link WriterFence} and sinks keep a second
 *                              instance of it from writing them; null for outputs no fence guards (a benchmark's)
 * @param takeOver              write even where another instance of the job got further (a replay in place)
 */
public record KafkaOutput(KafkaConnection connection, String transactionalIdPrefix, Duration transactionTimeout,
                          String jobName, boolean takeOver) {

    /** An exactly-once sink whose transactional ids start with the prefix and the sink's uid. */
    public <T> KafkaSink<T> exactlyOnceSink(KafkaRecordSerializationSchema<T> serializer, String sinkUid) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(connection.properties(Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        String.valueOf(transactionTimeout.toMillis()))))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + sinkUid)
                .build();
    }

    /**
     * Writes a stream to an {@linkplain #exactlyOnceSink exactly-once sink} with this uid and name; in a streaming
     * run of a job, one that checks the job's writer lease first ({@link FencedKafkaSink}).
     *
     * <p>In a batch run the sink is fed through an operator of its own: a sink writer fed by several pipelined
     * regions (a union) is not chained to its committer, and the two, which must share a slot, would end up in
     * different slot sharing groups and regions. Chained behind the extra operator, they stay together.
     */
    public <T> DataStreamSink<T> write(DataStream<T> stream, KafkaRecordSerializationSchema<T> serializer,
                                       String sinkUid, String name) {
        KafkaSink<T> sink = exactlyOnceSink(serializer, sinkUid);
        if (stream.getExecutionEnvironment().getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
                == RuntimeExecutionMode.BATCH) {
            return stream.map(value -> value, stream.getType()).uid(sinkUid + "-input").name(name + " input")
                    .sinkTo(sink).uid(sinkUid).name(name);
        }
        return stream.sinkTo(jobName == null ? sink : new FencedKafkaSink<>(sink, connection, writer(), takeOver))
                .uid(sinkUid).name(name);
    }

    /**
     * Passes a stream through the {@link WriterFence} of the job, so that no second instance of it writes these
     * outputs; in a batch run, which has no checkpoints and writes where nothing runs, the stream as it is.
     */
    public <T> DataStream<T> fenced(DataStream<T> stream, String uid) {
        if (stream.getExecutionEnvironment().getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
                == RuntimeExecutionMode.BATCH) {
            return stream;
        }
        WriterFence<T> fence = new WriterFence<>(connection, writer(), transactionalIdPrefix + "-fence-" + uid,
                takeOver);
        return stream.process(fence, stream.getType()).uid(uid).name("writer fence");
    }

    /** The key of the job's lease: its name and transactional-id prefix, which name its outputs. */
    private String writer() {
        return jobName + " " + transactionalIdPrefix;
    }

    /**
     * The Kafka timestamp of an output record: the business time of what it says, so that a replay or a backfill
     * writes the same timestamps as the live run. The aggregates date what they write at most
     * {@link AggregateSettings#CLOCK_SKEW_LIMIT} ahead of the command's record, and everything else follows their
     * events. Only a command record dated ahead of the broker's clock, or an event no aggregate wrote, can lead to an
     * output dated further ahead of this clock: it is stamped at that limit, which the broker accepts.
     */
    public static Long recordTimestamp(Instant businessTime) {
        return Math.min(businessTime.toEpochMilli(), System.currentTimeMillis() + AggregateSettings.CLOCK_SKEW_LIMIT.toMillis());
    }
}
