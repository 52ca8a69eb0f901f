package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

import io.factstream.catalog.topics.TopicCatalog;
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
 * next checkpoint. The job's exactly-once sinks make the same check before their writers abort the transactions
 * their ids left open ({@link FencedKafkaSink}): a stale instance stops before it fences the producers of the one
 * that runs. What it does not: two instances started from the same savepoint within the moment between one
 * completing a checkpoint and writing its lease; a writer that does not use the guard.
 *
 * @param <T> the records passing through
 */
public final class WriterFence<T> extends ProcessFunction<T, T> implements CheckpointedFunction, CheckpointListener {

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
        try {
            Leases.refuseIfAnotherGotFurther(connection, writer, jobId, completed, takeOver);
        } catch (SuppressRestartsException refused) {
            closeProducer();
            throw refused;
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

    private void writeLease() {
        WriterLease lease = new WriterLease(jobId, completed, Instant.now());
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TopicCatalog.WRITERS, writer.getBytes(UTF_8), Leases.encode(lease)));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // Not final: the restart reads the lease and stops this instance for good if the other one got further.
            closeProducer();
            throw new IllegalStateException(writer + ": another instance of this job has started and fenced this "
                    + "one (transactional id " + transactionalId + "); this checkpoint fails, so that this instance "
                    + "commits nothing more before it has read the lease again", e);
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
