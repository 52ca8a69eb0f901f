package io.factstream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import io.factstream.benchmarks.Harness.Outputs;
import io.factstream.benchmarks.Harness.Run;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.ViewJob;
import io.factstream.jobs.io.LogBound;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.local.LocalKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Backfill (BATCH) against streaming replay of the same log, in the same run: the orders aggregate job over a
 * commands log and the view job over the events log it made, each once as a bounded streaming job with
 * exactly-once checkpoints (on RocksDB, as in production) and once in BATCH mode, both writing to a second broker.
 * The anchor is Flink's own finding that BATCH runs a keyed reduce about 2.6 times as fast as streaming, measured
 * here too, on generated numbers.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Compares BATCH backfills with streaming replays of the same log.")
public final class BackfillBenchmark implements Callable<Integer> {

    @Option(names = "--orders", defaultValue = "50000", description = "Orders; each is 4 commands and 4 events "
            + "(default: ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--checkpoint-interval", defaultValue = "PT1S",
            description = "Checkpoint interval of the streaming runs (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism and partitions "
            + "(default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "rocksdb",
            description = "State backend of the streaming runs, as in production; BATCH runs keep one key's state at "
                    + "a time in memory (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--reduce-records", defaultValue = "5000000",
            description = "Records of the keyed reduce, over 100,000 keys (default: ${DEFAULT-VALUE}).")
    long reduceRecords;

    @Option(names = "--rounds", defaultValue = "4",
            description = "Rounds of all runs; the first warms the JVM up and is not counted, the table shows "
                    + "the median of the others (default: ${DEFAULT-VALUE}).")
    int rounds;

