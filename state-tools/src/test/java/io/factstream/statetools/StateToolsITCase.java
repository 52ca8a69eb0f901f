package io.factstream.statetools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.Role;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Deciders;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.CommandMix;
import io.factstream.jobs.ExpectedOutcomes;
import io.factstream.jobs.FlinkTestCluster;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.jobs.io.LogBound;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.WalletState;
import io.factstream.testkit.CommandLineRun;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * state-tools against a savepoint of a real payments job: {@code inspect} shows the state the job's outputs imply,
 * {@code bootstrap} rebuilds it from the log and a job started from it goes on where the log ends, {@code verify}
 * passes on it and names the aggregate of a corrupted copy, {@code as-of} folds the log up to a time.
 */
class StateToolsITCase {

    private static final BoundedContext PAYMENTS = BoundedContext.PAYMENTS;
    private static final AggregateSettings SETTINGS = AggregateSettings.standard();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    private static final SingleObjectCodec<CommandRejected> REJECTIONS =
            SingleObjectCodec.forType(CommandRejected.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create()
            .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir
    static Path dir;

    private static CommandMix mix;
    private static Map<String, AggregateSnapshot> expected;
    private static Path live;
    /** Where the payments log ended when the savepoint was taken, as {@code --until} takes it. */
    private static String logEnd;

    @BeforeAll
    static void runThePaymentsJobAndTakeASavepoint() throws Exception {
        mix = CommandMix.generate(PAYMENTS, 20261126L, 30);
        expected = ExpectedOutcomes.ofSends(PAYMENTS, mix.sends(), SETTINGS).snapshots();
        KAFKA.sendAll(mix.records());
        JobClient job = start(options -> { }, null);
        await().atMost(WAIT).untilAsserted(() -> {
            AuditReport report = audit();
            assertThat(report.problems()).isEmpty();
            assertThat(report.answeredByEvents() + report.answeredByRejection()).isEqualTo(report.distinctCommands());
        });
        live = savepointPath(job.stopWithSavepoint(false, dir.resolve("live").toUri().toString(),
                SavepointFormatType.CANONICAL).get());
        Map<TopicPartition, Long> ends = new HashMap<>(KAFKA.endOffsets(List.of(PAYMENTS.eventsTopic())));
        ends.putAll(KAFKA.endOffsets(List.of(PAYMENTS.rejectionsTopic())));
        logEnd = ends.entrySet().stream().map(e -> e.getKey().topic() + ":" + e.getKey().partition() + "="
                + e.getValue()).sorted().collect(Collectors.joining(","));
    }

    @Test
    void inspectPrintsTheStateTheJobsOutputsImply() {
        CommandLineRun all = run("inspect", "--aggregate", "payments", "--savepoint", live.toString());
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines()).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(
                expected.entrySet().stream().map(e -> SavepointStates.json(e.getKey(), e.getValue())).toList());

        String wallet = aWalletWithAnAuthorization();
        CommandLineRun one = run("inspect", "--aggregate", "payments", "--savepoint", live.toString(), "--key", wallet);
        assertThat(one.lines()).containsExactly(SavepointStates.json(wallet, expected.get(wallet)));

        CommandLineRun none = run("inspect", "--aggregate", "payments", "--savepoint", live.toString(), "--key", "x");
        assertThat(none.exitCode()).isEqualTo(StateTools.EXIT_NO);
        assertThat(none.err()).contains("no state for key x");
    }

