package io.factstream.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.KRaftVersion;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker for tests: one in-process KRaft node (broker and controller combined) built with Kafka's own
 * test kit, started before the test class and stopped after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.create().withTopics(TopicAdmin.newTopics(catalog));
 * }</pre>
 *
 * <p>Besides the address, it offers what broker tests need and tend to get wrong: topics that are really ready
 * (every partition has a leader that answers), sends whose results are checked, and {@code read_committed} reads
 * that wait for a condition with a deadline instead of sleeping.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> brokerProperties = new HashMap<>();
    private final List<NewTopic> initialTopics = new ArrayList<>();

    private KafkaClusterTestKit cluster;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    private KafkaBrokerExtension() {
        // One node: internal topics must make do with one replica.
        brokerProperties.put("offsets.topic.replication.factor", "1");
        brokerProperties.put("transaction.state.log.replication.factor", "1");
        brokerProperties.put("transaction.state.log.min.isr", "1");
        brokerProperties.put("group.initial.rebalance.delay.ms", "0");
    }

    /** A broker with the settings a single-node test cluster needs and no topics. */
    public static KafkaBrokerExtension create() {
        return new KafkaBrokerExtension();
    }

    /** Topics to create, and wait for, when the broker starts. */
    public KafkaBrokerExtension withTopics(Collection<NewTopic> topics) {
        initialTopics.addAll(topics);
        return this;
    }

    /** Sets a broker configuration property, e.g. to make the log cleaner run often. */
    public KafkaBrokerExtension withBrokerProperty(String key, Object value) {
        brokerProperties.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    /** Starts the broker and creates the configured topics; called by JUnit, or by hand outside JUnit. */
    public void start() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder(productionBootstrapMetadata())
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerProperties.forEach(builder::setConfigProp);
        cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        if (!initialTopics.isEmpty()) {
            createTopics(initialTopics);
        }
    }

    /** Stops the broker and deletes its data. */
    public void stop() throws Exception {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client shared by the test class; do not close it. */
    public Admin admin() {
        return admin;
    }

    /**
     * Creates the topics and waits until every partition has a leader that answers offset requests, so that the
     * first records sent to them are not lost to {@code NOT_LEADER_OR_FOLLOWER}.
     */
    public void createTopics(Collection<NewTopic> topics) throws Exception {
        admin.createTopics(topics).all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        awaitLeaders(topics.stream().map(NewTopic::name).collect(Collectors.toSet()));
    }

    private void awaitLeaders(Set<String> topics) throws InterruptedException, TimeoutException {
        Instant deadline = Instant.now().plus(CLIENT_TIMEOUT);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames().get();
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                descriptions.values().forEach(d -> d.partitions().forEach(p ->
                        partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get();
                return;
            } catch (ExecutionException e) {
                last = e;
                TimeUnit.MILLISECONDS.sleep(50); // back-off between polls of the broker, not a synchronisation
            }
        }
        throw new TimeoutException("topics " + topics + " have no answering leaders after " + CLIENT_TIMEOUT
                + ": " + (last == null ? "no answer" : last.getCause()));
    }

    /** Sends one record and waits until the broker acknowledged it; a failed send fails the test. */
    public RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
        return sendAll(List.of(record)).get(0);
    }

    /** Sends the records in order and waits for every acknowledgement; a failed send fails the test. */
    public List<RecordMetadata> sendAll(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            futures.add(producer.send(record));
        }
        producer.flush();
        List<RecordMetadata> acknowledged = new ArrayList<>(futures.size());
        for (Future<RecordMetadata> future : futures) {
            acknowledged.add(future.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        return acknowledged;
    }

    /**
     * Reads the topics from the beginning with {@code isolation.level=read_committed} up to their current
     * last stable offsets, and returns every committed record, in partition order per partition.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(Collection<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            List<TopicPartition> partitions = assignAll(consumer, topics);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, CLIENT_TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(CLIENT_TIMEOUT);
            while (!reached(consumer, ends)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("could not read " + topics + " up to " + ends + " within " + CLIENT_TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    /**
     * Where each partition of the topics ends for a {@code read_committed} reader now (its last stable offset): a
     * job that starts there sees only what is written after.
     */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            return consumer.endOffsets(assignAll(consumer, topics), CLIENT_TIMEOUT);
        }
    }

    /**
     * Reads the topics with {@code isolation.level=read_committed} from the beginning until the records read so far
     * satisfy {@code done}, and returns them; fails with the number of records seen if the deadline passes first.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommittedUntil(
            Collection<String> topics, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            assignAll(consumer, topics);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(timeout);
            while (!done.test(records)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("condition not met within " + timeout + " after reading "
                            + records.size() + " committed records from " + topics);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    private KafkaConsumer<byte[], byte[]> committedReader() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> assignAll(KafkaConsumer<?, ?> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, CLIENT_TIMEOUT)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), CLIENT_TIMEOUT) >= e.getValue());
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return props;
    }

    /**
     * The test kit's default boots the newest <em>testing</em> metadata version; tests should see what a
     * production cluster runs: the latest production metadata version and the production features at their
     * defaults for it ({@code kraft.version} is set by the formatter, not by bootstrap records).
     */
    private static BootstrapMetadata productionBootstrapMetadata() {
        MetadataVersion version = MetadataVersion.LATEST_PRODUCTION;
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                .filter(f -> !f.featureName().equals(KRaftVersion.FEATURE_NAME))
                .collect(Collectors.toMap(Feature::featureName, f -> f.defaultLevel(version),
                        (a, b) -> a, TreeMap::new));
        return BootstrapMetadata.fromVersions(version, features, "factstream-testkit");
    }
}
