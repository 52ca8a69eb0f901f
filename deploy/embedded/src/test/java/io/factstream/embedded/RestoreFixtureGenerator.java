package io.factstream.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import io.factstream.jobs.topology.EventTime;
import io.factstream.kafka.dump.TopicDump;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.log.TopicRecord;
import io.factstream.testdata.PlatformSummary;
import io.factstream.testdata.World;
import io.factstream.testdata.WorldFeeder;
import io.factstream.testdata.WorldGenerator;
import io.factstream.testdata.WorldPlay;
import io.factstream.testkit.KafkaBrokerExtension;

/**
 * Writes the restore fixture: savepoints of the six jobs, taken by this (pre-architecture) code, and the topics
 * they belong to. See the fixture's README.
 */
public final class RestoreFixtureGenerator {

    static final int PARTITIONS = 2;
    static final OrderFulfilment.Timeouts TIMEOUTS =
            new OrderFulfilment.Timeouts(Duration.ofMinutes(6), Duration.ofMinutes(7));
    static final EventTime TIME = new EventTime(Duration.ofMillis(1_500), Duration.ofMillis(1_500),
            Duration.ofMillis(300));

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        World world = WorldGenerator.generate(new WorldGenerator.Parameters(20261126L, 30, 80, Duration.ofSeconds(8)));
        Map<String, String> planned = WorldPlay.plannedOutcomes(world);
        System.out.println("planned: " + new TreeMap<>(countOf(planned)));

