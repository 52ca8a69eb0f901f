package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.log.WriterLease;

/**
 * The guard that keeps a second instance of a job from writing what the first one writes: two instances of an
 * aggregate job started from different states would both append to the event store (the same event id twice,
 * sequence numbers going back), two sagas would send every command twice.
 *
 * <p>An instance's outputs are the job's name and transactional-id prefix: a replay into another cluster, or a
 * second instance given a prefix of its own (a rebuild), is another writer and is not fenced. For one writer, the
 * lease on {@value TopicCatalog#WRITERS} says which Flink job writes and up to which completed checkpoint. Subtask 0
 * of this pass-through operator keeps it:
 *
 * <ol>
 *   <li>On start (and every restart) it reads the lease. If another job completed a checkpoint after the one this
 *       instance restored from, this instance would process again what the other has already written: it fails with
 *       {@link SuppressRestartsException}, so it never restarts, and writes nothing. Otherwise it initialises the
 *       writer's fencing transactional id, which fences the producer of any instance that held it, reads the lease
 *       again (the other may have got further meanwhile) and takes it. {@code takeOver} skips the check, for a
 *       replay in place that is meant to write again.</li>
 *   <li>Before each checkpoint it writes the lease in a transaction. Fenced by a later instance, it fails the
 *       checkpoint, so its sinks never commit what that checkpoint covers; the restart that follows goes through
 *       step 1, which stops it for good if the other instance got further.</li>
 *   <li>When a checkpoint completes it writes the lease again with that checkpoint, so that a stale instance started
 *       a moment later already sees how far this one got.</li>
 * </ol>
 *
 * <p>What it covers: a second instance started from older state than the running one (from an older savepoint, from
 * the ledger's last savepoint after Flink's CLI upgraded the job, from nothing), refused before it writes; a copy
 * started from a savepoint of a job that keeps running, refused or, if it started first, the original fenced at its
 * next checkpoint. What it does not: two instances started from the same savepoint within the moment between one
 * completing a checkpoint and writing its lease; a writer that does not use the guard.
 *
 * @param <T> the records passing through
 */
public final class WriterFence<T> extends ProcessFunction<T, T> implements CheckpointedFunction, CheckpointListener {

    private static final SingleObjectCodec<WriterLease> LEASES = SingleObjectCodec.forType(WriterLease.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaConnection connection;
    private final String writer;
    private final String transactionalId;
    private final boolean takeOver;

    private transient KafkaProducer<byte[], byte[]> producer;
    private transient String jobId;
    private transient long completed;

    /**
     * @param connection       the Kafka the job writes to, where its lease lives
     * @param writer           the lease's key: the job's name and transactional-id prefix
     * @param transactionalId  the fencing transactional id every instance of that writer uses
     * @param takeOver         take the lease even from an instance that got further
     */
    public WriterFence(KafkaConnection connection, String writer, String transactionalId, boolean takeOver) {
        this.connection = connection;
        this.writer = writer;
        this.transactionalId = transactionalId;
        this.takeOver = takeOver;
    }

    @Override
    public void processElement(T value, Context context, Collector<T> out) {
        out.collect(value);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() != 0) {
            return;
        }
        jobId = getRuntimeContext().getJobInfo().getJobId().toString();
        completed = context.getRestoredCheckpointId().orElse(0L);
        refuseIfAnotherGotFurther(); // before fencing, so that a stale instance does not disturb the running one
        producer = connection.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"));
        producer.initTransactions(); // fences whichever instance held the id before this one
        refuseIfAnotherGotFurther(); // again: the other may have completed a checkpoint before it was fenced
        writeLease();
    }

    private void refuseIfAnotherGotFurther() {
        Optional<String> refusal = refusal(readLease(), jobId, completed, takeOver);
        if (refusal.isPresent()) {
            closeProducer();
            throw new SuppressRestartsException(new IllegalStateException(writer + ": " + refusal.get()));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (producer != null) {
            writeLease();
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (producer != null && checkpointId > completed) {
            completed = checkpointId;
            writeLease();
        }
    }

    @Override
    public void close() {
        closeProducer();
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

    private void writeLease() {
        WriterLease lease = new WriterLease(jobId, completed, Instant.now());
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TopicCatalog.WRITERS, writer.getBytes(UTF_8), LEASES.encode(lease)));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // Not final: the restart reads the lease and stops this instance for good if the other one got further.
            closeProducer();
            throw new IllegalStateException(writer + ": another instance of this job has started and fenced this "
                    + "one (transactional id " + transactionalId + "); this checkpoint fails, so that this instance "
                    + "commits nothing more before it has read the lease again", e);
        }
    }

    /** The writer's lease as last committed, if it has one. */
    private Optional<WriterLease> readLease() {
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

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
