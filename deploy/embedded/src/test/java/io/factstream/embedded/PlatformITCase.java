package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.SagaJob;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;

/**
 * All five jobs on a real broker and a Flink mini cluster, fed a seeded world with every outcome in the mix:
 * every order ends as planned, every saga finishes, the books balance, the invariants hold; then the saga, replayed
 * over what it read, sends byte-identical commands.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformITCase {

    private static final World WORLD = WorldGenerator.generate(
            new WorldGenerator.Parameters(20261126L, 30, 80, Duration.ofSeconds(8)));

    private static EmbeddedPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), EmbeddedPlatform.Logic.standard());
    }

    @AfterAll
    static void stop() throws Exception {
        platform.close();
    }

    @Test
    @Order(1)
    void everyOrderEndsAsPlannedAndTheBooksBalance() throws Exception {
        Map<String, String> planned = WorldPlay.plannedOutcomes(WORLD);
        assertThat(planned.values()).as("every outcome is in the mix").contains("COMPLETED", "REJECTED",
                "CANCELLED CUSTOMER_REQUEST", "CANCELLED KITCHEN_TIMEOUT", "CANCELLED DELIVERY_TIMEOUT",
                "CANCELLED DELIVERY_FAILED");

        WorldFeeder.Report fed = new WorldFeeder(platform.bootstrapServers()).feed(WORLD, Duration.ofSeconds(60));
        PlatformSummary summary = platform.awaitSagasFinished(planned.size(), Duration.ofMinutes(3));

        assertThat(fed.neverSent()).isEmpty();
        assertThat(summary.outcomes()).isEqualTo(planned);
        assertThat(summary.moneyConserved()).as(String.join("\n", summary.lines())).isTrue();
        assertThat(summary.capturedCents()).isPositive();
        assertThat(summary.releasedCents()).isPositive();
        assertThat(PlatformAudit.of(new CommittedReader(platform.bootstrapServers(),
                Duration.ofSeconds(30))).problems()).isEmpty();
    }

    @Test
    @Order(2)
    void theSagaReplayedOverItsInputsSendsByteIdenticalCommands() throws Exception {
        CommittedReader topics = new CommittedReader(platform.bootstrapServers(), Duration.ofSeconds(30));
        for (JobID job : platform.jobs().values()) {
            platform.cancel(job);
        }
        Map<String, List<String>> before = sagaCommands(topics);
        assertThat(before).hasSizeGreaterThan(200);

        JobID replay = platform.submit("saga replay", (env, options) -> {
            options.bounded = true;
            options.groupId = "factstream-order-fulfilment-replay";
            options.transactionalIdPrefix = "factstream-replay";
            SagaJob.define(env, options, EmbeddedPlatform.Settings.quick().time(),
                    () -> new OrderFulfilment(EmbeddedPlatform.Settings.quick().timeouts()));
        });
        platform.flink().requestJobResult(replay).get();

        Map<String, List<String>> after = sagaCommands(topics);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((commandId, records) -> {
            assertThat(records).as("command %s: the live record and the replayed one", commandId).hasSize(2);
            assertThat(records.get(1)).as("command %s", commandId).isEqualTo(records.get(0));
        });
    }

    /** The saga's command records by command id: key, value bytes and timestamp of each. */
    private static Map<String, List<String>> sagaCommands(CommittedReader topics) throws Exception {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        List<String> commandTopics = Arrays.stream(BoundedContext.values()).map(BoundedContext::commandsTopic).toList();
        Map<String, List<String>> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(commandTopics)) {
            CommandEnvelope command = codec.decode(record.value());
            if (command.getUserId().equals(OrderFulfilment.NAME)) {
                byId.computeIfAbsent(command.getCommandId(), id -> new ArrayList<>()).add(
                        new String(record.key(), UTF_8) + "|" + Arrays.toString(record.value()) + "|"
                                + record.timestamp());
            }
        }
        return byId;
    }
}
