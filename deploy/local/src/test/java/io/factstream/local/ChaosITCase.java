package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.Role;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.shadow.OutcomeComparison;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;
import io.factstream.views.ViewRow;

/**
 * The Chaos Monkey on the whole local platform: while a generated world plays (600 orders over 40 s, then their
 * sagas), the TaskManager process is killed with SIGKILL three times and the broker twice, taking turns at seeded
 * moments, each started again. The auditor, reading every topic with {@code read_committed}, must then find one outcome per command, contiguous sequences and no duplicate; every
 * saga ends as planned and the books balance. Then the views job replays in place from the beginning and its
 * latest rows end as they were, and the payments aggregate replays from the beginning into another Kafka cluster
 * and writes there exactly what the live job wrote; a shadow of version 2 of the orders job finds that it would
 * decide differently for exactly the orders its new rule concerns. Bringing the platform down leaves no process behind.
 *
 * <p>Between the two, {@code down} after the kills stops every job with a savepoint within {@link #DOWN_BOUND}, and
 * {@code up} resumes each job from its savepoint: the saga's stop once hung for minutes after such a run (an answer
 * read twice kept its timer firing within one watermark; {@code LiveTimeoutITCase} reproduces that).
 */
class ChaosITCase {

    private static final long SEED = 7;
    private static final Path ORDERS_V2_JAR = Path.of(System.getProperty("factstream.orders-v2.jar"));
    /** Three TaskManager kills and two of the broker, taking turns. */
    private static final List<ChaosMonkey.Target> KILLS = List.of(ChaosMonkey.Target.TASKMANAGER,
            ChaosMonkey.Target.BROKER, ChaosMonkey.Target.TASKMANAGER, ChaosMonkey.Target.BROKER,
            ChaosMonkey.Target.TASKMANAGER);

    /** How long {@code down} may take after the kills: six stops with a savepoint, then the cluster and broker. */
    private static final Duration DOWN_BOUND = Duration.ofSeconds(90);

