package io.factstream.statetools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.Role;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Deciders;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.FlinkTestCluster;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.io.LogBound;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.WalletState;
import io.factstream.testkit.CommandLineRun;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * The wallet state's upgrade to version 2 (with {@code availableCents}) from a savepoint that version 1 of the
 * payments job left: without {@code migrate} the state Avro restores disagrees with the log and the job declines
 * every payment; migrated, it agrees with the log and the job lets customers spend what they have.
 */
class MigrateITCase {

    private static final Path FIXTURE = Path.of("src/test/resources/wallets-v1");
    private static final Path VERSION_1 = FIXTURE.resolve("savepoint");
    private static final Path LOG = FIXTURE.resolve("payments-log.avro");
    private static final BoundedContext PAYMENTS = BoundedContext.PAYMENTS;

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    static Path dir;

    private static Path migrated;
    private static Map<String, AggregateSnapshot> folded;
    private static int aggregates;

    @BeforeAll
    static void migrate() throws Exception {
        migrated = dir.resolve("version-2");
        CommandLineRun run = run("migrate", "--migration", "wallet-available-balance", "--savepoint",
                VERSION_1.toString(), "--out", migrated.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        folded = foldTheLog();
        CommandLineRun version1 = run("inspect", "--aggregate", "payments", "--savepoint", VERSION_1.toString());
        aggregates = version1.lines().size();
        assertThat(aggregates).isGreaterThanOrEqualTo(folded.size()).isPositive();
        assertThat(run.out()).contains("wallet-available-balance: migrated " + aggregates + " Wallet aggregates");
    }

    @Test
    void theMigratedSavepointAgreesWithTheLogWhereTheRestoredOneDoesNot() {
        CommandLineRun before = run("verify", "--context", "payments", "--savepoint", VERSION_1.toString(),
                "--input-file", LOG.toString());
        assertThat(before.exitCode()).as(before.toString()).isEqualTo(StateTools.EXIT_NO);
        assertThat(before.out()).contains("availableCents");

        CommandLineRun after = run("verify", "--context", "payments", "--savepoint", migrated.toString(),
                "--input-file", LOG.toString());
        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.lines()).containsExactly("0 of " + aggregates + " Wallet aggregates differ from their log");
    }

    @Test
    void theVersion2JobLetsCustomersSpendWhatTheyHaveOnlyFromTheMigratedSavepoint() throws Exception {
        String wallet = folded.entrySet().stream()
                .filter(e -> ((WalletState) e.getValue().getState()).getAvailableCents() > 0)
                .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        AggregateSnapshot snapshot = folded.get(wallet);
        long available = ((WalletState) snapshot.getState()).getAvailableCents();

        EventEnvelope unmigrated = authorizeEverything(VERSION_1, wallet, available, "v1");
        assertThat(unmigrated.getEventData()).as("Avro's default of 0 declines the customer")
                .isInstanceOf(PaymentDeclined.class);

        EventEnvelope upgraded = authorizeEverything(migrated, wallet, available, "v2");
        assertThat(upgraded.getEventData()).isInstanceOf(PaymentAuthorized.class);
        assertThat(((PaymentAuthorized) upgraded.getEventData()).getAvailable().getMinorUnits()).isZero();
        assertThat(upgraded.getSequenceNumber()).as("the sequence goes on").isEqualTo(snapshot.getVersion() + 1);
    }

    @Test
    void planUpgradeNamesTheMigrationTheVersion1SavepointNeedsAndFindsTheMigratedOneSafe() {
        CommandLineRun version1 = run("plan-upgrade", "--savepoint", VERSION_1.toString(), "--entry-class",
                AggregateJob.class.getName(), "--", "--context", "payments");
        assertThat(version1.exitCode()).as(version1.toString()).isEqualTo(1);
        assertThat(version1.lines()).anyMatch(line -> line.startsWith("migrate  payments-aggregate: state "
                + "'aggregate': io.factstream.state.WalletState.availableCents added")
                && line.contains("run the migration wallet-available-balance"));
        assertThat(version1.lines()).last().asString().startsWith("verdict: run wallet-available-balance");

        CommandLineRun version2 = run("plan-upgrade", "--savepoint", migrated.toString(), "--entry-class",
                AggregateJob.class.getName(), "--", "--context", "payments");
        assertThat(version2.exitCode()).as(version2.toString()).isZero();
        assertThat(version2.lines()).contains("ok       payments-aggregate: state 'aggregate' restores as written")
                .noneMatch(line -> line.startsWith("migrate") || line.startsWith("refuse"));
        CommandLineRun tooWide = run("plan-upgrade", "--savepoint", migrated.toString(), "--entry-class",
                AggregateJob.class.getName(), "--", "--context", "payments", "--parallelism", "200");
        assertThat(tooWide.exitCode()).as(tooWide.toString()).isEqualTo(2);
        assertThat(tooWide.lines()).contains("refuse   payments-aggregate: parallelism 200 is above the savepoint's "
                + "max parallelism 128");
    }

