package io.factstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.shared.Menu;
import io.factstream.jobs.PlatformJob;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.read.CommittedReader;

/**
 * The savepoint upgrade on a real cluster: the orders job runs version 1 with traffic, is upgraded to version 2
 * (deploy/upgrade-fixture: OrderState gained {@code pizzaCount} with a default, and a rule reads it) at a higher
 * parallelism while commands keep coming, rolled back, resumed after the platform went down and up, and upgraded
 * once more behind the launcher's back with Flink's own REST API, after which {@code up} adopts that instance
 * instead of starting a second writer. Across it
 * all the invariants of docs/architecture.md hold (one outcome per command, contiguous sequences, no duplicate)
 * and the state carries over: orders placed under version
 * 1 are dispatched and completed under version 2, and keep version 1's cancellation rule (their count is the
 * default), while large orders placed under version 2 meet the new rule.
 *
 * <p>Before anything stops, {@code plan-upgrade} judges each jar against a fresh savepoint: version 2 is safe, and
 * {@code upgrade} refuses, leaving the running job alone, a jar whose {@code OrderState.totalCents} became a string
 * and a saga jar whose processor lost its uid ({@link FixtureJars}).
 */
class OrdersUpgradeITCase {

    private static final PlatformJob ORDERS_JOB = PlatformJob.byId("orders");
    private static final PlatformJob SAGA_JOB = PlatformJob.byId("saga");
    private static final Path CATALOG_SCHEMAS = Path.of("../../catalog/src/main/avro");
    private static final String TOTAL_CENTS_LONG = "{\"name\": \"totalCents\", \"type\": \"long\"";
    private static final String TOTAL_CENTS_STRING = "{\"name\": \"totalCents\", \"type\": \"string\"";

    private static final Path ORDERS_V2_JAR = Path.of(System.getProperty("factstream.orders-v2.jar"));
    private static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    private static final SingleObjectCodec<CommandRejected> REJECTIONS =
            SingleObjectCodec.forType(CommandRejected.class);
    private static final int ORDERS = 40;
    private static final int LARGE = 6;
    private static final int SMALL = 2;

    @TempDir
    Path dataDir;

    private final Random random = new Random(42);
    private final Map<String, String> expected = new HashMap<>(); // command id -> "accepted" or "rejected"
    private final Map<String, Long> totals = new HashMap<>();
    private final List<String> largeCancelsUnderV2 = new ArrayList<>();