    /** Kept when the test fails: the cluster's and the broker's logs are the first thing to read. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dataDir;

    @Test
    void taskManagerAndBrokerKillsLoseNothingAndDuplicateNothingAndReplaysWriteWhatTheLiveJobsWrote() throws Exception {
        World world = WorldGenerator.generate(WorldGenerator.Parameters.ofOrders(600, SEED));
        Map<String, String> planned = WorldPlay.plannedOutcomes(world);
        try (PlatformFixture fixture = new PlatformFixture(dataDir, PlatformFixture.CHAOS_SAGA_TIMEOUT)) {
            fixture.up(PlatformJob.all());
            String servers = fixture.bootstrapServers();

            CompletableFuture<Boolean> play = CompletableFuture.supplyAsync(() -> {
                try {
                    return WorldPlay.play(world, servers, Duration.ofMinutes(3), Duration.ofMinutes(8),
                            new PrintWriter(System.out, true));
                } catch (Exception e) {
                    throw new IllegalStateException("the world did not play through: " + e.getMessage(), e);
                }
            });
            List<ChaosMonkey.Kill> kills = new ArrayList<>();
            new ChaosMonkey(fixture.platform(), PlatformFixture.TIMEOUT)
                    .run(new ChaosMonkey.Plan(SEED, KILLS, Duration.ofSeconds(2), Duration.ofSeconds(6)), kill -> {
                        System.out.println("chaos: " + kill);
                        kills.add(kill);
                        assertThat(play).as("the world still plays after kill %d", kills.size()).isNotDone();
                    });
            fixture.rememberProcesses();

            assertThat(play.join()).as("every command sent and the books balance").isTrue();
            List<String> report = new ArrayList<>();
            boolean invariantsHold = PlatformCommands.audit(servers, PlatformFixture.TIMEOUT,
                    PlatformFixture.CHAOS_SAGA_TIMEOUT.plusMinutes(1), report);
            report.forEach(line -> System.out.println("audit: " + line));

            assertThat(kills).extracting(ChaosMonkey.Kill::target)
                    .isEqualTo(KILLS.stream().map(ChaosMonkey.Target::id).toList());
            assertThat(invariantsHold).as(String.join("\n", report)).isTrue();
            PlatformSummary summary = PlatformSummary.read(servers);
            assertThat(summary.sagasOpen()).isZero();
            assertThat(summary.outcomes()).containsExactlyInAnyOrderEntriesOf(planned);

            // After the kills, down stops all six jobs with savepoints within the bound, and up resumes each from
            // its own.
            Instant downAt = Instant.now();
            List<String> down = fixture.platform().down();
            Duration downTook = Duration.between(downAt, Instant.now());
            down.forEach(line -> System.out.println("down: " + line));
            System.out.println("down: six savepoints and both processes stopped in " + downTook.toMillis() + " ms");
            List<String> up = fixture.platform().up(PlatformJob.all());
            up.forEach(line -> System.out.println("up: " + line));
            fixture.rememberProcesses();
            assertThat(downTook).as("down after the kills").isLessThan(DOWN_BOUND);
            for (PlatformJob job : PlatformJob.all()) {
                String stopped = job.id() + " stopped with savepoint ";
                List<String> savepoints = down.stream().filter(line -> line.startsWith(stopped))
                        .map(line -> line.substring(stopped.length())).toList();
                assertThat(savepoints).as(job.id() + " stopped with a savepoint").hasSize(1);
                assertThat(up).as(job.id() + " resumes from its savepoint").anyMatch(line ->
                        line.startsWith(job.id() + " started as ") && line.endsWith(" from " + savepoints.get(0)));
            }

            // Then the views job replays in place, from the beginning with empty state: every row version is
            // written again, and the latest rows end as they were.
            Map<String, SortedMap<String, ViewRow>> rows = latestRows(servers);
            long versions = historyRecords(servers);
            String replay = fixture.platform().replay(PlatformJob.byId("views"), Optional.empty(), Optional.empty());
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> historyRecords(servers) >= 2 * versions);
            for (int i = 0; i < 2; i++) { // whatever the replay still had in flight is committed by then
                fixture.platform().flink().rest().awaitCheckpointSince(replay, Instant.now(), PlatformFixture.TIMEOUT);
            }
            assertThat(historyRecords(servers)).isEqualTo(2 * versions);
            assertThat(latestRows(servers)).isEqualTo(rows);

            // And the payments aggregate replays from the beginning into another Kafka, next to the live job: it
            // writes the live job's events and rejections again, record for record, and nothing on the live topics.
            LocalKafka other = LocalKafka.onFreePorts(dataDir.resolve("other-kafka"), LocalKafka.Security.PLAINTEXT);
            try {
                other.start(PlatformFixture.TIMEOUT);
                List<String> outputs = List.of(BoundedContext.PAYMENTS.eventsTopic(),
                        BoundedContext.PAYMENTS.rejectionsTopic());
                List<String> live = records(servers, outputs);
                String payments = fixture.platform().replay(PlatformJob.byId("payments"), Optional.empty(),
                        Optional.of(other.bootstrapServers()));
                await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> records(other.bootstrapServers(), outputs).size() >= live.size());
                fixture.platform().flink().rest().awaitCheckpointSince(payments, Instant.now(), PlatformFixture.TIMEOUT);
                fixture.platform().flink().rest().cancel(payments, PlatformFixture.TIMEOUT);

                System.out.println("replay: payments wrote " + live.size() + " events and rejections live");
                assertThat(records(other.bootstrapServers(), outputs)).containsExactlyInAnyOrderElementsOf(live);
                assertThat(records(servers, outputs)).isEqualTo(live);
            } finally {
                other.stop(PlatformFixture.TIMEOUT);
            }

            // And version 2 of the orders job (deploy/upgrade-fixture: a customer can no longer cancel a confirmed
            // order of 5 pizzas or more) runs as a shadow over the same commands: it decides differently for
            // exactly the orders whose customer cancelled such an order, and for nothing else.
            OutcomeComparison.Report shadow = fixture.platform().shadow(PlatformJob.byId("orders"), ORDERS_V2_JAR,
                    Optional.empty());
            shadow.lines().forEach(line -> System.out.println("shadow: " + line));
            assertThat(shadow.liveUnanswered()).isZero();
            assertThat(shadow.shadowUnanswered()).isZero();
            assertThat(shadow.divergences()).extracting(OutcomeComparison.Divergence::aggregateId)
                    .isNotEmpty().containsExactlyElementsOf(largeConfirmedOrdersTheirCustomerCancelled(servers));
            assertThat(shadow.divergences()).allSatisfy(divergence -> {
                assertThat(divergence.live()).startsWith("OrderCancelled");
                assertThat(divergence.shadow()).startsWith("rejection BUSINESS_RULE");
            });
        }
    }

    /**
     * The orders whose customer (not the saga) cancelled them while confirmed, with at least 5 pizzas: what version
     * 2 refuses ({@code OrderDeciderV2.LARGE_ORDER_PIZZAS}), found in the live log without it.
     */
    private static List<String> largeConfirmedOrdersTheirCustomerCancelled(String servers) throws Exception {
        SingleObjectCodec<CommandEnvelope> commands = SingleObjectCodec.forType(CommandEnvelope.class);
        SingleObjectCodec<EventEnvelope> events = SingleObjectCodec.forType(EventEnvelope.class);
        CommittedReader reader = new CommittedReader(servers, PlatformFixture.TIMEOUT);
        Map<String, CommandEnvelope> byId = new HashMap<>();
        for (var record : reader.readAll(List.of(BoundedContext.ORDERS.commandsTopic()))) {
            CommandEnvelope command = commands.decode(record.value());
            byId.put(command.getCommandId(), command);
        }
        Map<String, List<EventEnvelope>> orders = new TreeMap<>();
        for (var record : reader.readAll(List.of(BoundedContext.ORDERS.eventsTopic()))) {
            EventEnvelope event = events.decode(record.value());
            orders.computeIfAbsent(event.getAggregateId(), id -> new ArrayList<>()).add(event);
        }
        List<String> refused = new ArrayList<>();
        orders.forEach((order, history) -> {
            history.sort(Comparator.comparingLong(EventEnvelope::getSequenceNumber));
            int pizzas = ((OrderPlaced) history.get(0).getEventData()).getLines().stream()
                    .mapToInt(PricedOrderLine::getQuantity).sum();
            for (int i = 1; i < history.size(); i++) {
                boolean cancelledWhileConfirmed = history.get(i).getEventData() instanceof OrderCancelled
                        && history.get(i - 1).getEventData() instanceof OrderConfirmed;
                CommandEnvelope cause = byId.get(history.get(i).getCausationId());
                if (cancelledWhileConfirmed && pizzas >= 5 && !cause.getRoles().contains(Role.SYSTEM.name())) {
                    refused.add(order);
                }
            }
        });
        return refused;
    }

    /** Every committed record of the topics as topic, partition, timestamp, key and value. */
    private static List<String> records(String servers, List<String> topics) {
        List<String> records = new ArrayList<>();
        new CommittedReader(servers, PlatformFixture.TIMEOUT).readAll(topics, r -> records.add(String.join(" ",
                r.topic(), Integer.toString(r.partition()), Long.toString(r.timestamp()),
                Base64.getEncoder().encodeToString(r.key()), Base64.getEncoder().encodeToString(r.value()))));
        return records;
    }

    private static long historyRecords(String servers) {
        List<String> history = TopicCatalog.VIEWS.stream().map(TopicCatalog::viewHistoryTopic).toList();
        return new CommittedReader(servers, PlatformFixture.TIMEOUT).readAll(history, record -> { });
    }

    private static Map<String, SortedMap<String, ViewRow>> latestRows(String servers) throws InterruptedException {
        Map<String, SortedMap<String, ViewRow>> rows = new TreeMap<>();
        for (String view : TopicCatalog.VIEWS) {
            try (MemoryImage image = MemoryImage.follow(servers, view)) {
                rows.put(view, image.awaitCaughtUp(PlatformFixture.TIMEOUT).snapshot());
            }
        }
        return rows;
    }
}
