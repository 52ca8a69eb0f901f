package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.log.WriterLease;

/**
 * The writers' leases on {@value TopicCatalog#WRITERS}, as {@link WriterFence} keeps them and as it and
 * {@link FencedKafkaSink} check them: which Flink job writes a writer's outputs, up to which completed checkpoint.
 */
final class Leases {

    private static final SingleObjectCodec<WriterLease> LEASES = SingleObjectCodec.forType(WriterLease.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private Leases() {
    }

    /**
     * Fails, for good (no restarts), when another job has completed a checkpoint of the writer after the one this
     * instance restored from ({@code restored}, 0 when it started without state), unless {@code takeOver}.
     */
    static void refuseIfAnotherGotFurther(KafkaConnection connection, String writer, String jobId, long restored,
                                          boolean takeOver) {
        Optional<String> refusal = refusal(read(connection, writer), jobId, restored, takeOver);
        if (refusal.isPresent()) {
            throw new SuppressRestartsException(new IllegalStateException(writer + ": " + refusal.get()));
        }
    }

    /**
     * Why an instance must not write, if it must not: another job has completed a checkpoint after the one this
     * instance restored from ({@code restored}, 0 when it started without state).
     */
    static Optional<String> refusal(Optional<WriterLease> lease, String jobId, long restored, boolean takeOver) {
        if (lease.isEmpty() || takeOver || lease.get().getJobId().equals(jobId)
                || lease.get().getCompletedCheckpointId() <= restored) {
            return Optional.empty();
        }
        return Optional.of("Flink job " + lease.get().getJobId() + " writes these outputs and has completed "
                + "checkpoint " + lease.get().getCompletedCheckpointId() + ", after "
                + (restored == 0 ? "the empty state this instance started from" : "checkpoint " + restored
                + ", which this instance restored") + "; this instance would write again what that one wrote, so it "
                + "stops without writing anything. Stop the other instance first, or restore from its latest "
                + "savepoint.");
    }

    /** A lease as its record's value. */
    static byte[] encode(WriterLease lease) {
        return LEASES.encode(lease);
    }

    /** The writer's lease as last committed, if it has one. */
    static Optional<WriterLease> read(KafkaConnection connection, String writer) {
        TopicPartition partition = new TopicPartition(TopicCatalog.WRITERS, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = connection.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            if (consumer.partitionsFor(TopicCatalog.WRITERS, READ_TIMEOUT).isEmpty()) {
                throw new IllegalStateException("there is no topic " + TopicCatalog.WRITERS + " on "
                        + connection.bootstrapServers() + ": create the catalog's topics first (topics ensure)");
            }
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), READ_TIMEOUT).get(partition);
            Instant deadline = Instant.now().plus(READ_TIMEOUT);
            WriterLease lease = null;
            while (consumer.position(partition, READ_TIMEOUT) < end) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("cannot read " + TopicCatalog.WRITERS + " within "
                            + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && writer.equals(new String(record.key(), UTF_8))
                            && record.value() != null) {
                        lease = LEASES.decode(record.value());
                    }
                }
            }
            return Optional.ofNullable(lease);
        } catch (UndecodableRecordException e) {
            throw new IllegalStateException("the lease of " + writer + " on " + TopicCatalog.WRITERS
                    + " does not decode: " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new IllegalStateException("cannot read the lease of " + writer + " on " + TopicCatalog.WRITERS
                    + ": " + e.getMessage(), e);
        }
    }
}