    @Test
    void planUpgradeWithoutASavepointToJudgeGivesNoVerdict() {
        CommandLineRun notASavepoint = run("plan-upgrade", "--savepoint", LOG.getParent().toString(),
                "--entry-class", AggregateJob.class.getName(), "--", "--context", "payments");
        assertThat(notASavepoint.exitCode()).as(notASavepoint.toString()).isEqualTo(StateTools.EXIT_FAILED);
        assertThat(notASavepoint.err().lines()).singleElement().asString().startsWith("state-tools plan-upgrade: ");

        CommandLineRun noSavepointGiven = run("plan-upgrade", "--entry-class", AggregateJob.class.getName());
        assertThat(noSavepointGiven.exitCode()).as("bad arguments are no verdict: %s", noSavepointGiven)
                .isEqualTo(StateTools.EXIT_FAILED);
        assertThat(noSavepointGiven.err()).contains("Missing required option: '--savepoint=<savepoint>'");
    }

    /**
     * Starts the version 2 payments job from a savepoint, asks it to authorize all the wallet's available money for
     * a new order, and returns the event it answers with.
     */
    private static EventEnvelope authorizeEverything(Path savepoint, String wallet, long amount, String run)
            throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        options.from = new LogBound.Offsets(KAFKA.endOffsets(List.of(PAYMENTS.commandsTopic())));
        options.groupId = "payments-" + run;
        options.transactionalIdPrefix = "payments-" + run;
        Configuration config = options.configuration();
        config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toAbsolutePath().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        AggregateJob.define(env, options, PAYMENTS, AggregateSettings.standard(),
                () -> Deciders.forContext(PAYMENTS));
        JobClient job = env.executeAsync("payments " + run);
        try {
            String order = wallet + "-order-" + run;
            CommandEnvelope authorize = CommandEnvelopes.builder(new AuthorizePayment(order, amount))
                    .setCommandId(UUID.randomUUID().toString())
                    .setSubjectId(wallet)
                    .setUserId("order-fulfilment")
                    .setRoles(List.of(Role.SYSTEM.name()))
                    .setCreationTimestamp(Instant.now())
                    .setCorrelationId(order)
                    .build();
            KAFKA.sendAll(List.of(new ProducerRecord<>(PAYMENTS.commandsTopic(), wallet.getBytes(UTF_8),
                    SingleObjectCodec.forType(CommandEnvelope.class).encode(authorize))));
            List<EventEnvelope> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                answers.clear();
                answers.addAll(eventsCausedBy(authorize.getCommandId()));
                assertThat(answers).hasSize(1);
            });
            return answers.get(0);
        } finally {
            job.cancel().get();
        }
    }

    private static List<EventEnvelope> eventsCausedBy(String commandId) throws UndecodableRecordException {
        SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);
        List<EventEnvelope> events = new ArrayList<>();
        for (var record : KAFKA.readCommitted(List.of(PAYMENTS.eventsTopic()))) {
            EventEnvelope event = codec.decode(record.value());
            if (event.getCausationId().equals(commandId)) {
                events.add(event);
            }
        }
        return events;
    }

    /** Each wallet of the log's events folded with today's (version 2) wallet logic. */
    private static Map<String, AggregateSnapshot> foldTheLog() throws Exception {
        SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);
        List<EventEnvelope> events = new ArrayList<>();
        TopicDump.read(LOG, record -> {
            if (record.getTopic().equals(PAYMENTS.eventsTopic())) {
                try {
                    events.add(codec.decode(TopicDump.toConsumerRecord(record).value()));
                } catch (UndecodableRecordException e) {
                    throw new AssertionError("the fixture holds an undecodable event", e);
                }
            }
        });
        events.sort(Comparator.comparing(EventEnvelope::getAggregateId)
                .thenComparingLong(EventEnvelope::getSequenceNumber));
        CommandHandler<?> handler = new CommandHandler<>(Deciders.forContext(PAYMENTS), AggregateSettings.standard());
        Map<String, AggregateSnapshot> snapshots = new HashMap<>();
        for (EventEnvelope event : events) {
            snapshots.put(event.getAggregateId(), handler.apply(snapshots.get(event.getAggregateId()), event));
        }
        return snapshots;
    }

    private static CommandLineRun run(String... args) {
        return CommandLineRun.of(StateTools.commandLine(), args);
    }
}
