package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.Menu;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.domain.Deciders;
import io.factstream.jobs.AggregateJob;
import io.factstream.local.LocalKafka;
import io.factstream.runtime.JobOptions;
import io.factstream.runtime.aggregate.CommandHandler;
import io.factstream.serde.SingleObjectCodec;
import io.factstream.topics.TopicAdmin;
import io.factstream.topics.TopicCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
        LocalKafka kafka = new LocalKafka(dataDir.resolve("kafka"), freePort(), freePort());
        kafka.start(Duration.ofSeconds(60));
        try {
            String servers = kafka.bootstrapServers();
            createTopics(servers);
            List<ProducerRecord<byte[], byte[]>> commands = commands();
            produce(servers, commands);
            System.out.printf("%d commands of %d orders on %s (%d partitions)%n", commands.size(), orders,
                    BoundedContext.ORDERS.commandsTopic(), parallelism);

            List<List<Run>> measured = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Run> runs = new ArrayList<>();
                runs.add(rawPipe(servers, commands.size(), round));
                for (String backend : stateBackends) {
                    runs.add(ordersJob(servers, commands.size(), backend, round, dataDir));
                }
                print(round == 0 ? "round 1 (warm-up, not counted)" : "round " + (round + 1), runs);
                if (round > 0) {
                    measured.add(runs);
                }
            }
            printMedians(measured);
            return 0;
        } finally {
            kafka.stop(Duration.ofSeconds(30));
        }
    }

    /** One measured run: how many records it moved in how long. */
    record Run(String name, long records, Duration elapsed) {
        double perSecond() {
            return records / (elapsed.toNanos() / 1e9);
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
        StreamExecutionEnvironment env = options.environment();
        env.setParallelism(parallelism);
        AggregateJob.define(env, options, BoundedContext.ORDERS, 100, CommandHandler.DEFAULT_MAX_CLOCK_SKEW, () -> Deciders.forContext(BoundedContext.ORDERS));
        JobClient job = env.executeAsync("throughput orders " + backend);
        // Timed from RUNNING (every task deployed) to FINISHED (the final checkpoint committed every output):
        // the pipe, too, is timed from its first poll to its last commit.
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            Thread.onSpinWait();
        }
        Instant start = Instant.now();
        job.getJobExecutionResult().get();
        return new Run("orders job, EXACTLY_ONCE, " + backend + ", checkpoints every " + interval.toMillis() + " ms",
                expected, Duration.between(start, Instant.now()));
    }

    private List<ProducerRecord<byte[], byte[]>> commands() {
        SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
        Address address = new Address("Via Roma 1", "Napoli", "80100");
        List<OrderLine> lines = List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2),
                new OrderLine("DIAVOLA", PizzaSize.SMALL, 1));
        long total = 2 * Menu.standard().priceCents("MARGHERITA", PizzaSize.LARGE).orElseThrow()
                + Menu.standard().priceCents("DIAVOLA", PizzaSize.SMALL).orElseThrow();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(orders * 4);
        int window = 1_000; // lifecycles interleave within windows of orders, as concurrent orders do
        for (int first = 0; first < orders; first += window) {
            int last = Math.min(orders, first + window);
            for (int step = 0; step < 4; step++) {
                for (int order = first; order < last; order++) {
                    String orderId = "order-" + order;
                    String customer = "customer-" + order % 5_000;
                    SpecificRecord data = switch (step) {
                        case 0 -> new PlaceOrder(customer, lines, address, null);
                        case 1 -> new ConfirmOrder(total);
                        case 2 -> new MarkOrderDispatched("courier-" + order % 50);
                        default -> new CompleteOrder(total);
                    };
                    CommandEnvelope command = CommandEnvelopes.builder(data)
                            .setCommandId(UUID.nameUUIDFromBytes((orderId + "/" + step).getBytes(UTF_8)).toString())
                            .setSubjectId(orderId)
                            .setUserId(step == 0 ? customer : "order-fulfilment")
                            .setCreationTimestamp(Instant.now())
                            .setRoles(List.of(step == 0 ? "CUSTOMER" : "SYSTEM"))
                            .setCorrelationId(orderId)
                            .build();
                    records.add(new ProducerRecord<>(BoundedContext.ORDERS.commandsTopic(), orderId.getBytes(UTF_8),
                            codec.encode(command)));
                }
            }
        }
        return records;
    }

    private void createTopics(String servers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
             TopicAdmin topics = TopicAdmin.using(admin, Duration.ofSeconds(30))) {
            topics.ensure(TopicCatalog.sized(parallelism, (short) 1));
            admin.createTopics(List.of(new NewTopic(PIPE_TOPIC, parallelism, (short) 1))).all().get();
        }
    }

    private static void produce(String servers, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            records.forEach(r -> sent.add(producer.send(r)));
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                future.get(); // a lost command would make every rate wrong
            }
        }
    }

    private static void print(String title, List<Run> runs) {
        double baseline = runs.get(0).perSecond();
        System.out.printf("%n%s%n%-62s %9s %9s %12s %12s%n", title, "run", "records", "seconds", "records/s",
                "vs raw pipe");
        for (Run run : runs) {
            System.out.printf("%-62s %9d %9.2f %12.0f %12.2f%n", run.name(), run.records(),
                    run.elapsed().toMillis() / 1000.0, run.perSecond(), run.perSecond() / baseline);
        }
    }

    /** Per run, the median rate and the median of its per-round ratios to that round's pipe. */
    private static void printMedians(List<List<Run>> rounds) {
        System.out.printf("%nmedian of %d rounds%n%-62s %12s %12s%n", rounds.size(), "run", "records/s",
                "vs raw pipe");
        for (int i = 0; i < rounds.get(0).size(); i++) {
            int run = i;
            List<Double> rates = rounds.stream().map(r -> r.get(run).perSecond()).sorted().toList();
            List<Double> ratios = rounds.stream().map(r -> r.get(run).perSecond() / r.get(0).perSecond())
                    .sorted().toList();
            System.out.printf("%-62s %12.0f %12.2f%n", rounds.get(0).get(run).name(), median(rates),
                    median(ratios));
        }
    }

    private static double median(List<Double> sorted) {
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
