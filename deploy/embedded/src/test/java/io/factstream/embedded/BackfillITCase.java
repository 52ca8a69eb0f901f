package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.domain.payments.WalletDecider;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.state.WalletState;
import io.factstream.testdata.PreviousRelease;
import io.factstream.testdata.WorldLog;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Backfills equal the live run: the committed sample world runs live on the embedded platform; then every job runs
 * again in BATCH mode over the input its live twin read (the aggregates over a topic dump of the commands, the saga
 * and the views over the live event topics) and writes to an empty broker. Every event, rejection and saga command
 * is, key, value and timestamp, the record the live job wrote; every view row ends, as many versions later, with
 * the record the live job wrote. The same holds for a saga and views backfill over the event store as a platform
 * upgraded across an event change that Avro cannot resolve holds it: half of it written by the previous release.
 */
class BackfillITCase {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Path SAMPLE = Path.of("..", "..", "test-data", "logs", "sample-1000.avro");
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);

    @TempDir
    static Path dir;

    private static EmbeddedPlatform platform;
    private static KafkaBrokerExtension backfill;
    private static Path commandLog;

    @BeforeAll
    static void runTheSampleLive() throws Exception {
        platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), EmbeddedPlatform.Logic.standard());
        platform.play(WorldLog.read(SAMPLE), Duration.ofMinutes(4));

        commandLog = dir.resolve("commands.avro");
        TopicDump.dump(platform.bootstrapServers(), topics(BoundedContext::commandsTopic), commandLog, WAIT);
        backfill = KafkaBrokerExtension.create().withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));
        backfill.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            platform.close();
        } finally {
            if (backfill != null) {
                backfill.stop();
            }
        }
    }

    @Test
    void theAggregatesBackfilledFromADumpOfTheCommandsWriteTheLiveEventsAndRejections() throws Exception {
        for (BoundedContext context : BoundedContext.values()) {
            runToTheEnd(backfill, "backfill " + context.id(), options -> options.inputFile = commandLog.toString(),
                    options -> AggregateJob.define(options.env, options.job, context, AggregateSettings.standard(),
                            () -> Deciders.forContext(context)));
        }
        for (BoundedContext context : BoundedContext.values()) {
            for (String topic : List.of(context.eventsTopic(), context.rejectionsTopic(), context.deadLetterTopic())) {
                assertThat(byKey(backfill, topic)).as(topic)
                        .isEqualTo(byKey(platform.kafka(), topic));
            }
        }
        assertThat(byKey(backfill, BoundedContext.ORDERS.eventsTopic())).hasSizeGreaterThan(900);
    }

    @Test
    void theSagaBackfilledFromTheEventTopicsSendsTheLiveCommands() throws Exception {
        runToTheEnd(backfill, "backfill saga", options -> { }, BackfillITCase::saga);

        assertSentTheLiveSagaCommands(backfill);
    }

    @Test
    void theViewsBackfilledFromTheEventTopicsEndWithTheLiveRows() throws Exception {
        runToTheEnd(backfill, "backfill views", options -> { }, BackfillITCase::views);

        assertEndWithTheLiveViewRows(backfill);
    }

    /**
     * The event store of a platform upgraded across PaymentAuthorized version 2 (amounts as Money) holds its first
     * half as the previous release wrote it (EventEnvelope version 2, PaymentAuthorized in cents): that log, read
     * through the upcasters, folds to the wallets of the all-new live log, and a saga and views backfill over it
     * sends the live saga's commands and ends with the live view rows.
     */
    @Test
    void aLogHalfWrittenByThePreviousReleaseFoldsAndBackfillsAsTheAllNewLiveLog() throws Exception {
        Path live = dir.resolve("events.avro");
        List<String> inputs = new ArrayList<>(topics(BoundedContext::eventsTopic));
        inputs.addAll(topics(BoundedContext::rejectionsTopic));
        TopicDump.dump(platform.bootstrapServers(), inputs, live, WAIT);
        Path mixed = dir.resolve("events-half-previous-release.avro");
        assertThat(halfInThePreviousRelease(live, mixed)).as("PaymentAuthorized events in cents").isGreaterThan(100);

        assertThat(wallets(mixed)).hasSizeGreaterThan(100).isEqualTo(wallets(live));

        KafkaBrokerExtension replay = KafkaBrokerExtension.create()
                .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(2, (short) 1)));
        replay.start();
        try {
            runToTheEnd(replay, "replay saga", options -> options.inputFile = mixed.toString(), BackfillITCase::saga);
            assertSentTheLiveSagaCommands(replay);
            runToTheEnd(replay, "replay views", options -> options.inputFile = mixed.toString(),
                    BackfillITCase::views);
            assertEndWithTheLiveViewRows(replay);
        } finally {
            replay.stop();
        }
    }

    private static void saga(Run run) {
        SagaJob.define(run.env, run.job, EmbeddedPlatform.Settings.quick().time(),
                () -> new OrderFulfilment(EmbeddedPlatform.Settings.quick().timeouts()));
    }

    private static void views(Run run) {
        ViewJob.define(run.env, run.job, Views.all());
    }

    private static void assertSentTheLiveSagaCommands(KafkaBrokerExtension kafka) throws Exception {
        // Commands of many sagas to one aggregate interleave differently in a batch run: compare them one by one.
        assertThat(sagaCommands(kafka)).hasSizeGreaterThan(1000).isEqualTo(sagaCommands(platform.kafka()));
    }

    private static void assertEndWithTheLiveViewRows(KafkaBrokerExtension kafka) {
        for (String view : TopicCatalog.VIEWS) {
            // The versions in between show the order the contexts' events arrived in; the last one, as many
            // versions later, is the same.
            Map<String, String> backfilled = lastOfEach(byKey(kafka, TopicCatalog.viewHistoryTopic(view)));
            assertThat(backfilled).as(view).isNotEmpty();
            await().atMost(WAIT).untilAsserted(() -> assertThat(lastOfEach(byKey(platform.kafka(),
                    TopicCatalog.viewHistoryTopic(view)))).as(view + " history").isEqualTo(backfilled));
            assertThat(lastOfEach(byKey(kafka, TopicCatalog.viewLatestTopic(view))))
                    .as(view + " latest").isEqualTo(lastOfEach(byKey(platform.kafka(),
                            TopicCatalog.viewLatestTopic(view))));
        }
    }

    /**
     * Copies a dump with the first half of each event topic partition rewritten as the previous release wrote it.
     *
     * @return how many PaymentAuthorized events were rewritten in cents
     */
    private static long halfInThePreviousRelease(Path from, Path to) throws Exception {
        Map<String, Long> ends = new TreeMap<>();
        TopicDump.read(from, record -> ends.merge(record.getTopic() + "/" + record.getPartition(),
                record.getOffset() + 1, Math::max));
        long[] inCents = {0};
        try (TopicDump.Writer writer = TopicDump.writer(to)) {
            TopicDump.read(from, record -> {
                boolean firstHalf = record.getOffset() < ends.get(record.getTopic() + "/" + record.getPartition()) / 2;
                if (firstHalf && record.getTopic().endsWith(".events")) {
                    EventEnvelope event = decode(EVENTS, record.getValue());
                    inCents[0] += event.getEventData() instanceof PaymentAuthorized ? 1 : 0;
                    record.setValue(ByteBuffer.wrap(PreviousRelease.encode(event)));
                }
                writer.append(record);
            });
        }
        return inCents[0];
    }

    /** The wallets the payments events of a dump fold to, read as every reader reads them. */
    private static Map<String, WalletState> wallets(Path dump) throws Exception {
        WalletDecider decider = new WalletDecider();
        Map<String, WalletState> wallets = new TreeMap<>();
        TopicDump.read(dump, record -> {
            if (record.getTopic().equals(BoundedContext.PAYMENTS.eventsTopic())) {
                EventEnvelope event = decode(EVENTS, record.getValue());
                wallets.put(event.getAggregateId(), decider.evolve(wallets.get(event.getAggregateId()),
                        (SpecificRecord) event.getEventData()));
            }
        });
        return wallets;
    }

    private static EventEnvelope decode(SingleObjectCodec<EventEnvelope> codec, ByteBuffer value) {
        try {
            return codec.decode(value.array());
        } catch (UndecodableRecordException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Each key's last record, with the number of records before it. */
    private static Map<String, String> lastOfEach(Map<String, List<String>> byKey) {
        Map<String, String> last = new TreeMap<>();
        byKey.forEach((key, records) -> last.put(key, records.size() + " " + records.get(records.size() - 1)));
        return last;
    }

    /** The job's definition with the environment and options of a batch run. */
    private record Run(StreamExecutionEnvironment env, JobOptions job) {
    }

    /** Runs a job in BATCH mode, writing to another broker, and waits until it has finished. */
    private static void runToTheEnd(KafkaBrokerExtension into, String name, Consumer<JobOptions> input,
                                    Consumer<Run> definition) throws Exception {
        JobID job = platform.submit(name, options -> {
            options.mode = RuntimeExecutionMode.BATCH;
            options.outputBootstrapServers = into.bootstrapServers();
            options.transactionalIdPrefix = "backfill";
            input.accept(options);
        }, (env, options) -> definition.accept(new Run(env, options)));
        assertThat(platform.flink().requestJobResult(job).get().isSuccess()).as(name).isTrue();
    }

    /** A topic's records by key, in offset order: timestamp and value bytes of each. */
    private static Map<String, List<String>> byKey(KafkaBrokerExtension kafka, String topic) {
        Map<String, List<String>> byKey = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(List.of(topic))) {
            byKey.computeIfAbsent(new String(record.key(), UTF_8), key -> new ArrayList<>()).add(
                    record.timestamp() + " " + (record.value() == null ? "tombstone"
                            : HexFormat.of().formatHex(record.value())));
        }
        return byKey;
    }

    /** The saga's command records by command id: key, timestamp and value bytes of each. */
    private static Map<String, String> sagaCommands(KafkaBrokerExtension kafka) throws Exception {
        Map<String, String> byId = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(topics(BoundedContext::commandsTopic))) {
            CommandEnvelope command = COMMANDS.decode(record.value());
            if (command.getUserId().equals(OrderFulfilment.NAME)) {
                assertThat(byId.put(command.getCommandId(), new String(record.key(), UTF_8) + " " + record.timestamp()
                        + " " + HexFormat.of().formatHex(record.value()))).as("sent once").isNull();
            }
        }
        return byId;
    }

    private static List<String> topics(Function<BoundedContext, String> topic) {
        return Arrays.stream(BoundedContext.values()).map(topic).toList();
    }
}
