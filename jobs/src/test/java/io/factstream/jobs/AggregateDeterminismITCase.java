package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Invariant 4: the same command log, run twice from empty state — live, then as a BATCH backfill — yields
 * byte-identical event and rejection records, timestamps included, also for commands dated ahead of the time they
 * were written (a client whose clock is fast, within the allowed skew or far beyond it).
 */
class AggregateDeterminismITCase {

    private static final BoundedContext CONTEXT = BoundedContext.ORDERS;
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @Test
    void theSameCommandLogYieldsByteIdenticalEventsAndRejections() throws Exception {
        KAFKA.sendAll(CommandMix.generate(CONTEXT, 7L, 60).records());
        Instant writtenAt = Instant.now();
        List<ProducerRecord<byte[], byte[]>> ahead = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ahead.add(placed("ahead-" + i, writtenAt, writtenAt.plus(Duration.ofMinutes(3))));
            ahead.add(placed("far-ahead-" + i, writtenAt, writtenAt.plus(Duration.ofDays(2))));
        }
        KAFKA.sendAll(ahead);

        run(RuntimeExecutionMode.STREAMING, "factstream-orders-live");
        List<ConsumerRecord<byte[], byte[]>> liveEvents = KAFKA.readCommitted(List.of(CONTEXT.eventsTopic()));
        List<ConsumerRecord<byte[], byte[]>> liveRejections = KAFKA.readCommitted(List.of(CONTEXT.rejectionsTopic()));
        run(RuntimeExecutionMode.BATCH, "factstream-orders-backfill");
        List<ConsumerRecord<byte[], byte[]>> backfilledEvents = writtenAfter(liveEvents, CONTEXT.eventsTopic());
        List<ConsumerRecord<byte[], byte[]>> backfilledRejections = writtenAfter(liveRejections,
                CONTEXT.rejectionsTopic());

        assertThat(liveEvents).hasSizeGreaterThan(100);
        assertThat(bytes(backfilledEvents)).containsExactlyInAnyOrderElementsOf(bytes(liveEvents));
        assertThat(bytes(backfilledRejections)).hasSizeGreaterThan(20)
                .containsExactlyInAnyOrderElementsOf(bytes(liveRejections));

        long writtenMillis = writtenAt.toEpochMilli();
        assertThat(liveEvents).filteredOn(aggregate(id -> id.startsWith("ahead-"))).hasSize(5)
                .allSatisfy(record -> assertThat(record.timestamp()).as("dated by the command, 3 min ahead")
                        .isEqualTo(writtenMillis + Duration.ofMinutes(3).toMillis()));
        List<CommandRejected> farAhead = AggregateJobITCase.decode(liveRejections.stream()
                .filter(aggregate(id -> id.startsWith("far-ahead-"))).toList(), CommandRejected.class);
        assertThat(farAhead).hasSize(5).allSatisfy(rejection -> assertThat(rejection.getCreationTimestamp())
                .as("a command 2 days ahead is not believed: its rejection is dated when it was written")
                .isEqualTo(Instant.ofEpochMilli(writtenMillis)));
        assertThat(liveRejections).filteredOn(aggregate(id -> id.startsWith("far-ahead-")))
                .allSatisfy(record -> assertThat(record.timestamp()).isEqualTo(writtenMillis));
    }

    /** Runs the orders job over the whole log, from empty state and with a fresh consumer group, to its end. */
    private static void run(RuntimeExecutionMode mode, String groupId) throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.bounded = true;
        options.mode = mode;
        options.takeOverWrites = true; // written again on purpose
        options.checkpointInterval = Duration.ofMillis(500);
        options.groupId = groupId;
        options.transactionalIdPrefix = groupId;
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(2);
        AggregateJob.define(env, options, CONTEXT, AggregateSettings.standard(), () -> Deciders.forContext(CONTEXT));
        env.execute("aggregate " + CONTEXT.id() + " " + mode);
    }

    /** A customer's order, dated {@code created} and written at {@code writtenAt}. */
    private static ProducerRecord<byte[], byte[]> placed(String orderId, Instant writtenAt, Instant created) {
        CommandEnvelope command = CommandEnvelope.newBuilder()
                .setCommandId(UUID.nameUUIDFromBytes(orderId.getBytes(UTF_8)).toString())
                .setSubjectId(orderId)
                .setAggregateType(CONTEXT.aggregateType())
                .setCommandType("PlaceOrder")
                .setUserId("ada")
                .setRoles(List.of(Role.CUSTOMER.name()))
                .setCorrelationId(orderId)
                .setCreationTimestamp(created)
                .setCommandData(new PlaceOrder("ada", List.of(new OrderLine("MARINARA", PizzaSize.SMALL, 1)),
                        new Address("Via Roma 1", "Napoli", "80100"), null))
                .build();
        return new ProducerRecord<>(CONTEXT.commandsTopic(), null, writtenAt.toEpochMilli(), orderId.getBytes(UTF_8),
                COMMANDS.encode(command));
    }

    /** The topic's committed records that were not there before. */
    private static List<ConsumerRecord<byte[], byte[]>> writtenAfter(List<ConsumerRecord<byte[], byte[]>> before,
                                                                    String topic) {
        Set<String> positions = before.stream().map(r -> r.partition() + "@" + r.offset()).collect(Collectors.toSet());
        return KAFKA.readCommitted(List.of(topic)).stream()
                .filter(r -> !positions.contains(r.partition() + "@" + r.offset())).toList();
    }

    private static Predicate<ConsumerRecord<byte[], byte[]>> aggregate(Predicate<String> id) {
        return record -> id.test(new String(record.key(), UTF_8));
    }

    /** Key, value and timestamp of each record: what "byte-identical" compares. */
    private static List<String> bytes(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(record -> new String(record.key(), UTF_8) + "|" + Arrays.toString(record.value())
                + "|" + record.timestamp()).toList();
    }
}
