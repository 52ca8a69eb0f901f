package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.Role;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.views.CustomerOrdersProjection;
import io.factstream.domain.views.KitchenQueueProjection;
import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.read.ViewHistory;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.view.Projection;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.WalletState;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.KafkaBrokerExtension;
import io.factstream.views.ViewRow;

/**
 * The six jobs resume from savepoints that an earlier version of factstream took (see the fixture's README), on
 * the topics those savepoints belong to. The world the earlier version was playing then ends as it was planned:
 * the sagas it left waiting for the kitchen or a courier time out and compensate, the books balance, and every
 * invariant holds across the two versions (contiguous sequence numbers, one answer per command). The restored
 * aggregates decide from their restored state, and the views go on with the next version of each row.
 */
class SavepointCompatibilityITCase {

    private static final Path FIXTURE = Path.of("src/test/resources/platform-be1f673");
    /** The world the earlier version played; generated again from the same parameters. */
    private static final World WORLD = WorldGenerator.generate(
            new WorldGenerator.Parameters(20261126L, 30, 80, Duration.ofSeconds(8)));

    private final SingleObjectCodec<CommandEnvelope> commands = SingleObjectCodec.forType(CommandEnvelope.class);
    private final SingleObjectCodec<EventEnvelope> eventCodec = SingleObjectCodec.forType(EventEnvelope.class);
    private final SingleObjectCodec<CommandRejected> rejections = SingleObjectCodec.forType(CommandRejected.class);

