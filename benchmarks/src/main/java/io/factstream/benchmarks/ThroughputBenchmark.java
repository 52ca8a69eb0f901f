package io.factstream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.factstream.benchmarks.Harness.Outputs;
import io.factstream.benchmarks.Harness.Run;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.domain.Views;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;
import io.factstream.jobs.io.LogBound;
import io.factstream.jobs.io.RecordDecoder;
import io.factstream.jobs.topology.EventTime;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.local.LocalKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Records per second through the platform's jobs with {@code EXACTLY_ONCE} sinks and checkpoints, against a raw
 * Kafka pipe on the same broker: a plain {@code read_committed} consumer and a transactional producer that forward
 * the same command records, committing at the same interval. The orders job reads the commands the pipe forwards;
 * the saga and the views job read the events of a part of them, which the orders job wrote once before the
 * rounds. Everything runs in one go on one local broker process, each run is measured by its committed outputs
 * ({@link Harness#measure}), and the table gives each run's rates and CPU time next to the pipe's of the same
 * round.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Compares the exactly-once jobs with a raw transactional Kafka pipe.")
public final class ThroughputBenchmark implements Callable<Integer> {

    private static final String PIPE_TOPIC = "bench.pipe";
    private static final String FLINK_PIPE_TOPIC = "bench.flink-pipe";

    @Option(names = "--orders", defaultValue = "1500000",
            description = "Orders the orders job and the pipe get; each is 4 commands (default: ${DEFAULT-VALUE}, "
                    + "enough for the pipe to run over 10 s here).")
    int orders;

    @Option(names = "--event-orders", defaultValue = "250000",
            description = "Orders whose 4 events the saga and the views job read (default: ${DEFAULT-VALUE}).")
    int eventOrders;

    @Option(names = "--commit-interval", defaultValue = "PT1S",
            description = "Checkpoint interval of the jobs and commit interval of the pipe (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism and partitions (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backends", split = ",", defaultValue = "rocksdb,hashmap",
            description = "State backends to run the orders job with (default: ${DEFAULT-VALUE}).")
    List<String> stateBackends;

    @Option(names = "--jobs", split = ",", defaultValue = "orders,saga,views",
            description = "Jobs to run against the pipe: orders, saga, views (default: ${DEFAULT-VALUE}).")
    List<String> jobs;

    @Option(names = "--rounds", defaultValue = "4",
            description = "Rounds of all runs; the first warms the JVM up and is not counted, the table shows "
                    + "the median of the others (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "After the rounds, one more in which every run is profiled with async-profiler: a flame "
                    + "graph (HTML) and folded stacks per run in DIR, and the top costs printed.")
    Path profile;

    private String servers;
    private List<Long> broker;
    private Path dataDir;
    private Map<TopicPartition, Long> commandsEnd;
    private Map<TopicPartition, Long> eventsEnd;
    private long commands;
    private long events;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (eventOrders > orders) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--event-orders is at most --orders");
        }
        dataDir = Files.createTempDirectory("factstream-throughput");
        LocalKafka kafka = LocalKafka.onFreePorts(dataDir.resolve("kafka"), LocalKafka.Security.PLAINTEXT);
        broker = List.of(kafka.start(Duration.ofSeconds(60)).pid().orElseThrow());
        try {
            servers = kafka.bootstrapServers();
            createTopics();
            prepareLogs();

            Map<String, Long> expected = new HashMap<>();
            for (String job : List.of("saga", "views")) {
                if (jobs.contains(job)) { // what the job writes, once, as a BATCH run writes it
                    Run reference = job.equals("saga") ? sagaJob(RuntimeExecutionMode.BATCH, "rocksdb", -1, -1)
                            : viewsJob(RuntimeExecutionMode.BATCH, "rocksdb", -1, -1);
                    expected.put(job, reference.outputs());
                    System.out.printf("%s job (BATCH, as the reference): %d events in, %d records out%n", job,
                            events, reference.outputs());
                }
            }

            List<List<Run>> measured = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Run> runs = round(round, expected, null);
                Harness.print(round == 0 ? "round 1 (warm-up, not counted)" : "round " + (round + 1), runs,
                        pipeBaselines(runs), "vs pipe");
                if (round > 0) {
                    measured.add(runs);
                }
            }
            if (!measured.isEmpty()) {
                Harness.printMedians(measured, pipeBaselines(measured.get(0)), "vs pipe");
            }
            if (profile != null) {
                List<Run> runs = round(rounds, expected, profile);
                Harness.print("profiled round (not counted)", runs, pipeBaselines(runs), "vs pipe");
            }
            return 0;
        } finally {
            kafka.stop(Duration.ofSeconds(30));
        }
    }

    /** One round of the runs; each is profiled into {@code profile} unless that is null. */
    private List<Run> round(int round, Map<String, Long> expected, Path profile) throws Exception {
        List<Run> runs = new ArrayList<>();
        runs.add(profiled(profile, "pipe", () -> rawPipe(round)));
        runs.add(profiled(profile, "flink-pipe", () -> flinkPipe(round)));
        if (jobs.contains("orders")) {
            for (String backend : stateBackends) {
                runs.add(profiled(profile, "orders-job-" + backend, () -> ordersJob(backend, round)));
            }
        }
        if (jobs.contains("saga")) {
            runs.add(profiled(profile, "saga-job-rocksdb",
                    () -> sagaJob(RuntimeExecutionMode.STREAMING, "rocksdb", round, expected.get("saga"))));
        }
        if (jobs.contains("views")) {
            runs.add(profiled(profile, "views-job-rocksdb",
                    () -> viewsJob(RuntimeExecutionMode.STREAMING, "rocksdb", round, expected.get("views"))));
        }
        return runs;
    }

    private static Run profiled(Path profile, String name, Callable<Run> run) throws Exception {
        if (profile == null) {
            return run.call();
        }
        Profile profiling = Profile.start(profile, name);
        Run measured;
        try {
            measured = run.call();
        } finally {
            profiling.close();
        }
        profiling.printTopCosts(15);
        return measured;
    }

    private static List<Integer> pipeBaselines(List<Run> runs) {
        return runs.stream().map(run -> 0).toList(); // every run against the pipe, the first
    }

    /**
     * The logs the runs read: the commands of the first {@code eventOrders} orders and their events (the orders job
     * over them once, in BATCH mode), then the commands of the other orders. Every run is bounded by the ends of
     * these logs as they are now, so what runs write to the same topics later is read by none.
     */
    private void prepareLogs() throws Exception {
        Harness.produceOrders(servers, 0, eventOrders);
        long eventRecords = 4L * eventOrders;
        JobOptions populate = jobOptions(RuntimeExecutionMode.BATCH, "rocksdb", "populate");
        Harness.measure("populate", eventRecords, new Outputs(servers,
                List.of(BoundedContext.ORDERS.eventsTopic()), eventRecords), broker, () -> {
            StreamExecutionEnvironment env = environment(populate);
            AggregateJob.define(env, populate, BoundedContext.ORDERS, AggregateSettings.standard(),
                    () -> Deciders.forContext(BoundedContext.ORDERS));
            env.execute("populate the events log");
        });
        events = eventRecords;
        eventsEnd = endOffsets(BoundedContext.ORDERS.eventsTopic());
        Harness.produceOrders(servers, eventOrders, orders - eventOrders);
        commands = 4L * orders;
        commandsEnd = endOffsets(BoundedContext.ORDERS.commandsTopic());
        System.out.printf("%d commands of %d orders on %s, the %d events of the first %d orders on %s "
                        + "(%d partitions each)%n", commands, orders, BoundedContext.ORDERS.commandsTopic(), events,
                eventOrders, BoundedContext.ORDERS.eventsTopic(), parallelism);
    }

    /** Forwards the commands from their topic to another, committing a transaction every interval. */
    private Run rawPipe(int round) throws Exception {
        KafkaConnection connection = KafkaConnection.to(servers);
        Map<String, Object> consumerProps = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "bench-pipe-" + round,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Object> producerProps = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-pipe-" + round);
        return Harness.measure("raw Kafka pipe, transactions every " + interval.toMillis() + " ms", commands,
                new Outputs(servers, List.of(PIPE_TOPIC), commands), broker, () -> {
                    try (KafkaConsumer<byte[], byte[]> consumer = connection.consumer(consumerProps);
                         KafkaProducer<byte[], byte[]> producer = connection.producer(producerProps)) {
                        forward(consumer, producer);
                    }
                });
    }

    private void forward(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer) {
        consumer.assign(commandsEnd.keySet());
        producer.initTransactions();
        long lastCommit = System.nanoTime();
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        while (commandsEnd.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < commandsEnd.get(partition)) {
                    producer.send(new ProducerRecord<>(PIPE_TOPIC, record.key(), record.value()));
                    offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
                }
            }
            if (System.nanoTime() - lastCommit >= interval.toNanos()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                lastCommit = System.nanoTime();
                producer.beginTransaction();
            }
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
    }

    /**
     * What Flink itself costs: the command records from their topic to another through Flink's Kafka source and an
     * exactly-once Kafka sink, as the jobs read and write them, with nothing between (no decoding, no state).
     */
    private Run flinkPipe(int round) throws Exception {
        JobOptions options = jobOptions(RuntimeExecutionMode.STREAMING, "hashmap", "flink-pipe-" + round);
        options.until = new LogBound.Offsets(commandsEnd);
        return Harness.measure("Flink pipe: Kafka source to exactly-once sink", commands,
                new Outputs(servers, List.of(FLINK_PIPE_TOPIC), commands), broker, () -> {
                    StreamExecutionEnvironment env = environment(options);
                    options.input("flink-pipe").read(env, new RecordValues(),
                                    List.of(BoundedContext.ORDERS.commandsTopic()), WatermarkStrategy.noWatermarks(),
                                    "flink-pipe-source")
                            .sinkTo(options.output().exactlyOnceSink(KafkaRecordSerializationSchema.<byte[]>builder()
                                    .setTopic(FLINK_PIPE_TOPIC)
                                    .setValueSerializationSchema(new RecordValues())
                                    .build(), "flink-pipe-sink"))
                            .uid("flink-pipe-sink");
                    env.execute("throughput Flink pipe");
                });
    }

    /** A record's value as it is, read and written. */
    private static final class RecordValues implements RecordDecoder<byte[]>, SerializationSchema<byte[]> {
        @Override
        public byte[] serialize(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(ConsumerRecord<byte[], byte[]> record) {
            return record.value();
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }

    private Run ordersJob(String backend, int round) throws Exception {
        JobOptions options = jobOptions(RuntimeExecutionMode.STREAMING, backend, "orders-" + backend + "-" + round);
        options.until = new LogBound.Offsets(commandsEnd);
        BoundedContext orders = BoundedContext.ORDERS;
        return Harness.measure("orders job, EXACTLY_ONCE, " + backend + ", checkpoints every "
                        + interval.toMillis() + " ms", commands,
                new Outputs(servers, List.of(orders.eventsTopic(), orders.rejectionsTopic()), commands), broker,
                () -> {
                    StreamExecutionEnvironment env = environment(options);
                    AggregateJob.define(env, options, orders, AggregateSettings.standard(),
                            () -> Deciders.forContext(orders));
                    env.execute("throughput orders " + backend);
                });
    }

    /** The saga over the events; a reference run ({@code expected} -1) counts what it writes. */
    private Run sagaJob(RuntimeExecutionMode mode, String backend, int round, long expected) throws Exception {
        JobOptions options = jobOptions(mode, backend, "saga-" + mode + "-" + round);
        options.until = new LogBound.Offsets(eventsEnd);
        List<String> commandTopics = Arrays.stream(BoundedContext.values()).map(BoundedContext::commandsTopic).toList();
        return Harness.measure("saga job, EXACTLY_ONCE, " + describe(mode, backend), events,
                new Outputs(servers, commandTopics, expected), broker, () -> {
                    StreamExecutionEnvironment env = environment(options);
                    SagaJob.define(env, options, EventTime.standard(),
                            () -> new OrderFulfilment(OrderFulfilment.Timeouts.standard()));
                    env.execute("throughput saga " + mode);
                });
    }

    /** The views job over the events; a reference run ({@code expected} -1) counts what it writes. */
    private Run viewsJob(RuntimeExecutionMode mode, String backend, int round, long expected) throws Exception {
        JobOptions options = jobOptions(mode, backend, "views-" + mode + "-" + round);
        options.until = new LogBound.Offsets(eventsEnd);
        List<String> viewTopics = TopicCatalog.VIEWS.stream()
                .flatMap(view -> Stream.of(TopicCatalog.viewHistoryTopic(view), TopicCatalog.viewLatestTopic(view)))
                .toList();
        return Harness.measure("views job, EXACTLY_ONCE, " + describe(mode, backend), events,
                new Outputs(servers, viewTopics, expected), broker, () -> {
                    StreamExecutionEnvironment env = environment(options);
                    ViewJob.define(env, options, Views.all());
                    env.execute("throughput views " + mode);
                });
    }

    private String describe(RuntimeExecutionMode mode, String backend) {
        return mode == RuntimeExecutionMode.BATCH ? "BATCH"
                : backend + ", checkpoints every " + interval.toMillis() + " ms";
    }

    /** A bounded run of its own: its own consumer group and transactional ids, from the earliest offsets. */
    private JobOptions jobOptions(RuntimeExecutionMode mode, String backend, String run) {
        JobOptions options = JobOptions.defaults(servers);
        options.checkpointDir = dataDir.resolve("checkpoints-" + run).toUri().toString();
        options.mode = mode;
        options.bounded = true;
        options.from = LogBound.EARLIEST;
        options.checkpointInterval = interval;
        options.stateBackend = backend;
        options.groupId = "bench-" + run;
        options.transactionalIdPrefix = options.groupId;
        return options;
    }

    private StreamExecutionEnvironment environment(JobOptions options) {
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(parallelism);
        return env;
    }

    private Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaConnection.to(servers)
                .consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    private void createTopics() throws Exception {
        try (Admin admin = KafkaConnection.to(servers).admin(Map.of());
             TopicAdmin topics = TopicAdmin.using(admin, Duration.ofSeconds(30))) {
            topics.ensure(TopicCatalog.sized(parallelism, (short) 1));
            admin.createTopics(List.of(new NewTopic(PIPE_TOPIC, parallelism, (short) 1),
                    new NewTopic(FLINK_PIPE_TOPIC, parallelism, (short) 1))).all().get();
        }
        Harness.awaitLeaders(servers);
    }
}