    private Path dataDir;
    private List<Long> brokers;
    private final Map<String, Long> outputsOf = new HashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BackfillBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        dataDir = Files.createTempDirectory("factstream-backfill");
        LocalKafka log = LocalKafka.onFreePorts(dataDir.resolve("log"), LocalKafka.Security.PLAINTEXT);
        LocalKafka outputs = LocalKafka.onFreePorts(dataDir.resolve("outputs"), LocalKafka.Security.PLAINTEXT);
        brokers = List.of(log.start(Duration.ofSeconds(60)).pid().orElseThrow(),
                outputs.start(Duration.ofSeconds(60)).pid().orElseThrow());
        try {
            for (LocalKafka kafka : List.of(log, outputs)) {
                try (TopicAdmin topics = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30))) {
                    topics.ensure(TopicCatalog.sized(parallelism, (short) 1));
                }
                Harness.awaitLeaders(kafka.bootstrapServers());
            }
            long records = Harness.produceOrders(log.bootstrapServers(), 0, orders);
            // The events log the view runs read: the orders job once over the commands, into the log broker.
            JobOptions populate = options(log.bootstrapServers(), log.bootstrapServers(), RuntimeExecutionMode.BATCH,
                    "populate");
            StreamExecutionEnvironment env = populate.environment();
            env.setParallelism(parallelism);
            defineOrders(env, populate);
            env.execute("populate the events log");
            System.out.printf("%d commands of %d orders, and their %d events, on %d partitions%n", records, orders,
                    records, parallelism);

            List<List<Run>> measured = new ArrayList<>();
            List<Integer> baselines = List.of(0, 0, 2, 2, 4, 4);
            for (int round = 0; round < rounds; round++) {
                List<Run> runs = new ArrayList<>();
                for (RuntimeExecutionMode mode : List.of(RuntimeExecutionMode.STREAMING, RuntimeExecutionMode.BATCH)) {
                    runs.add(keyedReduce(mode));
                }
                for (RuntimeExecutionMode mode : List.of(RuntimeExecutionMode.STREAMING, RuntimeExecutionMode.BATCH)) {
                    runs.add(replay("orders job", records, options(log.bootstrapServers(),
                            outputs.bootstrapServers(), mode, "orders-" + round), this::defineOrders,
                            List.of(BoundedContext.ORDERS.eventsTopic(), BoundedContext.ORDERS.rejectionsTopic())));
                }
                for (RuntimeExecutionMode mode : List.of(RuntimeExecutionMode.STREAMING, RuntimeExecutionMode.BATCH)) {
                    runs.add(replay("view job", records, options(log.bootstrapServers(),
                            outputs.bootstrapServers(), mode, "views-" + round), BackfillBenchmark::defineViews,
                            TopicCatalog.VIEWS.stream().flatMap(view -> Stream.of(TopicCatalog.viewHistoryTopic(view),
                                    TopicCatalog.viewLatestTopic(view))).toList()));
                }
                Harness.print(round == 0 ? "round 1 (warm-up, not counted)" : "round " + (round + 1), runs,
                        baselines, "vs streaming");
                if (round > 0) {
                    measured.add(runs);
                }
            }
            Harness.printMedians(measured, baselines, "vs streaming");
            return 0;
        } finally {
            outputs.stop(Duration.ofSeconds(30));
            log.stop(Duration.ofSeconds(30));
        }
    }

    /** Defines a job on an environment with its options. */
    private interface Definition {
        void define(StreamExecutionEnvironment env, JobOptions options);
    }

    /**
     * A job over the whole log, measured by what it writes to the topics: what the orders job writes is known (an
     * event or a rejection per command); the view job's first run tells what every later one must write.
     */
    private Run replay(String job, long records, JobOptions options, Definition definition, List<String> topics)
            throws Exception {
        long expected = job.startsWith("orders") ? records : outputsOf.getOrDefault(job, -1L);
        Run run = Harness.measure(job + ", " + describe(options.mode), records,
                new Outputs(options.outputBootstrapServers, topics, expected), brokers, () -> {
                    StreamExecutionEnvironment env = options.environment();
                    env.setParallelism(parallelism);
                    definition.define(env, options);
                    env.execute(job + " " + options.mode);
                });
        outputsOf.putIfAbsent(job, run.outputs());
        return run;
    }

    private String describe(RuntimeExecutionMode mode) {
        return mode == RuntimeExecutionMode.BATCH ? "BATCH"
                : "STREAMING, " + stateBackend + ", checkpoints every " + interval.toMillis() + " ms";
    }

    /** Flink's own yardstick: a keyed reduce over generated numbers, nothing else. */
    private Run keyedReduce(RuntimeExecutionMode mode) throws Exception {
        JobOptions options = JobOptions.defaults("unused:9092");
        options.mode = mode;
        options.checkpointInterval = interval;
        options.stateBackend = stateBackend;
        options.checkpointDir = dataDir.resolve("checkpoints-reduce-" + mode).toUri().toString();
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(parallelism);
        long keys = 100_000;
        env.fromSource(new DataGeneratorSource<>(index -> index, reduceRecords, Types.LONG),
                        WatermarkStrategy.noWatermarks(), "numbers")
                .keyBy(number -> number % keys, Types.LONG)
                .reduce(Long::sum)
                .sinkTo(new DiscardingSink<>());
        return Harness.measure("keyed reduce (anchor), " + describe(mode), reduceRecords, null, brokers,
                () -> env.execute("keyed reduce " + mode));
    }

    private JobOptions options(String input, String output, RuntimeExecutionMode mode, String run) {
        JobOptions options = JobOptions.defaults(input);
        options.outputBootstrapServers = output;
        options.mode = mode;
        options.bounded = true;
        options.from = LogBound.EARLIEST;
        options.checkpointInterval = interval;
        options.stateBackend = stateBackend;
        options.checkpointDir = dataDir.resolve("checkpoints-" + run + "-" + mode).toUri().toString();
        options.transactionalIdPrefix = "bench-" + run + "-" + mode;
        options.groupId = "bench-" + run + "-" + mode;
        return options;
    }

    private void defineOrders(StreamExecutionEnvironment env, JobOptions options) {
        AggregateJob.define(env, options, BoundedContext.ORDERS, AggregateSettings.standard(),
                () -> Deciders.forContext(BoundedContext.ORDERS));
    }

    private static void defineViews(StreamExecutionEnvironment env, JobOptions options) {
        ViewJob.define(env, options, Views.all());
    }
}