        Path firstRun = out.resolve("first-run.avro");
        // 1. The platform plays the world until every saga either finished or waits for a timeout.
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(new EmbeddedPlatform.Settings(PARTITIONS,
                Duration.ofMillis(300), TIMEOUTS, TIME), EmbeddedPlatform.Logic.standard())) {
            WorldFeeder.Report fed = new WorldFeeder(platform.bootstrapServers()).feed(world, Duration.ofSeconds(60));
            if (!fed.neverSent().isEmpty()) {
                throw new IllegalStateException("never sent: " + fed.neverSent());
            }
            awaitQuiet(platform.bootstrapServers(), planned);
            TopicDump.dump(platform.bootstrapServers(), topicNames(), firstRun, Duration.ofSeconds(30));
        }

        // 2. The same inputs, loaded without transaction markers, replayed by fresh jobs writing elsewhere; their
        //    savepoints then point at offsets that loading the dump reproduces.
        KafkaBrokerExtension inputs = broker();
        KafkaBrokerExtension outputs = broker();
        Configuration config = new Configuration();
        config.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
        MiniCluster flink = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(config)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(8).build());
        flink.start();
        try {
            TopicDump.load(firstRun, inputs.bootstrapServers(), Duration.ofSeconds(30));
            Map<String, JobID> jobs = new LinkedHashMap<>();
            for (BoundedContext context : BoundedContext.values()) {
                jobs.put(context.id(), submit(flink, inputs, outputs, (env, options) -> AggregateJob.define(env,
                        options, context, AggregateSettings.standard(),
                        () -> Deciders.forContext(context))));
            }
            jobs.put("saga", submit(flink, inputs, outputs, (env, options) ->
                    SagaJob.define(env, options, TIME, () -> new OrderFulfilment(TIMEOUTS))));
            jobs.put("views", submit(flink, inputs, outputs, (env, options) -> ViewJob.define(env, options, Views.all())));

            Map<String, List<String>> expected = contextOutputs(readDump(firstRun));
            awaitOutputs(outputs.bootstrapServers(), expected);
            Path savepoints = out.resolve("savepoints");
            for (Map.Entry<String, JobID> job : jobs.entrySet()) {
                String path = flink.stopWithSavepoint(job.getValue(), savepoints.resolve(job.getKey()).toString(),
                        false, SavepointFormatType.CANONICAL).get();
                System.out.println(job.getKey() + ": " + path);
            }
            Map<String, List<String>> written = contextOutputs(new CommittedReader(outputs.bootstrapServers(),
                    Duration.ofSeconds(30)).readAll(topicNames()).stream().map(TopicDump::of).toList());
            if (!written.equals(expected)) {
                for (String partition : new java.util.TreeSet<>(expected.keySet())) {
                    List<String> w = written.getOrDefault(partition, List.of());
                    List<String> e = expected.get(partition);
                    if (!w.equals(e)) {
                        System.out.println("DIFF " + partition + ": expected " + e.size() + ", written " + w.size());
                        for (int i = 0; i < Math.min(w.size(), e.size()); i++) {
                            if (!w.get(i).equals(e.get(i))) {
                                System.out.println("  at " + i + "\n  e=" + e.get(i).substring(0, Math.min(300, e.get(i).length())) + "\n  w=" + w.get(i).substring(0, Math.min(300, w.get(i).length())));
                                break;
                            }
                        }
                    }
                }
                written.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> System.out.println("EXTRA " + k));
                throw new IllegalStateException("the replay wrote other records than the first run");
            }

            // 3. The topics: the first run's context topics (what the jobs read and wrote), and the views as the
            //    replayed view job, whose state the savepoint holds, wrote them.
            try (TopicDump.Writer writer = TopicDump.writer(out.resolve("topics.avro"))) {
                TopicDump.read(firstRun, record -> {
                    if (!record.getTopic().startsWith("views.")) {
                        writer.append(record);
                    }
                });
                new CommittedReader(outputs.bootstrapServers(), Duration.ofSeconds(30)).readAll(viewTopics(),
                        writer::append);
            }
            Files.delete(firstRun);
        } finally {
            flink.close();
            inputs.stop();
            outputs.stop();
        }
    }

    private static JobID submit(MiniCluster flink, KafkaBrokerExtension inputs, KafkaBrokerExtension outputs,
                                BiConsumer<StreamExecutionEnvironment, JobOptions> definition) throws Exception {
        JobOptions options = JobOptions.defaults(inputs.bootstrapServers());
        options.outputBootstrapServers = outputs.bootstrapServers();
        options.checkpointInterval = Duration.ofMillis(300);
        options.transactionTimeout = Duration.ofMinutes(2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.configuration());
        env.setParallelism(1);
        definition.accept(env, options);
        StreamGraph graph = env.getStreamGraph();
        return flink.submitJob(graph.getJobGraph()).get().getJobID();
    }

    private static KafkaBrokerExtension broker() throws Exception {
        KafkaBrokerExtension broker = KafkaBrokerExtension.create()
                .withTopics(TopicAdmin.newTopics(TopicCatalog.sized(PARTITIONS, (short) 1)));
        broker.start();
        return broker;
    }

    /** Waits until the orders not planned to time out have ended as planned, and the others wait for humans. */
    private static void awaitQuiet(String bootstrapServers, Map<String, String> planned) throws Exception {
        Instant deadline = Instant.now().plusSeconds(240);
        while (true) {
            PlatformSummary summary = PlatformSummary.read(bootstrapServers);
            long timeouts = planned.values().stream().filter(o -> o.endsWith("_TIMEOUT")).count();
            boolean settled = summary.outcomes().size() == planned.size() && summary.sagasOpen() == timeouts
                    && planned.entrySet().stream().allMatch(o -> o.getValue().endsWith("_TIMEOUT")
                    ? summary.outcomes().get(o.getKey()).equals("OPEN")
                    : summary.outcomes().get(o.getKey()).equals(o.getValue()));
            if (settled) {
                Thread.sleep(5_000); // let the view job fold the last events; the views are taken from the replay
                System.out.println("settled: " + summary.lines());
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not settled: " + summary.lines());
            }
            Thread.sleep(500);
        }
    }

    /** Waits until the replay has written every record the first run wrote (the saga's commands included). */
    private static void awaitOutputs(String bootstrapServers, Map<String, List<String>> expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(180);
        CommittedReader reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(30));
        while (true) {
            Map<String, List<String>> written = contextOutputs(reader.readAll(topicNames()).stream()
                    .map(TopicDump::of).toList());
            boolean complete = expected.entrySet().stream()
                    .allMatch(e -> written.getOrDefault(e.getKey(), List.of()).size() == e.getValue().size());
            if (complete) {
                Thread.sleep(3_000); // the view job's last rows
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the replay did not catch up");
            }
            Thread.sleep(500);
        }
    }

    /** What the jobs wrote to the context topics, per topic partition: the saga's commands, events, rejections. */
    private static Map<String, List<String>> contextOutputs(List<TopicRecord> records) throws Exception {
        SingleObjectCodec<CommandEnvelope> commands = SingleObjectCodec.forType(CommandEnvelope.class);
        Map<String, List<String>> byPartition = new TreeMap<>();
        for (TopicRecord record : records) {
            String topic = record.getTopic();
            if (topic.startsWith("views.")) {
                continue;
            }
            if (topic.endsWith(".commands")
                    && !commands.decode(bytes(record.getValue())).getUserId().equals(OrderFulfilment.NAME)) {
                continue;
            }
            byPartition.computeIfAbsent(topic + "-" + record.getPartition(), p -> new ArrayList<>())
                    .add(new String(bytes(record.getKey()), UTF_8) + "|" + Arrays.toString(bytes(record.getValue()))
                            + "|" + record.getTimestamp().toEpochMilli());
        }
        // Sagas are independent of each other: a replay interleaves their commands in another order.
        byPartition.forEach((partition, lines) -> {
            if (partition.contains(".commands-")) {
                lines.sort(null);
            }
        });
        return byPartition;
    }

    private static List<TopicRecord> readDump(Path file) throws Exception {
        List<TopicRecord> records = new ArrayList<>();
        TopicDump.read(file, records::add);
        return records;
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static List<String> topicNames() {
        return TopicCatalog.standard().topics().stream().map(TopicSpec::name).toList();
    }

    private static List<String> viewTopics() {
        return topicNames().stream().filter(t -> t.startsWith("views.")).toList();
    }

    private static Map<String, Long> countOf(Map<String, String> planned) {
        Map<String, Long> counts = new HashMap<>();
        planned.values().forEach(o -> counts.merge(o, 1L, Long::sum));
        return counts;
    }
}