    @Test
    void aJobStartedFromABootstrappedSavepointGoesOnWhereTheLogEnds() throws Exception {
        Path bootstrapped = dir.resolve("bootstrapped");
        CommandLineRun run = run("bootstrap", "--context", "payments", "-b", KAFKA.bootstrapServers(),
                "--until", logEnd, "--out", bootstrapped.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("wrote the state of " + expected.size() + " Wallet aggregates");
        assertThat(inspect(bootstrapped)).as("the state the live job kept").isEqualTo(inspect(live));

        String wallet = aWalletWithAnAuthorization();
        AggregateSnapshot before = expected.get(wallet);
        CommandEnvelope handled = lastHandledCommand(wallet);
        String authorizedOrder = authorizedOrder(wallet);
        LogBound endOfCommands = new LogBound.Offsets(KAFKA.endOffsets(List.of(PAYMENTS.commandsTopic())));
        JobClient job = start(options -> {
            options.from = endOfCommands;
            options.groupId = "payments-bootstrapped";
            options.transactionalIdPrefix = "bootstrapped";
        }, bootstrapped);
        try {
            CommandEnvelope topUp = command(wallet, wallet, Role.CUSTOMER, new TopUpWallet(500L));
            CommandEnvelope again = command(wallet, "order-fulfilment", Role.SYSTEM,
                    new AuthorizePayment(authorizedOrder, 100L));
            KAFKA.sendAll(List.of(record(handled), record(topUp), record(again)));

            await().atMost(WAIT).untilAsserted(() -> assertThat(rejectionsOf(again)).hasSize(1));
            assertThat(eventsOf(topUp)).extracting(EventEnvelope::getSequenceNumber)
                    .as("the sequence goes on").containsExactly(before.getVersion() + 1);
            assertThat(rejectionsOf(again).get(0).getReason()).as("the rules see the bootstrapped authorizations")
                    .isEqualTo(RejectionReason.BUSINESS_RULE_VIOLATION);
            assertThat(rejectionsOf(again).get(0).getAggregateVersion()).isEqualTo(before.getVersion() + 1);
            assertThat(rejectionsOf(handled)).as("the resent command is a duplicate").isEmpty();
            assertThat(eventsOf(handled)).extracting(EventEnvelope::getSequenceNumber)
                    .allMatch(sequence -> sequence <= before.getVersion());
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void verifyPassesOnAConsistentSavepointAndNamesTheAggregateOfACorruptedOne() throws Exception {
        CommandLineRun consistent = run("verify", "--context", "payments", "--savepoint", live.toString(),
                "-b", KAFKA.bootstrapServers(), "--until", logEnd);
        assertThat(consistent.exitCode()).as(consistent.toString()).isZero();
        assertThat(consistent.lines()).containsExactly(
                "0 of " + expected.size() + " Wallet aggregates differ from their log");

        String wallet = aWalletWithAnAuthorization();
        Path corrupted = corrupt(live, wallet);
        CommandLineRun broken = run("verify", "--context", "payments", "--savepoint", corrupted.toString(),
                "-b", KAFKA.bootstrapServers(), "--until", logEnd);
        assertThat(broken.exitCode()).as(broken.toString()).isEqualTo(StateTools.EXIT_NO);
        assertThat(broken.lines()).hasSize(2);
        assertThat(broken.lines().get(0)).startsWith(wallet + ": state at version ");
        assertThat(broken.lines().get(1)).isEqualTo("1 of " + expected.size() + " Wallet aggregates differ from their log");
    }

    @Test
    void asOfFoldsTheLogUpToATimeBetweenTwoEventsOfAnAggregate() {
        String wallet = aWalletWithAnAuthorization();
        List<EventEnvelope> events = eventsOfWallet(wallet);
        int k = 1;
        while (!events.get(k + 1).getCreationTimestamp().isAfter(events.get(k).getCreationTimestamp())) {
            k++;
        }
        Instant t0 = events.get(k).getCreationTimestamp();
        Instant at = t0.plusMillis(Duration.between(t0, events.get(k + 1).getCreationTimestamp()).toMillis() / 2);
        AggregateSnapshot then = ExpectedOutcomes.ofSends(PAYMENTS, mix.sends().stream().filter(s -> s.command() != null
                && !s.command().getCreationTimestamp().isAfter(at)).toList(), SETTINGS).snapshots().get(wallet);
        assertThat(then.getVersion()).as("between two events").isEqualTo(events.get(k).getSequenceNumber());

        CommandLineRun run = run("as-of", "--context", "payments", "--at", at.toString(), "--aggregate", wallet,
                "-b", KAFKA.bootstrapServers(), "--until", logEnd);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.lines()).containsExactly(SavepointStates.json(wallet, then));

        Instant beforeItAll = events.get(0).getCreationTimestamp().minusMillis(1);
        CommandLineRun none = run("as-of", "--context", "payments", "--at", beforeItAll.toString(), "--aggregate",
                wallet, "-b", KAFKA.bootstrapServers(), "--until", logEnd);
        assertThat(none.exitCode()).isEqualTo(StateTools.EXIT_NO);
        assertThat(none.err()).contains(wallet + " did not exist at " + beforeItAll);
    }

    @Test
    void asOfFromASavepointFoldsOnlyTheLogAfterIt() {
        List<CommandEnvelope> commands = mix.commands();
        Instant middle = commands.get(commands.size() / 2).getCreationTimestamp();
        Path early = dir.resolve("early");
        CommandLineRun bootstrap = run("bootstrap", "--context", "payments", "-b", KAFKA.bootstrapServers(),
                "--until", middle.toString(), "--out", early.toString());
        assertThat(bootstrap.exitCode()).as(bootstrap.toString()).isZero();
        assertThat(inspect(early)).as("the state before the middle").isNotEqualTo(inspect(live));

        CommandLineRun run = run("as-of", "--context", "payments", "--at", Instant.now().toString(),
                "--savepoint", early.toString(), "--from", middle.toString(), "--until", logEnd,
                "-b", KAFKA.bootstrapServers());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.lines()).containsExactlyInAnyOrderElementsOf(inspect(live));
    }

    // ---- the live job and its topics

    private static JobClient start(Consumer<JobOptions> adjust, Path savepoint) throws Exception {
        JobOptions options = JobOptions.defaults(KAFKA.bootstrapServers());
        options.checkpointInterval = Duration.ofMillis(300);
        adjust.accept(options);
        Configuration config = options.configuration();
        if (savepoint != null) {
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        AggregateJob.define(env, options, PAYMENTS, SETTINGS,
                () -> Deciders.forContext(PAYMENTS));
        return env.executeAsync("payments");
    }

    private static AuditReport audit() {
        return new InvariantAuditor().audit(PAYMENTS, KAFKA.readCommitted(List.of(PAYMENTS.commandsTopic())),
                KAFKA.readCommitted(List.of(PAYMENTS.eventsTopic())),
                KAFKA.readCommitted(List.of(PAYMENTS.rejectionsTopic())),
                KAFKA.readCommitted(List.of(PAYMENTS.deadLetterTopic())));
    }

    private static Path savepointPath(String location) {
        return Path.of(URI.create(location));
    }

    private static List<String> inspect(Path savepoint) {
        CommandLineRun run = run("inspect", "--aggregate", "payments", "--savepoint", savepoint.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run.lines().stream().sorted().toList();
    }

    /** A copy of a savepoint in which one wallet holds 1 cent more than its log says. */
    private static Path corrupt(Path savepoint, String wallet) throws Exception {
        Path corrupted = dir.resolve("corrupted");
        StreamExecutionEnvironment env = StateTools.savepointWritingEnvironment();
        SavepointReader reader = SavepointReader.read(env, savepoint.toUri().toString());
        OperatorIdentifier aggregates = OperatorIdentifier.forUid(new AggregateUids(PAYMENTS).processor());
        var snapshots = SavepointStates.aggregates(reader, PAYMENTS).map(s -> {
            if (!s.getAggregateId().equals(wallet)) {
                return s;
            }
            WalletState state = WalletState.newBuilder((WalletState) s.getSnapshot().getState())
                    .setBalanceCents(((WalletState) s.getSnapshot().getState()).getBalanceCents() + 1).build();
            return new KeyedSnapshot(wallet, AggregateSnapshot.newBuilder(s.getSnapshot()).setState(state).build());
        }, new AvroTypeInfo<>(KeyedSnapshot.class));
        SavepointWriter.fromExistingSavepoint(env, savepoint.toUri().toString())
                .removeOperator(aggregates)
                .withOperator(aggregates, OperatorTransformation.bootstrapWith(snapshots)
                        .keyBy(KeyedSnapshot::getAggregateId, Types.STRING)
                        .transform(new BootstrapCommand.WriteSnapshot()))
                .write(corrupted.toUri().toString());
        env.execute("corrupt a savepoint");
        return corrupted;
    }

    // ---- the payments log

    /** A wallet of the mix whose log holds an authorization and at least three events. */
    private static String aWalletWithAnAuthorization() {
        return expected.keySet().stream().sorted()
                .filter(wallet -> authorizedOrder(wallet) != null && eventsOfWallet(wallet).size() >= 3)
                .findFirst().orElseThrow();
    }

    private static String authorizedOrder(String wallet) {
        return eventsOfWallet(wallet).stream().map(EventEnvelope::getEventData)
                .filter(PaymentAuthorized.class::isInstance).map(e -> ((PaymentAuthorized) e).getOrderId())
                .findFirst().orElse(null);
    }

    private static List<EventEnvelope> eventsOfWallet(String wallet) {
        return decode(KAFKA.readCommitted(List.of(PAYMENTS.eventsTopic())), EVENTS).stream()
                .filter(e -> e.getAggregateId().equals(wallet))
                .sorted(Comparator.comparingLong(EventEnvelope::getSequenceNumber)).toList();
    }

    private static CommandEnvelope lastHandledCommand(String wallet) {
        List<String> recent = expected.get(wallet).getRecentCommandIds();
        String id = recent.get(recent.size() - 1);
        return mix.commands().stream().filter(c -> c.getCommandId().equals(id)).findFirst().orElseThrow();
    }

    private static List<EventEnvelope> eventsOf(CommandEnvelope command) {
        return decode(KAFKA.readCommitted(List.of(PAYMENTS.eventsTopic())), EVENTS).stream()
                .filter(e -> e.getCausationId().equals(command.getCommandId())).toList();
    }

    private static List<CommandRejected> rejectionsOf(CommandEnvelope command) {
        return decode(KAFKA.readCommitted(List.of(PAYMENTS.rejectionsTopic())), REJECTIONS).stream()
                .filter(r -> r.getCommandId().equals(command.getCommandId())).toList();
    }

    private static CommandEnvelope command(String wallet, String user, Role role, SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.randomUUID().toString())
                .setSubjectId(wallet)
                .setUserId(user)
                .setRoles(List.of(role.name()))
                .setCreationTimestamp(Instant.now())
                .setCorrelationId(wallet + "-after-bootstrap")
                .build();
    }

    private static ProducerRecord<byte[], byte[]> record(CommandEnvelope command) {
        return new ProducerRecord<>(PAYMENTS.commandsTopic(), command.getSubjectId().getBytes(UTF_8),
                COMMANDS.encode(command));
    }

    private static <T extends SpecificRecord> List<T> decode(List<ConsumerRecord<byte[], byte[]>> records,
                                                             SingleObjectCodec<T> codec) {
        List<T> decoded = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                decoded.add(codec.decode(record.value()));
            } catch (UndecodableRecordException e) {
                throw new AssertionError("the job wrote an undecodable record", e);
            }
        }
        return decoded;
    }

    private static CommandLineRun run(String... args) {
        return CommandLineRun.of(StateTools.commandLine(), args);
    }
}
