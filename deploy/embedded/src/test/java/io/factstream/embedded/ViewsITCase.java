package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Views;
import io.factstream.domain.views.CustomerOrdersProjection;
import io.factstream.domain.views.KitchenQueueProjection;
import io.factstream.domain.views.OrderStatusProjection;
import io.factstream.jobs.InjectedFailures;
import io.factstream.jobs.ViewJob;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.read.EventStoreReader;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.read.Position;
import io.factstream.kafka.read.ViewHistory;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.view.Projection;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.statetools.StateTools;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.CommandLineRun;
import io.factstream.testkit.KafkaBrokerExtension;
import io.factstream.views.ViewRow;

/**
 * The read side on the saga's traffic: view rows read through memory images equal the rows folded straight from
 * the events; history versions are contiguous; compaction leaves one record per live row; a rebuild with crashes
 * gives the same rows; the event-store reader pages without skipping or repeating.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ViewsITCase {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PROBE = "compaction-probe";
    private static final List<String> VIEWS = TopicCatalog.VIEWS;

    private static EmbeddedPlatform platform;
    private static List<EventEnvelope> events;

    @BeforeAll
    static void runTheWorld() throws Exception {
        platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), EmbeddedPlatform.Logic.standard());
        compactQuickly(platform.kafka());
        World world = WorldGenerator.generate(new WorldGenerator.Parameters(77L, 25, 60, Duration.ofSeconds(6)));
        new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(60));
        platform.awaitSagasFinished(WorldPlay.plannedOutcomes(world).size(), Duration.ofMinutes(3));
        events = allEvents(platform.bootstrapServers());
    }

    @AfterAll
    static void stop() throws Exception {
        platform.close();
    }

    @Test
    @Order(1)
    void eachViewRowEqualsTheRowFoldedStraightFromTheEvents() throws Exception {
        Map<String, Map<String, SpecificRecord>> expected = expectedRows(events);
        assertThat(expected.get(Views.ORDER_STATUS.name())).hasSize(60);
        assertThat(expected.get(Views.KITCHEN_QUEUE.name())).as("every ticket is done").isEmpty();

        for (String view : VIEWS) {
            try (MemoryImage image = MemoryImage.follow(platform.bootstrapServers(), view)) {
                awaitRows(image, expected.get(view));
                Map<String, List<ViewRow>> history = byKey(new ViewHistory(platform.bootstrapServers()).all(view));
                history.forEach((key, versions) -> {
                    assertThat(versions).extracting(ViewRow::getVersion).as("%s %s", view, key)
                            .containsExactlyElementsOf(contiguous(versions.size()));
                    ViewRow last = versions.get(versions.size() - 1);
                    assertThat(image.get(key)).as("latest of %s %s", view, key)
                            .isEqualTo(last.getRow() == null ? Optional.empty() : Optional.of(last));
                });
            }
        }
    }

    @Test
    @Order(2)
    void theEventStoreReaderPagesWithoutSkippingOrRepeating() throws Exception {
        EventStoreReader store = new EventStoreReader(platform.bootstrapServers());
        List<EventEnvelope> stream = events.stream().filter(e -> e.getAggregateId().equals("order-3")
                && e.getAggregateType().equals("Order")).toList();
        List<EventEnvelope> paged = new ArrayList<>();
        for (long after = 0; ; ) {
            List<EventEnvelope> page = store.eventsOfStream(BoundedContext.ORDERS, "order-3", after, 2);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = page.get(page.size() - 1).getSequenceNumber();
        }
        assertThat(paged).isNotEmpty().isEqualTo(stream);

        List<EventEnvelope> all = new ArrayList<>();
        Position position = Position.START;
        EventStoreReader.Page page;
        do {
            page = store.eventsOfAllStreams(position, 37);
            all.addAll(page.events());
            position = page.next();
        } while (!page.events().isEmpty());
        assertThat(all).hasSameSizeAs(events).containsExactlyInAnyOrderElementsOf(events);
        assertThat(position).isEqualTo(store.lastPosition());
    }

    @Test
    @Order(3)
    void compactionLeavesOneRecordPerLiveRowAndNoneForDeletedRows() throws Exception {
        Map<String, ViewRow> fromHistory = latestOf(new ViewHistory(platform.bootstrapServers())
                .all(Views.ORDER_STATUS.name()));
        // Tombstone probes roll the active segments (a new record after segment.ms), so the cleaner gets to them.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String view : List.of(Views.ORDER_STATUS.name(), Views.KITCHEN_QUEUE.name())) {
                platform.kafka().sendAll(probes(view));
            }
            return compacted();
        });
        try (MemoryImage image = MemoryImage.follow(platform.bootstrapServers(), Views.ORDER_STATUS.name())) {
            image.awaitCaughtUp(WAIT);
            assertThat(image.snapshot()).as("loaded from the compacted topic = folded from history")
                    .isEqualTo(fromHistory);
        }
    }

    @Test
    @Order(4)
    void aRebuildWithCrashesGivesTheSameRowsWithoutDuplicateOrSkippedVersions() throws Exception {
        KafkaBrokerExtension fresh = KafkaBrokerExtension.create()
                .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));
        fresh.start();
        try {
            copyEvents(platform.kafka(), fresh);
            Random random = new Random(99);
            Set<Integer> crashes = new TreeSet<>();
            while (crashes.size() < 3) {
                crashes.add(50 + random.nextInt(400));
            }
            InjectedFailures.FOLDS.failAt(crashes);
            JobID rebuild = platform.submit("views rebuild", (env, options) -> {
                options.bootstrapServers = fresh.bootstrapServers();
                options.bounded = true;
                options.transactionalIdPrefix = "factstream-rebuild"; // a second instance on the same cluster
                ViewJob.define(env, options,
                        Views.all().stream().<ViewDefinition<?>>map(ViewsITCase::failing).toList());
            });
            platform.flink().requestJobResult(rebuild).get();

            assertThat(InjectedFailures.FOLDS.pending()).as("every crash happened").isEmpty();
            for (String view : VIEWS) {
                try (MemoryImage original = MemoryImage.follow(platform.bootstrapServers(), view);
                     MemoryImage rebuilt = MemoryImage.follow(fresh.bootstrapServers(), view)) {
                    original.awaitCaughtUp(WAIT);
                    rebuilt.awaitCaughtUp(WAIT);
                    assertThat(rows(rebuilt.snapshot())).as(view).isEqualTo(rows(original.snapshot()));
                }
                byKey(new ViewHistory(fresh.bootstrapServers()).all(view)).forEach((key, versions) ->
                        assertThat(versions).extracting(ViewRow::getVersion).as("%s %s", view, key)
                                .containsExactlyElementsOf(contiguous(versions.size())));
            }
        } finally {
            fresh.stop();
        }
    }

    @Test
    @Order(5)
    void inspectShowsTheRowsOfASavepointOfTheViewJob() throws Exception {
        JobID views = platform.jobs().get("views");
        Path savepoint = Path.of(URI.create(platform.flink().stopWithSavepoint(views,
                Files.createTempDirectory("views-savepoint").toUri().toString(), false, SavepointFormatType.CANONICAL).get()));

        CommandLineRun inspect = CommandLineRun.of(StateTools.commandLine(), "inspect", "--view",
                Views.ORDER_STATUS.name(), "--savepoint", savepoint.toString());
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        try (MemoryImage image = MemoryImage.follow(platform.bootstrapServers(), Views.ORDER_STATUS.name())) {
            image.awaitCaughtUp(WAIT);
            assertThat(inspect.lines()).as("the rows of the latest topic")
                    .containsExactlyInAnyOrderElementsOf(image.snapshot().entrySet().stream()
                            .map(row -> "{\"key\": \"" + row.getKey() + "\", \"state\": "
                                    + AvroJson.of(row.getValue()) + "}").toList());
        }
    }

    private static <R extends SpecificRecord> ViewDefinition<R> failing(ViewDefinition<R> view) {
        ViewDefinition.ProjectionFactory<R> projection = view.projection();
        return view.withProjection(() -> InjectedFailures.FOLDS.into(Projection.class, projection.create()));
    }

    /** Each view's rows folded straight from the events, by view. */
    private static Map<String, Map<String, SpecificRecord>> expectedRows(List<EventEnvelope> events) {
        Map<String, Map<String, SpecificRecord>> expected = new HashMap<>();
        for (ViewDefinition<?> view : Views.all()) {
            expected.put(view.name(), new TreeMap<>(view.fold(events)));
        }
        return expected;
    }

    /** Waits until the view job has caught up with the last events and the image shows it. */
    private static void awaitRows(MemoryImage image, Map<String, SpecificRecord> expected) {
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(rows(image.snapshot())).as(image.view()).isEqualTo(expected));
    }

    private static Map<String, SpecificRecord> rows(Map<String, ViewRow> image) {
        Map<String, SpecificRecord> rows = new TreeMap<>();
        image.forEach((key, version) -> rows.put(key, (SpecificRecord) version.getRow()));
        return rows;
    }

    private static Map<String, List<ViewRow>> byKey(List<ViewRow> versions) {
        Map<String, List<ViewRow>> byKey = new TreeMap<>();
        versions.forEach(v -> byKey.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(v));
        return byKey;
    }

    private static Map<String, ViewRow> latestOf(List<ViewRow> history) {
        Map<String, ViewRow> latest = new TreeMap<>();
        for (List<ViewRow> versions : byKey(history).values()) {
            ViewRow last = versions.get(versions.size() - 1);
            if (last.getRow() != null) {
                latest.put(last.getKey(), last);
            }
        }
        return latest;
    }

    private static List<Long> contiguous(int count) {
        List<Long> versions = new ArrayList<>();
        for (long v = 1; v <= count; v++) {
            versions.add(v);
        }
        return versions;
    }

    /** Whether the latest topics hold one record per live row and nothing for deleted rows (probes aside). */
    private static boolean compacted() {
        CommittedReader reader = new CommittedReader(platform.bootstrapServers(), WAIT);
        Map<String, Integer> orderStatus = counts(reader.readAll(
                List.of(TopicCatalog.viewLatestTopic(Views.ORDER_STATUS.name()))));
        Map<String, Integer> kitchen = counts(reader.readAll(
                List.of(TopicCatalog.viewLatestTopic(Views.KITCHEN_QUEUE.name()))));
        return orderStatus.size() == 60 && orderStatus.values().stream().allMatch(c -> c == 1) && kitchen.isEmpty();
    }

    private static Map<String, Integer> counts(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = new String(record.key(), UTF_8);
            if (!key.equals(PROBE)) {
                counts.merge(key, 1, Integer::sum);
            }
        }
        return counts;
    }

    private static List<ProducerRecord<byte[], byte[]>> probes(String view) {
        List<ProducerRecord<byte[], byte[]>> probes = new ArrayList<>();
        for (int partition = 0; partition < 2; partition++) {
            probes.add(new ProducerRecord<>(TopicCatalog.viewLatestTopic(view), partition, PROBE.getBytes(UTF_8),
                    null));
        }
        return probes;
    }

    /** Makes the latest topics compact within seconds: small segments, eager cleaning, short tombstone life. */
    private static void compactQuickly(KafkaBrokerExtension kafka) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (String view : VIEWS) {
            changes.put(new ConfigResource(ConfigResource.Type.TOPIC, TopicCatalog.viewLatestTopic(view)), List.of(
                    set("segment.ms", "200"), set("min.cleanable.dirty.ratio", "0.01"),
                    set("delete.retention.ms", "100"), set("min.compaction.lag.ms", "0")));
        }
        changes.put(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(set("log.cleaner.backoff.ms", "200")));
        kafka.admin().incrementalAlterConfigs(changes).all().get();
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static List<EventEnvelope> allEvents(String bootstrapServers) throws Exception {
        SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);
        List<EventEnvelope> all = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(bootstrapServers, WAIT).readAll(
                Arrays.stream(BoundedContext.values()).map(BoundedContext::eventsTopic).toList())) {
            all.add(codec.decode(record.value()));
        }
        return all;
    }

    /** The events topics of one broker onto another: same partitions, keys, values, timestamps, order. */
    private static void copyEvents(KafkaBrokerExtension from, KafkaBrokerExtension to) throws Exception {
        List<ProducerRecord<byte[], byte[]>> copies = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : from.readCommitted(
                Arrays.stream(BoundedContext.values()).map(BoundedContext::eventsTopic).toList())) {
            copies.add(new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    record.value()));
            seen.add(record.topic());
        }
        assertThat(seen).hasSize(4);
        to.sendAll(copies);
    }
}
