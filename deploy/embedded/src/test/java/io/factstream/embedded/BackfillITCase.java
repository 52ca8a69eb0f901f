package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.kafka.audit.PlatformAudit;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldLog;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Backfills equal the live run: the committed sample world runs live on the embedded platform; then every job runs
 * again in BATCH mode over the input its live twin read (the aggregates over a topic dump of the commands, the saga
 * and the views over the live event topics) and writes to an empty broker. Every event, rejection and saga command
 * is, key, value and timestamp, the record the live job wrote; every view row ends, as many versions later, with
 * the record the live job wrote.
 */
class BackfillITCase {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Path SAMPLE = Path.of("..", "..", "test-data", "logs", "sample-1000.avro");
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);

    @TempDir
    static Path dir;

    private static EmbeddedPlatform platform;
    private static KafkaBrokerExtension backfill;
    private static Path commandLog;

    @BeforeAll
    static void runTheSampleLive() throws Exception {
        platform = EmbeddedPlatform.start(EmbeddedPlatform.Settings.quick(), EmbeddedPlatform.Logic.standard());
        World world = WorldLog.read(SAMPLE);
        new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(60));
        platform.awaitSagasFinished(WorldPlay.plannedOutcomes(world).size(), Duration.ofMinutes(4));
        CommittedReader live = new CommittedReader(platform.bootstrapServers(), WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(PlatformAudit.of(live).problems())
                .as("every command answered").isEmpty());

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
            runToTheEnd("backfill " + context.id(), options -> options.inputFile = commandLog.toString(),
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
        runToTheEnd("backfill saga", options -> { }, options -> SagaJob.define(options.env, options.job,
                EmbeddedPlatform.Settings.quick().time(),
                () -> new OrderFulfilment(EmbeddedPlatform.Settings.quick().timeouts())));

        // Commands of many sagas to one aggregate interleave differently in a batch run: compare them one by one.
        assertThat(sagaCommands(backfill)).hasSizeGreaterThan(1000).isEqualTo(sagaCommands(platform.kafka()));
    }

    @Test
    void theViewsBackfilledFromTheEventTopicsEndWithTheLiveRows() throws Exception {
        runToTheEnd("backfill views", options -> { }, options -> ViewJob.define(options.env, options.job, Views.all()));

        for (String view : TopicCatalog.VIEWS) {
            // The versions in between show the order the contexts' events arrived in; the last one, as many
            // versions later, is the same.
            Map<String, String> backfilled = lastOfEach(byKey(backfill, TopicCatalog.viewHistoryTopic(view)));
            assertThat(backfilled).as(view).isNotEmpty();
            await().atMost(WAIT).untilAsserted(() -> assertThat(lastOfEach(byKey(platform.kafka(),
                    TopicCatalog.viewHistoryTopic(view)))).as(view + " history").isEqualTo(backfilled));
            assertThat(lastOfEach(byKey(backfill, TopicCatalog.viewLatestTopic(view))))
                    .as(view + " latest").isEqualTo(lastOfEach(byKey(platform.kafka(),
                            TopicCatalog.viewLatestTopic(view))));
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

    /** Runs a job in BATCH mode, writing to the backfill broker, and waits until it has finished. */
    private static void runToTheEnd(String name, Consumer<JobOptions> input, Consumer<Run> definition)
            throws Exception {
        JobID job = platform.submit(name, options -> {
            options.mode = RuntimeExecutionMode.BATCH;
            options.outputBootstrapServers = backfill.bootstrapServers();
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