    @Test
    void thePlatformResumesFromTheEarlierVersionsSavepointsAndItsWorldEndsAsPlanned() throws Exception {
        Map<String, String> planned = WorldPlay.plannedOutcomes(WORLD);
        try (EmbeddedPlatform platform = EmbeddedPlatform.resume(EmbeddedPlatform.Settings.quick(),
                EmbeddedPlatform.Logic.standard(), this::loadTheFixtureTopics, savepoints())) {
            String kafka = platform.bootstrapServers();
            List<EventEnvelope> before = events(kafka);
            assertThat(before).as("the earlier version's events").hasSizeGreaterThan(500);
            String order = completedOrder(before);
            String customer = customerOf(before, order);
            WalletState wallet = walletOf(before, customer);
            long walletVersion = before.stream().filter(e -> e.getAggregateType().equals("Wallet")
                    && e.getAggregateId().equals(customer)).mapToLong(EventEnvelope::getSequenceNumber).max()
                    .orElseThrow();

            CommandEnvelope topUp = command(customer, customer, new TopUpWallet(1_234L));
            CommandEnvelope lateCancel = command(order, customer,
                    new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind, much too late"));
            platform.kafka().send(record(BoundedContext.PAYMENTS, topUp));
            platform.kafka().send(record(BoundedContext.ORDERS, lateCancel));

            PlatformSummary summary = platform.awaitSagasFinished(planned.size(), Duration.ofMinutes(3));
            assertThat(summary.outcomes()).as("the outcomes across the two versions").isEqualTo(planned);
            assertThat(summary.moneyConserved()).as(String.join("\n", summary.lines())).isTrue();
            assertThat(PlatformAudit.of(new CommittedReader(kafka, Duration.ofSeconds(30))).problems()).isEmpty();

            List<EventEnvelope> after = events(kafka);
            EventEnvelope toppedUp = after.stream().filter(e -> e.getCausationId().equals(topUp.getCommandId()))
                    .findFirst().orElseThrow();
            assertThat(toppedUp.getSequenceNumber()).as("the wallet's next event").isEqualTo(walletVersion + 1);
            assertThat(((WalletToppedUp) toppedUp.getEventData()).getBalanceCents())
                    .as("the restored balance, topped up").isEqualTo(wallet.getBalanceCents() + 1_234L);
            assertThat(rejectionOf(kafka, lateCancel).getReason()).as("a completed order stays completed")
                    .isEqualTo(RejectionReason.BUSINESS_RULE_VIOLATION);

            assertTheViewsWentOn(kafka, after);
        }
    }

    /** The topics as the earlier version left them, kept forever: the fixture's records are older than retention. */
    private void loadTheFixtureTopics(KafkaBrokerExtension kafka) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> forever = new HashMap<>();
        for (TopicSpec topic : TopicCatalog.standard().topics()) {
            if (topic.cleanupPolicy().equals(TopicConfig.CLEANUP_POLICY_DELETE)) {
                forever.put(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()), List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "-1"), AlterConfigOp.OpType.SET)));
            }
        }
        kafka.admin().incrementalAlterConfigs(forever).all().get();
        TopicDump.load(FIXTURE.resolve("topics.avro"), kafka.bootstrapServers(), Duration.ofSeconds(30));
    }

    /** The savepoint of each job, by job id. */
    private static Map<String, String> savepoints() throws Exception {
        Map<String, String> savepoints = new TreeMap<>();
        try (Stream<Path> jobs = Files.list(FIXTURE.resolve("savepoints"))) {
            jobs.forEach(job -> savepoints.put(job.getFileName().toString(), job.toAbsolutePath().toUri().toString()));
        }
        assertThat(savepoints).containsOnlyKeys("orders", "payments", "kitchen", "delivery", "saga", "views");
        return savepoints;
    }

    /** Every view's history goes on from the earlier version's rows: versions contiguous, the latest as folded. */
    private static void assertTheViewsWentOn(String kafka, List<EventEnvelope> events) throws Exception {
        Map<String, Map<String, SpecificRecord>> expected = expectedRows(events);
        for (String view : TopicCatalog.VIEWS) {
            Map<String, List<ViewRow>> history = new TreeMap<>();
            new ViewHistory(kafka).all(view).forEach(row ->
                    history.computeIfAbsent(row.getKey(), key -> new ArrayList<>()).add(row));
            try (MemoryImage image = MemoryImage.follow(kafka, view)) {
                image.awaitCaughtUp(Duration.ofSeconds(60));
                Map<String, SpecificRecord> rows = new TreeMap<>();
                history.forEach((key, versions) -> {
                    for (int i = 0; i < versions.size(); i++) {
                        assertThat(versions.get(i).getVersion()).as("%s %s", view, key).isEqualTo(i + 1);
                    }
                    ViewRow last = versions.get(versions.size() - 1);
                    assertThat(image.get(key)).as("latest of %s %s", view, key)
                            .isEqualTo(last.getRow() == null ? Optional.empty() : Optional.of(last));
                    if (last.getRow() != null) {
                        rows.put(key, (SpecificRecord) last.getRow());
                    }
                });
                assertThat(rows).as("the rows of %s", view).isEqualTo(expected.get(view));
            }
        }
    }

    /** Each view's rows folded straight from the events, by view. */
    private static Map<String, Map<String, SpecificRecord>> expectedRows(List<EventEnvelope> events) {
        Map<String, Map<String, SpecificRecord>> expected = new HashMap<>();
        for (ViewDefinition<?> view : Views.all()) {
            expected.put(view.name(), new TreeMap<>(view.fold(events)));
        }
        return expected;
    }

    private List<EventEnvelope> events(String kafka) throws Exception {
        List<String> topics = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            topics.add(context.eventsTopic());
        }
        List<EventEnvelope> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(kafka, Duration.ofSeconds(30))
                .readAll(topics)) {
            events.add(eventCodec.decode(record.value()));
        }
        return events;
    }

    private CommandRejected rejectionOf(String kafka, CommandEnvelope command) throws Exception {
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(kafka, Duration.ofSeconds(30))
                .readAll(List.of(BoundedContext.ORDERS.rejectionsTopic()))) {
            CommandRejected rejection = rejections.decode(record.value());
            if (rejection.getCommandId().equals(command.getCommandId())) {
                return rejection;
            }
        }
        throw new AssertionError("no rejection of " + command.getCommandId());
    }

    private static String completedOrder(List<EventEnvelope> events) {
        return events.stream().filter(e -> e.getEventData() instanceof OrderCompleted)
                .map(EventEnvelope::getAggregateId).sorted().findFirst().orElseThrow();
    }

    private static String customerOf(List<EventEnvelope> events, String order) {
        return events.stream().filter(e -> e.getAggregateId().equals(order) && e.getEventData() instanceof OrderPlaced)
                .map(e -> ((OrderPlaced) e.getEventData()).getCustomerId()).findFirst().orElseThrow();
    }

    /** The wallet as its events fold it. */
    private static WalletState walletOf(List<EventEnvelope> events, String customer) {
        CommandHandler<?> wallets = new CommandHandler<>(Deciders.forContext(BoundedContext.PAYMENTS),
                AggregateSettings.standard());
        AggregateSnapshot snapshot = null;
        for (EventEnvelope event : events) {
            if (event.getAggregateType().equals("Wallet") && event.getAggregateId().equals(customer)) {
                snapshot = wallets.apply(snapshot, event);
            }
        }
        return (WalletState) wallets.state(snapshot);
    }

    private static CommandEnvelope command(String subject, String customer, SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes((subject + "/" + data).getBytes(UTF_8)).toString())
                .setSubjectId(subject)
                .setUserId(customer)
                .setCreationTimestamp(Instant.now())
                .setRoles(List.of(Role.CUSTOMER.name()))
                .setCorrelationId(subject)
                .build();
    }

    private ProducerRecord<byte[], byte[]> record(BoundedContext context, CommandEnvelope command) {
        return new ProducerRecord<>(context.commandsTopic(), command.getSubjectId().getBytes(UTF_8),
                commands.encode(command));
    }
}
