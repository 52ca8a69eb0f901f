package io.factstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.state.AggregateSnapshot;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * The aggregate job crashes at seeded random decisions while commands flow in batches, restarting from its
 * checkpoints each time. Afterwards the committed outputs hold every invariant and equal the pure model's, and
 * the state in a final savepoint equals the fold of the committed events.
 */
class AggregateFailureITCase {

    private static final AggregateSettings SETTINGS = AggregateSettings.standard();
    private static final int BATCHES = 4;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    Path savepoints;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BoundedContext.class, names = {"ORDERS", "PAYMENTS"})
    void keepsEveryInvariantThroughCrashes(BoundedContext context) throws Exception {
        long seed = 4242L + context.ordinal();
        CommandMix mix = CommandMix.generate(context, seed, 80);
        List<CommandEnvelope> commands = mix.commands();
        Random random = new Random(seed);
        TreeSet<Integer> failures = new TreeSet<>();
        while (failures.size() < 3) {
            failures.add(20 + random.nextInt(commands.size() - 40));
        }
        InjectedFailures.DECISIONS.failAt(failures);

        JobClient job = start(context);
        List<ProducerRecord<byte[], byte[]>> records = mix.records();
        List<CommandMix.Sent> sends = mix.sends();
        int batchSize = (records.size() + BATCHES - 1) / BATCHES;
        for (int from = 0; from < records.size(); from += batchSize) {
            int to = Math.min(records.size(), from + batchSize);
            KAFKA.sendAll(records.subList(from, to));
            awaitOutputsOf(context, sends.subList(0, to));
        }
        String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();

        assertThat(InjectedFailures.DECISIONS.pending()).as("every injected failure happened").isEmpty();
        List<ConsumerRecord<byte[], byte[]>> events = KAFKA.readCommitted(List.of(context.eventsTopic()));
        AuditReport report = new InvariantAuditor().audit(context,
                KAFKA.readCommitted(List.of(context.commandsTopic())), events,
                KAFKA.readCommitted(List.of(context.rejectionsTopic())),
                KAFKA.readCommitted(List.of(context.deadLetterTopic())));
        assertThat(report.problems()).as(String.join("\n", report.lines())).isEmpty();
        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(context, mix.sends(), SETTINGS);
        List<EventEnvelope> committed = AggregateJobITCase.decode(events, EventEnvelope.class);
        assertThat(committed).containsExactlyInAnyOrderElementsOf(expected.events());

        Map<String, AggregateSnapshot> restored = readAggregates(context, savepoint);
        assertThat(restored).as("the savepoint holds what the pure model computes").isEqualTo(expected.snapshots());
        Map<String, AggregateSnapshot> folded = fold(context, committed);
        folded.forEach((aggregateId, snapshot) -> {
            assertThat(restored.get(aggregateId).getVersion()).as(aggregateId).isEqualTo(snapshot.getVersion());
            assertThat(restored.get(aggregateId).getState()).as(aggregateId).isEqualTo(snapshot.getState());
        });
    }

    private JobClient start(BoundedContext context) throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(2);
        AggregateJob.define(env, options, context, SETTINGS, () -> failing(Deciders.forContext(context)));
        return env.executeAsync("aggregate " + context.id() + " with failures");
    }

    private static <S extends SpecificRecord> Decider<S> failing(Decider<S> decider) {
        return InjectedFailures.DECISIONS.into(Decider.class, decider);
    }

    /** Waits until the committed events and rejections are those of the commands sent so far. */
    private static void awaitOutputsOf(BoundedContext context, List<CommandMix.Sent> sent) {
        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(context, sent, SETTINGS);
        KAFKA.readCommittedUntil(List.of(context.eventsTopic()), r -> r.size() >= expected.events().size(), DEADLINE);
        KAFKA.readCommittedUntil(List.of(context.rejectionsTopic()),
                r -> r.size() >= expected.rejections().size(), DEADLINE);
    }

    private static Map<String, AggregateSnapshot> fold(BoundedContext context, List<EventEnvelope> events) {
        CommandHandler<?> handler = new CommandHandler<>(Deciders.forContext(context), SETTINGS);
        Map<String, AggregateSnapshot> folded = new HashMap<>();
        List<EventEnvelope> inOrder = new ArrayList<>(events);
        inOrder.sort((a, b) -> Long.compare(a.getSequenceNumber(), b.getSequenceNumber()));
        for (EventEnvelope event : inOrder) {
            folded.put(event.getAggregateId(), handler.apply(folded.get(event.getAggregateId()), event));
        }
        return folded;
    }

    private static Map<String, AggregateSnapshot> readAggregates(BoundedContext context, String savepoint)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        var snapshots = SavepointReader.read(env, savepoint, new HashMapStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(new AggregateUids(context).processor()),
                        new SnapshotReader(), Types.STRING,
                        Types.TUPLE(Types.STRING, new AvroTypeInfo<>(AggregateSnapshot.class)));
        Map<String, AggregateSnapshot> byAggregate = new HashMap<>();
        try (CloseableIterator<Tuple2<String, AggregateSnapshot>> all = snapshots.executeAndCollect()) {
            all.forEachRemaining(t -> byAggregate.put(t.f0, t.f1));
        }
        return byAggregate;
    }

    /** Reads each aggregate's snapshot out of a savepoint. */
    static final class SnapshotReader extends KeyedStateReaderFunction<String, Tuple2<String, AggregateSnapshot>> {
        private transient ValueState<AggregateSnapshot> snapshot;

        @Override
        public void open(OpenContext context) {
            snapshot = getRuntimeContext().getState(AggregateProcessor.stateDescriptor());
        }

        @Override
        public void readKey(String key, Context context, Collector<Tuple2<String, AggregateSnapshot>> out)
                throws Exception {
            out.collect(Tuple2.of(key, snapshot.value()));
        }
    }
}
