package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.log.WriterLease;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Second instances of the orders aggregate job, started on purpose next to the one that runs, with the same jar,
 * arguments and transactional-id prefix, as an operator might with Flink's CLI: one from a savepoint the running job
 * has gone past, one from no state at all. Each stops for good before writing anything while the first answers every
 * command; a successor started from the first one's final savepoint takes over. The event store holds every
 * invariant and exactly the events a single instance writes.
 */
class SecondInstanceITCase {

    private static final BoundedContext CONTEXT = BoundedContext.ORDERS;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final SingleObjectCodec<WriterLease> LEASES = SingleObjectCodec.forType(WriterLease.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    Path savepoints;

    @Test
    void aSecondInstanceFromOlderStateOrFromNothingStopsWithoutWritingAndASuccessorTakesOver(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        CommandMix mix = CommandMix.generate(CONTEXT, 1313L, 80);
        List<ProducerRecord<byte[], byte[]>> records = mix.records();
        int quarter = records.size() / 4;

        JobClient first = start(null);
        KAFKA.sendAll(records.subList(0, quarter));
        awaitOutputsOf(mix, quarter);
        String older = first.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
        long atSavepoint = lease().orElseThrow().getCompletedCheckpointId();
        KAFKA.sendAll(records.subList(quarter, 2 * quarter));
        awaitOutputsOf(mix, 2 * quarter);
        await().atMost(DEADLINE).until(() -> lease().orElseThrow().getCompletedCheckpointId() > atSavepoint);

        JobClient fromOlderState = start(older);
        Throwable olderRefused = awaitFailure(fromOlderState);
        JobClient fromNothing = start(null);
        Throwable nothingRefused = awaitFailure(fromNothing);

        KAFKA.sendAll(records.subList(2 * quarter, 3 * quarter));
        awaitOutputsOf(mix, 3 * quarter);
        assertThat(first.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        assertThat(attempts(cluster, first.getJobID()))
                .as("the running instance never restarted: the others stopped before their sinks could fence it")
                .containsOnly(0);
        String last = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        JobClient successor = start(last);
        KAFKA.sendAll(records.subList(3 * quarter, records.size()));
        awaitOutputsOf(mix, records.size());
        assertThat(successor.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        WriterLease taken = lease().orElseThrow();
        successor.cancel().get();

        assertThat(ExceptionUtils.findThrowableWithMessage(olderRefused, "would write again what that one wrote"))
                .as("the instance from the older savepoint says why it stops: %s", olderRefused).isPresent();
        assertThat(ExceptionUtils.findThrowableWithMessage(nothingRefused, "the empty state this instance started"))
                .as("the instance from nothing says why it stops: %s", nothingRefused).isPresent();
        assertThat(taken.getJobId()).isEqualTo(successor.getJobID().toString());
        AuditReport audit = new InvariantAuditor().audit(CONTEXT,
                KAFKA.readCommitted(List.of(CONTEXT.commandsTopic())),
                KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())),
                KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic())),
                KAFKA.readCommitted(List.of(CONTEXT.deadLetterTopic())));
        assertThat(audit.problems()).as(String.join("\n", audit.lines())).isEmpty();
        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(CONTEXT, mix.sends(), SETTINGS);
        assertThat(AggregateJobITCase.decode(KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())), EventEnvelope.class))
                .containsExactlyInAnyOrderElementsOf(expected.events());
    }

    /** The orders job at parallelism 1, from a savepoint or from nothing, as every instance runs it. */
    private static JobClient start(String savepoint) throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(1);
        AggregateJob.define(env, options, CONTEXT, SETTINGS, () -> Deciders.forContext(CONTEXT));
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(options.jobName(PlatformJob.byId(CONTEXT.id())));
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    /** The attempt number of every task of the job: 0 for each, as long as the job has never restarted. */
    private static Set<Integer> attempts(MiniCluster cluster, JobID job) throws Exception {
        Set<Integer> attempts = new HashSet<>();
        for (AccessExecutionVertex vertex : cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
            attempts.add(vertex.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return attempts;
    }

    /** Waits until the job has failed for good (no restart), and returns why. */
    private static Throwable awaitFailure(JobClient job) {
        await().atMost(DEADLINE).until(() -> job.getJobStatus().get() == JobStatus.FAILED);
        return job.getJobExecutionResult().handle((result, failure) -> failure).join();
    }

    /** The orders job's writer lease, as last committed. */
    private static Optional<WriterLease> lease() throws Exception {
        String writer = JobOptions.defaults(KAFKA.bootstrapServers()).jobName(PlatformJob.byId(CONTEXT.id()))
                + " factstream";
        WriterLease lease = null;
        for (ConsumerRecord<byte[], byte[]> record : KAFKA.readCommitted(List.of(TopicCatalog.WRITERS))) {
            if (writer.equals(new String(record.key(), UTF_8))) {
                lease = LEASES.decode(record.value());
            }
        }
        return Optional.ofNullable(lease);
    }

    /** Waits until the committed events and rejections are those of the first {@code records} records sent. */
    private static void awaitOutputsOf(CommandMix mix, int records) {
        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(CONTEXT, mix.sends().subList(0, records), SETTINGS);
        KAFKA.readCommittedUntil(List.of(CONTEXT.eventsTopic()), r -> r.size() >= expected.events().size(), DEADLINE);
        KAFKA.readCommittedUntil(List.of(CONTEXT.rejectionsTopic()),
                r -> r.size() >= expected.rejections().size(), DEADLINE);
    }
}
