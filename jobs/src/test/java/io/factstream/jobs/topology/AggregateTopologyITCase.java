package io.factstream.jobs.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Deciders;
import io.factstream.jobs.CommandMix;
import io.factstream.jobs.ExpectedOutcomes;
import io.factstream.jobs.FlinkTestCluster;
import io.factstream.jobs.io.LoggedCommandDecoder;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.log.DeadLetter;
import io.factstream.log.LoggedCommand;

/**
 * The aggregate topology in memory, live and as a backfill: a seeded command mix (resent, invalid, unauthorized,
 * conflicting commands and garbage among them) in, from a collection; out, exactly the events and rejections the
 * pure command handler computes, and a dead letter for every undecodable record.
 */
class AggregateTopologyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final BoundedContext CONTEXT = BoundedContext.PAYMENTS;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RuntimeExecutionMode.class, names = {"STREAMING", "BATCH"})
    void answersEveryCommandAsThePureModelDoes(RuntimeExecutionMode mode) throws Exception {
        CommandMix mix = CommandMix.generate(CONTEXT, 314L, 30);
        StreamExecutionEnvironment env = InMemory.environment(mode);
        AggregateTopology.Outputs outputs = new AggregateTopology<>(CONTEXT, SETTINGS,
                () -> Deciders.forContext(CONTEXT))
                .apply(env.fromData(decoded(mix), new LoggedCommandDecoder().getProducedType())
                        .assignTimestampsAndWatermarks(AggregateTopology.LOG_ORDER));
        InMemory.Collected<EventEnvelope> events = InMemory.collect(outputs.events());
        InMemory.Collected<CommandRejected> rejections = InMemory.collect(outputs.rejections());
        InMemory.Collected<DeadLetter> deadLetters = InMemory.collect(outputs.deadLetters());
        env.execute("aggregate topology in memory, " + mode);

        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(CONTEXT, mix.sends(), SETTINGS);
        assertThat(expected.rejections()).as("the mix has rejections").isNotEmpty();
        assertThat(events.get()).containsExactlyInAnyOrderElementsOf(expected.events());
        assertThat(rejections.get()).containsExactlyInAnyOrderElementsOf(expected.rejections());
        assertThat(deadLetters.get()).hasSize((int) mix.garbage()).allSatisfy(letter ->
                assertThat(letter.getReason()).isNotBlank());
    }

    /** The mix as the Kafka source would decode it from one partition: offsets in order, written when created. */
    private static List<Either<DeadLetter, LoggedCommand>> decoded(CommandMix mix) {
        LoggedCommandDecoder decoder = new LoggedCommandDecoder();
        List<Either<DeadLetter, LoggedCommand>> records = new ArrayList<>();
        long offset = 0;
        long lastTime = 0;
        for (CommandMix.Sent sent : mix.sends()) {
            long time = sent.command() != null ? sent.command().getCreationTimestamp().toEpochMilli() : lastTime;
            lastTime = time;
            byte[] key = sent.key().getBytes(UTF_8);
            records.add(decoder.decode(new ConsumerRecord<>(CONTEXT.commandsTopic(), 0, offset++, time,
                    TimestampType.CREATE_TIME, key.length, sent.value() == null ? -1 : sent.value().length, key,
                    sent.value(), new RecordHeaders(), Optional.empty())));
        }
        return records;
    }
}
