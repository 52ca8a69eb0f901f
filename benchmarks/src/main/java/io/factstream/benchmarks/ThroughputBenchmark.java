package io.factstream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.factstream.benchmarks.Harness.Run;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.Deciders;
import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.JobOptions;
import io.factstream.kafka.topics.TopicAdmin;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.local.LocalKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Commands per second through the orders job with {@code EXACTLY_ONCE} sinks and checkpoints, against a raw Kafka
 * pipe on the same broker: a plain {@code read_committed} consumer and a transactional producer that forward the
 * same command records, committing at the same interval. Everything runs in one go on a local broker process, and
 * the table reports each run's rate and its ratio to the pipe's.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Compares the exactly-once orders job with a raw transactional Kafka pipe.")
public final class ThroughputBenchmark implements Callable<Integer> {

    private static final String PIPE_TOPIC = "bench.pipe";

    @Option(names = "--orders", defaultValue = "50000", description = "Orders; each is 4 commands (default: ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--commit-interval", defaultValue = "PT1S",
            description = "Checkpoint interval of the job and commit interval of the pipe (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism and partitions (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backends", split = ",", defaultValue = "rocksdb,hashmap",
            description = "State backends to run the job with (default: ${DEFAULT-VALUE}).")
    List<String> stateBackends;

    @Option(names = "--rounds", defaultValue = "4",
            description = "Rounds of all runs; the first warms the JVM up and is not counted, the table shows "
                    + "the median of the others (default: ${DEFAULT-VALUE}).")
    int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("factstream-throughput");
        LocalKafka kafka = LocalKafka.onFreePorts(dataDir.resolve("kafka"));
        kafka.start(Duration.ofSeconds(60));
        try {
            String servers = kafka.bootstrapServers();
            createTopics(servers);
            List<ProducerRecord<byte[], byte[]>> commands = Harness.orderCommands(orders);
            Harness.produce(servers, commands);
            System.out.printf("%d commands of %d orders on %s (%d partitions)%n", commands.size(), orders,
                    BoundedContext.ORDERS.commandsTopic(), parallelism);

            List<List<Run>> measured = new ArrayList<>();
            List<Integer> baselines = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Run> runs = new ArrayList<>();
                runs.add(rawPipe(servers, commands.size(), round));
                for (String backend : stateBackends) {
                    runs.add(ordersJob(servers, commands.size(), backend, round, dataDir));
                }
                baselines = runs.stream().map(run -> 0).toList(); // every run against the pipe
                Harness.print(round == 0 ? "round 1 (warm-up, not counted)" : "round " + (round + 1), runs,
                        baselines, "vs raw pipe");
                if (round > 0) {
                    measured.add(runs);
                }
            }
            Harness.printMedians(measured, baselines, "vs raw pipe");
            return 0;
        } finally {
            kafka.stop(Duration.ofSeconds(30));
        }
    }

    private Run rawPipe(String servers, int expected, int round) {
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-pipe-" + round);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-pipe-" + round);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(BoundedContext.ORDERS.commandsTopic()));
            producer.initTransactions();
            Instant start = Instant.now();
            Instant lastCommit = start;
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            long forwarded = 0;
            while (forwarded < expected) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    producer.send(new ProducerRecord<>(PIPE_TOPIC, record.key(), record.value()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                    forwarded++;
                }
                if (Duration.between(lastCommit, Instant.now()).compareTo(interval) >= 0 || forwarded >= expected) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    lastCommit = Instant.now();
                    if (forwarded < expected) {
                        producer.beginTransaction();
                    }
                }
            }
            return new Run("raw Kafka pipe, transactions every " + interval.toMillis() + " ms", forwarded,
                    Duration.between(start, Instant.now()));
        }
    }

    private Run ordersJob(String servers, int expected, String backend, int round, Path dataDir) throws Exception {
        JobOptions options = JobOptions.defaults(servers);
        options.checkpointDir = dataDir.resolve("checkpoints-" + backend + "-" + round).toUri().toString();
        options.bounded = true;
        options.checkpointInterval = interval;
        options.stateBackend = backend;
        options.groupId = "bench-orders-" + backend + "-" + round; // each run reads the whole log
        options.transactionalIdPrefix = options.groupId; // and writes as a writer of its own
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(parallelism);
        AggregateJob.define(env, options, BoundedContext.ORDERS, AggregateSettings.standard(), () -> Deciders.forContext(BoundedContext.ORDERS));
        // The pipe, too, is timed from its first poll to its last commit.
        Duration elapsed = Harness.runToFinish(env.executeAsync("throughput orders " + backend));
        return new Run("orders job, EXACTLY_ONCE, " + backend + ", checkpoints every " + interval.toMillis() + " ms",
                expected, elapsed);
    }

    private void createTopics(String servers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
             TopicAdmin topics = TopicAdmin.using(admin, Duration.ofSeconds(30))) {
            topics.ensure(TopicCatalog.sized(parallelism, (short) 1));
            admin.createTopics(List.of(new NewTopic(PIPE_TOPIC, parallelism, (short) 1))).all().get();
        }
    }
}
