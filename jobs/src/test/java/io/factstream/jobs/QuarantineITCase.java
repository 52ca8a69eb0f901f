package io.factstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.function.SerializableSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.park.Redrive;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * A decider with a bug, on a real broker: it throws on every {@code ConfirmOrder} of one order. The job never fails
 * (it runs without restarts, so a failure would end it): that order is parked, its commands answered
 * {@code QUARANTINED} and kept on {@code orders.parked}, every other order's commands answered as the pure model
 * answers them. After an upgrade to the fixed decider through a savepoint, {@code redrive} feeds the parked commands
 * back: the order gets exactly the events the fixed decider gives it, every command still has one outcome, and a
 * second redrive finds nothing to do.
 */
class QuarantineITCase {

    private static final BoundedContext CONTEXT = BoundedContext.ORDERS;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    Path savepoints;

    @Test
    void aDeciderThatThrowsForOneOrderParksItAloneAndARedriveAfterTheFixWritesWhatTheFixedDeciderWould()
            throws Exception {
        CommandMix mix = CommandMix.generate(CONTEXT, 3030L, 12);
        String poisoned = firstConfirmedOrder(mix);
        KAFKA.sendAll(mix.records());

        JobClient buggy = start(null, () -> poisoned(orders(), poisoned));
        AuditReport answered = awaitEveryCommandAnswered();
        Redrive redrive = new Redrive(KAFKA.bootstrapServers(), DEADLINE);
        List<Redrive.Parked> parked = await().atMost(DEADLINE).until(() -> redrive.parked(CONTEXT),
                p -> p.size() == 1 && p.get(0).waiting().size() == quarantined().size());
        assertThat(buggy.getJobStatus().get()).as("the job never failed").isEqualTo(JobStatus.RUNNING);
        String savepoint = buggy.stopWithSavepoint(false, savepoints.toUri().toString(),
                SavepointFormatType.CANONICAL).get();

        JobClient fixed = start(savepoint, QuarantineITCase::orders);
        List<String> redrove = redrive.redrive(CONTEXT, Optional.of(poisoned));
        await().atMost(DEADLINE).until(() -> redrive.flows(CONTEXT, poisoned));
        AuditReport afterRedrive = awaitEveryCommandAnswered();
        List<String> second = redrive.redrive(CONTEXT, Optional.of(poisoned));
        fixed.cancel().get();

        ExpectedOutcomes model = ExpectedOutcomes.ofSends(CONTEXT, mix.sends(), SETTINGS);
        List<EventEnvelope> events = AggregateJobITCase.decode(KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())),
                EventEnvelope.class);

        assertThat(parked).singleElement().satisfies(order -> {
            assertThat(order.aggregateId()).isEqualTo(poisoned);
            assertThat(order.error()).isEqualTo("java.lang.IllegalStateException: a bug confirming " + poisoned);
            assertThat(order.waiting().get(0).getCommand().getCommandType()).isEqualTo("ConfirmOrder");
            assertThat(order.waiting().get(0).getStackTrace()).contains("QuarantineITCase");
        });
        assertThat(answered.problems()).as("one outcome per command while parked").isEmpty();
        assertThat(quarantined()).hasSize(parked.get(0).waiting().size())
                .allSatisfy(r -> assertThat(r.getSubjectId()).isEqualTo(poisoned));
        assertThat(events).filteredOn(e -> !e.getAggregateId().equals(poisoned))
                .as("every other order, as the pure model")
                .containsExactlyInAnyOrderElementsOf(model.events().stream()
                        .filter(e -> !e.getAggregateId().equals(poisoned)).toList());
        assertThat(redrove).singleElement().asString()
                .startsWith("redrove " + parked.get(0).waiting().size() + " parked command").endsWith(" of " + poisoned);
        assertThat(events).filteredOn(e -> e.getAggregateId().equals(poisoned)).extracting(QuarantineITCase::fact)
                .as("the poisoned order, as the fixed decider decides it")
                .containsExactlyElementsOf(model.events().stream().filter(e -> e.getAggregateId().equals(poisoned))
                        .map(QuarantineITCase::fact).toList());
        assertThat(afterRedrive.problems()).as("one outcome per command after the redrive").isEmpty();
        assertThat(second).containsExactly(poisoned + " is not parked");
    }

    /** The committed rejections of commands that waited in quarantine. */
    private static List<CommandRejected> quarantined() {
        try {
            return AggregateJobITCase.decode(KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic())),
                    CommandRejected.class).stream().filter(r -> r.getReason() == RejectionReason.QUARANTINED).toList();
        } catch (Exception e) {
            throw new IllegalStateException("the rejections do not decode", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Decider<SpecificRecord> orders() {
        return (Decider<SpecificRecord>) Deciders.forContext(CONTEXT);
    }

    /** What an event says, apart from the ids that name it after its command. */
    private static String fact(EventEnvelope event) {
        return event.getSequenceNumber() + " " + event.getEventType() + " " + event.getCreationTimestamp() + " "
                + event.getEventData();
    }

    /** The first order the saga confirms in the mix: the one the bug hits. */
    private static String firstConfirmedOrder(CommandMix mix) {
        return mix.commands().stream().filter(c -> c.getCommandType().equals("ConfirmOrder")
                && c.getRoles().contains("SYSTEM")).findFirst().orElseThrow().getSubjectId();
    }

    /** The orders decider with a bug: every ConfirmOrder of one order throws. */
    private static <S extends SpecificRecord> Decider<S> poisoned(Decider<S> fixed, String poisoned) {
        return new Decider<>() {
            @Override
            public BoundedContext context() {
                return fixed.context();
            }

            @Override
            public Decision decide(CommandEnvelope command, S state) {
                if (command.getSubjectId().equals(poisoned) && command.getCommandType().equals("ConfirmOrder")) {
                    throw new IllegalStateException("a bug confirming " + poisoned);
                }
                return fixed.decide(command, state);
            }

            @Override
            public S evolve(S state, SpecificRecord event) {
                return fixed.evolve(state, event);
            }
        };
    }

    /** The orders job with this decider, without restarts: a failure would end it. */
    private static JobClient start(String savepoint, SerializableSupplier<Decider<SpecificRecord>> decider)
            throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        Configuration configuration = options.configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        AggregateJob.define(env, options, CONTEXT, SETTINGS, decider);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    /** Waits until every distinct command on the topic has exactly one outcome, and returns the audit. */
    private static AuditReport awaitEveryCommandAnswered() {
        return await().atMost(DEADLINE).until(() -> new InvariantAuditor().audit(CONTEXT,
                        KAFKA.readCommitted(List.of(CONTEXT.commandsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.eventsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic())),
                        KAFKA.readCommitted(List.of(CONTEXT.deadLetterTopic()))),
                audit -> audit.ok() && audit.distinctCommands() == audit.answeredByEvents()
                        + audit.answeredByRejection());
    }
}
