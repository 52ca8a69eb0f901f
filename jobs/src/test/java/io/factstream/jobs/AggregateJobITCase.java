package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.dlq.DeadLetterHeaders;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Each context's aggregate job on a real broker and a Flink mini cluster, fed a seeded mix of valid, invalid,
 * resent, unauthorized, version-conflicting and undecodable records; checked with {@code read_committed} readers.
 */
class AggregateJobITCase {

    private static final long SEED = 20261126L;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @ParameterizedTest(name = "{0}")
    @EnumSource(BoundedContext.class)
    void answersEveryCommandExactlyOnce(BoundedContext context) throws Exception {
        CommandMix mix = CommandMix.generate(context, SEED + context.ordinal(), 60);
        KAFKA.sendAll(mix.records());

        runBounded(KAFKA.bootstrapServers(), context, null, false);

        Outputs outputs = Outputs.read(context);
        AuditReport report = new InvariantAuditor().audit(context, outputs.commands, outputs.events, outputs.rejections,
                outputs.deadLetters);
        assertThat(report.problems()).as(String.join("\n", report.lines())).isEmpty();
        assertThat(report.distinctCommands()).isEqualTo(report.answeredByEvents() + report.answeredByRejection());
        assertThat(report.resentCommands()).as("the mix resends commands").isPositive();
        assertThat(report.undecodable()).isEqualTo(mix.garbage()).isPositive();

        ExpectedOutcomes expected = ExpectedOutcomes.ofSends(context, mix.sends(), SETTINGS);
        assertThat(decode(outputs.events, EventEnvelope.class))
                .as("the events the pure model computes").containsExactlyInAnyOrderElementsOf(expected.events());
        assertThat(decode(outputs.rejections, CommandRejected.class))
                .as("the rejections the pure model computes")
                .containsExactlyInAnyOrderElementsOf(expected.rejections());
        assertThat(expected.rejections()).extracting(CommandRejected::getReason).map(Enum::name)
                .as("every kind of rejection occurs")
                .contains("INVALID_COMMAND", "UNAUTHORIZED", "CONCURRENCY_CONFLICT", "UNKNOWN_AGGREGATE");
        for (ConsumerRecord<byte[], byte[]> letter : outputs.deadLetters) {
            assertThat(header(letter, DeadLetterHeaders.REASON)).isNotBlank();
            assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(context.commandsTopic());
        }
        assertThat(outputs.deadLetters).extracting(r -> Arrays.hashCode(r.value()))
                .as("the original bytes").containsExactlyInAnyOrderElementsOf(mix.sends().stream()
                        .filter(s -> s.command() == null).map(s -> Arrays.hashCode(s.value())).toList());
    }

    /**
     * Runs the context's aggregate job over the commands there are, and waits until it has finished.
     *
     * @param takeOverWrites write even after an earlier run of the job (see {@link JobOptions#takeOverWrites})
     */
    static void runBounded(String bootstrapServers, BoundedContext context, String groupId, boolean takeOverWrites)
            throws Exception {
        JobOptions options = JobOptions.defaults(bootstrapServers);
        options.bounded = true;
        options.takeOverWrites = takeOverWrites;
        options.checkpointInterval = Duration.ofMillis(500);
        options.groupId = groupId;
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(2);
        AggregateJob.define(env, options, context, SETTINGS, () -> Deciders.forContext(context));
        env.execute("aggregate " + context.id());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), UTF_8);
    }

    static <T extends SpecificRecord> List<T> decode(List<ConsumerRecord<byte[], byte[]>> records,
                                                             Class<T> type) throws Exception {
        SingleObjectCodec<T> codec = SingleObjectCodec.forType(type);
        List<T> decoded = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            decoded.add(codec.decode(record.value()));
        }
        return decoded;
    }

    /** Everything one context's topics hold, read committed. */
    private record Outputs(List<ConsumerRecord<byte[], byte[]>> commands, List<ConsumerRecord<byte[], byte[]>> events,
                           List<ConsumerRecord<byte[], byte[]>> rejections,
                           List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        static Outputs read(BoundedContext context) {
            return new Outputs(KAFKA.readCommitted(List.of(context.commandsTopic())),
                    KAFKA.readCommitted(List.of(context.eventsTopic())),
                    KAFKA.readCommitted(List.of(context.rejectionsTopic())),
                    KAFKA.readCommitted(List.of(context.deadLetterTopic())));
        }
    }
}