    @Test
    void upgradesTheOrdersJobThroughASavepointWithANewStateFieldAndMoreParallelism() throws Exception {
        assertThat(ORDERS_V2_JAR).as("built by deploy/upgrade-fixture").exists();
        List<String> report = new ArrayList<>();
        try (PlatformFixture fixture = new PlatformFixture(dataDir);
             KafkaProducer<String, byte[]> producer = producer(fixture.bootstrapServers())) {
            fixture.up(List.of(ORDERS_JOB));
            LocalPlatform platform = fixture.platform();
            String v1 = fixture.runningJobId(ORDERS_JOB);
            int parallelismBefore = maxParallelism(platform, v1);

            // Version 1: orders 0..39 placed and confirmed; even ones large.
            for (int i = 0; i < ORDERS; i++) {
                send(producer, place(i, i % 2 == 0 ? LARGE : SMALL), "accepted");
                send(producer, confirm(i), "accepted");
            }
            awaitOutcomes(fixture);

            // Judged before anything stops: version 2 restores (its new field reads as its default), a jar whose
            // OrderState.totalCents became a string does not, and upgrade refuses it while version 1 runs on.
            UpgradePlanner.Plan v2Plan = platform.planUpgrade(ORDERS_JOB, ORDERS_V2_JAR, Optional.of(2));
            Path retyped = FixtureJars.withStateSchema(platform.settings().jobsJar(), CATALOG_SCHEMAS,
                    avsc -> avsc.replace(TOTAL_CENTS_LONG, TOTAL_CENTS_STRING), dataDir.resolve("retyped.jar"));
            List<String> retypedPlan = new ArrayList<>();
            Throwable retypedRefused = catchThrowable(() -> platform.upgrade(ORDERS_JOB, retyped, Optional.empty(),
                    false, retypedPlan::add));
            String stillV1 = fixture.runningJobId(ORDERS_JOB);
            String savepoint = platform.savepoint(ORDERS_JOB);

            // Dispatches of version 1 orders keep coming while the job is stopped and started again: the first of
            // each order is accepted, the repeats are rejected (already dispatched).
            Instant upgradeStart = Instant.now();
            CompletableFuture<String> upgrade = CompletableFuture.supplyAsync(() -> upgrade(platform));
            List<Instant> sentDuringUpgrade = new ArrayList<>();
            for (int n = 0; n < ORDERS / 2 || !upgrade.isDone(); n++) {
                int order = n % (ORDERS / 2);
                sentDuringUpgrade.add(Instant.now());
                send(producer, system("order-" + order, new MarkOrderDispatched("courier-" + order)),
                        n < ORDERS / 2 ? "accepted" : "rejected");
                awaitQuietly(upgrade, Duration.ofMillis(50));
            }
            String v2 = upgrade.join();
            Duration upgradeTook = Duration.between(upgradeStart, Instant.now());
            List<JobLedger.Entry> ledger = platform.history(ORDERS_JOB);
            Instant stopped = ledger.get(ledger.size() - 2).at();
            Instant restarted = ledger.get(ledger.size() - 1).at();
            long whileDown = sentDuringUpgrade.stream().filter(t -> t.isAfter(stopped) && t.isBefore(restarted))
                    .count();
            int parallelismAfter = maxParallelism(platform, v2);

            // Version 2: version 1 orders complete (state carried over) or are cancelled under version 1's rule
            // (pizzaCount is the default 0); orders placed now meet the new rule when large and confirmed.
            for (int i = 0; i < ORDERS / 2; i++) {
                send(producer, system("order-" + i, new CompleteOrder(totals.get("order-" + i))), "accepted");
            }
            for (int i = ORDERS / 2; i < ORDERS; i++) {
                send(producer, cancelByCustomer(i), "accepted");
            }
            for (int i = ORDERS; i < 2 * ORDERS; i++) {
                send(producer, place(i, i % 2 == 0 ? LARGE : SMALL), "accepted");
                send(producer, confirm(i), "accepted");
                CommandEnvelope cancel = cancelByCustomer(i);
                send(producer, cancel, i % 2 == 0 ? "rejected" : "accepted");
                if (i % 2 == 0) {
                    largeCancelsUnderV2.add(cancel.getCommandId());
                }
            }
            awaitOutcomes(fixture);

            // Rolled back: version 1 reads version 2's state (the field is skipped) and applies its own rule to
            // the large order placed under version 2 whose cancellation version 2 refused.
            String rolledBack = platform.rollback(ORDERS_JOB);
            send(producer, cancelByCustomer(ORDERS), "accepted");
            awaitOutcomes(fixture);

            // Down and up again: the job resumes from its savepoint at its parallelism, with its state.
            fixture.platform().down();
            fixture.up(List.of(ORDERS_JOB));
            String resumed = fixture.runningJobId(ORDERS_JOB);
            send(producer, system("order-" + (ORDERS + 2), new MarkOrderDispatched("courier-x")), "accepted");
            awaitOutcomes(fixture);

            // Upgraded behind the launcher's back, with Flink's own REST API as its CLI would (stop with a
            // savepoint, run the same jar from it at parallelism 1): the launcher's up adopts that instance
            // instead of starting a second writer of orders.events from the ledger's older savepoint.
            String foreign = fixture.runThroughFlinkRest(ORDERS_JOB, fixture.stopThroughFlinkRest(ORDERS_JOB), 1);
            List<String> statusBeforeUp = platform.status();
            List<String> upSteps = fixture.up(List.of(ORDERS_JOB));
            List<String> instances = platform.flink().rest().activeJobs().entrySet().stream()
                    .filter(job -> job.getValue().equals(ORDERS_JOB.flinkJobName())).map(Map.Entry::getKey).toList();
            send(producer, system("order-" + (ORDERS + 4), new MarkOrderDispatched("courier-y")), "accepted");
            awaitOutcomes(fixture);

            AuditReport audit = new InvariantAuditor().audit(new CommittedReader(fixture.bootstrapServers(),
                    PlatformFixture.TIMEOUT), BoundedContext.ORDERS);
            Map<String, String> outcomes = outcomes(fixture);
            Map<String, List<Long>> sequences = sequences(fixture);
            List<String> steps = platform.history(ORDERS_JOB).stream()
                    .map(e -> e.action() + " " + e.jar().getFileName() + " p=" + e.parallelism()).toList();

            report.add("plan-upgrade of version 2 (exit " + v2Plan.exitCode() + "): " + v2Plan.lines());
            report.add("plan-upgrade of a jar with OrderState.totalCents as a string: " + retypedPlan + "; upgrade "
                    + "said: " + retypedRefused.getMessage());
            report.add("savepoint before the upgrade: " + savepoint);
            report.add("upgrade (stop with savepoint, start version 2): " + upgradeTook.toMillis() + " ms, job " + v1
                    + " -> " + v2 + ", parallelism " + parallelismBefore + " -> " + parallelismAfter);
            report.add(sentDuringUpgrade.size() + " commands sent during the upgrade, " + whileDown
                    + " of them while no version ran");
            report.add("rollback: job " + v2 + " -> " + rolledBack + "; down and up: resumed as " + resumed
                    + " at parallelism " + maxParallelism(platform, resumed));
            report.add("upgraded through Flink's REST API: job " + resumed + " -> " + foreign + " at parallelism "
                    + maxParallelism(platform, foreign) + "; status said " + statusBeforeUp.stream()
                    .filter(line -> line.startsWith("orders")).findFirst().orElse("nothing") + "; up said "
                    + upSteps.stream().filter(line -> line.startsWith("orders")).findFirst().orElse("nothing"));
            report.add("ledger: " + steps);
            report.add("state carried over: order-0 has sequence numbers " + sequences.get("order-0")
                    + " (placed and confirmed under v1; dispatched during the upgrade, completed under v2)");
            long refused = largeCancelsUnderV2.stream().filter(id -> "rejected".equals(outcomes.get(id))).count();
            report.add("new field used: " + refused + " customer cancels of large confirmed orders "
                    + "placed under v2 rejected by the pizzaCount rule; the cancels of v1 orders (pizzaCount 0, the "
                    + "default) accepted");
            report.addAll(audit.lines());
            report.forEach(System.out::println);
            Files.write(dataDir.resolve("upgrade-report.txt"), report, StandardCharsets.UTF_8);

            assertThat(audit.problems()).isEmpty();
            assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(v2Plan.exitCode()).as(String.join("\n", v2Plan.lines())).isZero();
            assertThat(v2Plan.lines()).anyMatch(line -> line.startsWith("ok ")
                    && line.contains("io.factstream.state.OrderState.pizzaCount added"));
            assertThat(retypedRefused).isInstanceOf(LocalPlatformException.class).hasMessageContaining("exited 2");
            assertThat(retypedPlan).anyMatch(line -> line.startsWith("refuse ")
                    && line.contains("state 'aggregate' does not resolve")
                    && line.contains("io.factstream.state.OrderState.totalCents"));
            assertThat(stillV1).as("the orders job after the refused upgrade").isEqualTo(v1);
            assertThat(parallelismBefore).isEqualTo(1);
            assertThat(parallelismAfter).isEqualTo(2);
            assertThat(whileDown).as("commands sent while the job was down").isPositive();
            assertThat(maxParallelism(platform, resumed)).as("parallelism after down and up").isEqualTo(2);
            for (int i = 0; i < ORDERS / 2; i++) {
                assertThat(sequences.get("order-" + i)).as("order-%d carried over", i).containsExactly(1L, 2L, 3L, 4L);
            }
            assertThat(steps).containsSubsequence("started factstream-jobs.jar p=1",
                    "upgraded " + ORDERS_V2_JAR.getFileName() + " p=2", "rolled-back factstream-jobs.jar p=2",
                    "stopped factstream-jobs.jar p=2", "started factstream-jobs.jar p=2");
            assertThat(sequences.get("order-" + (ORDERS + 2))).as("a v2 order dispatched after down and up")
                    .containsExactly(1L, 2L, 3L);
            assertThat(statusBeforeUp).anySatisfy(line -> assertThat(line).startsWith("orders")
                    .contains("runs as " + foreign + " (started outside the launcher"));
            assertThat(upSteps).contains("orders runs as " + foreign
                    + " (adopted: started outside the launcher, now in the ledger at p=1)");
            assertThat(instances).as("the instances of the orders job on the cluster").containsExactly(foreign);
            assertThat(fixture.runningJobId(ORDERS_JOB)).isEqualTo(foreign);
            assertThat(steps).endsWith("adopted factstream-jobs.jar p=1");

            // A saga jar whose processor lost its uid: the saga state of a savepoint has nowhere to go, and upgrade
            // refuses it while the saga runs on.
            fixture.up(List.of(SAGA_JOB));
            String saga = fixture.runningJobId(SAGA_JOB);
            await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() ->
                    new CommittedReader(fixture.bootstrapServers(), PlatformFixture.TIMEOUT)
                            .readAll(List.of(BoundedContext.PAYMENTS.commandsTopic()), record -> { }) > 0);
            Path renamed = FixtureJars.withEntryClass(platform.settings().jobsJar(), RenamedSagaProcessorJob.class,
                    dataDir.resolve("renamed-saga.jar"));
            List<String> renamedPlan = new ArrayList<>();
            Throwable renamedRefused = catchThrowable(() -> platform.upgrade(SAGA_JOB, renamed, Optional.empty(),
                    false, renamedPlan::add));
            renamedPlan.forEach(line -> System.out.println("renamed saga processor: " + line));
            assertThat(renamedRefused).isInstanceOf(LocalPlatformException.class).hasMessageContaining("exited 2");
            assertThat(renamedPlan).anyMatch(line -> line.startsWith("refuse ") && line.contains("keyed state 'saga'")
                    && line.contains("no operator of the new job has its uid"));
            assertThat(fixture.runningJobId(SAGA_JOB)).as("the saga after the refused upgrade").isEqualTo(saga);
        }
    }

    private static String upgrade(LocalPlatform platform) {
        try {
            return platform.upgrade(ORDERS_JOB, ORDERS_V2_JAR, Optional.of(2), false, line -> { });
        } catch (LocalPlatformException e) {
            throw new IllegalStateException("the upgrade failed: " + e.getMessage(), e);
        }
    }

    /** Waits for the future up to {@code pause}: the pace of the traffic, and no longer than the upgrade. */
    private static void awaitQuietly(CompletableFuture<?> future, Duration pause) {
        try {
            future.get(pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            // the next command goes out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            // upgrade.join() reports it
        }
    }

    private CommandEnvelope place(int order, int pizzas) {
        String customer = "customer-" + order;
        List<OrderLine> lines = List.of(new OrderLine("MARGHERITA", PizzaSize.MEDIUM, pizzas));
        totals.put("order-" + order, Menu.standard().priceCents("MARGHERITA", PizzaSize.MEDIUM).orElseThrow() * pizzas);
        return envelope("order-" + order, customer, Role.CUSTOMER, new PlaceOrder(customer, lines, ADDRESS, null));
    }

    private CommandEnvelope confirm(int order) {
        return system("order-" + order, new ConfirmOrder(totals.get("order-" + order)));
    }

    private CommandEnvelope cancelByCustomer(int order) {
        return envelope("order-" + order, "customer-" + order, Role.CUSTOMER,
                new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind"));
    }

    private CommandEnvelope system(String orderId, SpecificRecord command) {
        return envelope(orderId, "saga", Role.SYSTEM, command);
    }

    private CommandEnvelope envelope(String orderId, String user, Role role, SpecificRecord command) {
        return CommandEnvelopes.builder(command)
                .setCommandId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setSubjectId(orderId)
                .setUserId(user)
                .setRoles(List.of(role.name()))
                .setCreationTimestamp(Instant.now())
                .setCorrelationId(orderId)
                .build();
    }

    private void send(KafkaProducer<String, byte[]> producer, CommandEnvelope command, String outcome) {
        synchronized (expected) {
            expected.put(command.getCommandId(), outcome);
        }
        producer.send(new ProducerRecord<>(BoundedContext.ORDERS.commandsTopic(), command.getSubjectId(),
                COMMANDS.encode(command)));
        producer.flush();
    }

    /** Waits until every command sent so far has its outcome on the committed topics. */
    private void awaitOutcomes(PlatformFixture fixture) {
        await().atMost(PlatformFixture.TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> outcomes(fixture).keySet().containsAll(expected.keySet()));
    }

    /** Every command's outcome, by command id: accepted when it caused events, rejected when rejected. */
    private static Map<String, String> outcomes(PlatformFixture fixture) throws UndecodableRecordException {
        CommittedReader topics = new CommittedReader(fixture.bootstrapServers(), PlatformFixture.TIMEOUT);
        Map<String, String> outcomes = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(List.of(BoundedContext.ORDERS.eventsTopic()))) {
            outcomes.put(EVENTS.decode(record.value()).getCausationId(), "accepted");
        }
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(List.of(BoundedContext.ORDERS.rejectionsTopic()))) {
            outcomes.put(REJECTIONS.decode(record.value()).getCommandId(), "rejected");
        }
        return outcomes;
    }

    /** The sequence numbers of each order's events, in log order. */
    private static Map<String, List<Long>> sequences(PlatformFixture fixture) throws UndecodableRecordException {
        Map<String, List<Long>> sequences = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(fixture.bootstrapServers(),
                PlatformFixture.TIMEOUT).readAll(List.of(BoundedContext.ORDERS.eventsTopic()))) {
            EventEnvelope event = EVENTS.decode(record.value());
            sequences.computeIfAbsent(event.getAggregateId(), id -> new ArrayList<>()).add(event.getSequenceNumber());
        }
        return sequences;
    }

    private static int maxParallelism(LocalPlatform platform, String jobId) throws LocalPlatformException {
        return platform.flink().rest().parallelism(jobId).values().stream().mapToInt(Integer::intValue).max()
                .orElseThrow();
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
