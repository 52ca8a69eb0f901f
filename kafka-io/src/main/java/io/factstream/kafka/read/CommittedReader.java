package io.factstream.kafka.read;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import io.factstream.kafka.clients.KafkaConnection;

/**
 * Reads whole topics as {@code read_committed} consumers see them: from the beginning up to the current last stable
 * offsets, so every committed record and no aborted one. For tools and checks that look at everything at once.
 */
public final class CommittedReader {

    private final KafkaConnection connection;
    private final Duration timeout;

    /** A reader of the cluster with the client properties this process is configured with. */
    public CommittedReader(String bootstrapServers, Duration timeout) {
        this(KafkaConnection.to(bootstrapServers), timeout);
    }

    public CommittedReader(KafkaConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    /** Every committed record of the topics, in offset order per partition. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(Collection<String> topics) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        readAll(topics, records::add);
        return records;
    }

    /**
     * Every committed record of one key, in offset order: it reads only the partition the key hashes to (Kafka's
     * default partitioner, which every writer of the platform uses).
     */
    public List<ConsumerRecord<byte[], byte[]>> readKey(String topic, String key) {
        byte[] keyBytes = key.getBytes(UTF_8);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic,
                    partitionOf(keyBytes, consumer.partitionsFor(topic, timeout).size()));
            read(consumer, Map.of(partition, 0L), record -> {
                if (Arrays.equals(keyBytes, record.key())) {
                    records.add(record);
                }
            });
        }
        return records;
    }

    /** The partition Kafka's default partitioner gives a key among this many. */
    static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /**
     * Hands every committed record of the topics to the consumer, in offset order per partition, as they are read
     * (for topics too big to hold in memory), and returns how many there were.
     */
    public long readAll(Collection<String> topics, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> beginnings = new HashMap<>();
            partitions(consumer, topics).forEach(p -> beginnings.put(p, 0L));
            return read(consumer, beginnings, each);
        }
    }

    /**
     * Hands every committed record from these offsets on to the consumer, in offset order per partition, and
     * returns how many there were.
     */
    public long readFrom(Map<TopicPartition, Long> offsets, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return read(consumer, offsets, each);
        }
    }

    /** Where the committed records of each partition of the topics end now: a {@code read_committed} end. */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return Map.copyOf(consumer.endOffsets(partitions(consumer, topics), timeout));
        }
    }

    /**
     * Hands every committed record from the beginning up to these ends (each exclusive) to the consumer, in offset
     * order per partition, and returns how many there were: the same records however much was written since.
     */
    public long readUntil(Map<TopicPartition, Long> ends, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> beginnings = new HashMap<>();
            ends.keySet().forEach(p -> beginnings.put(p, 0L));
            return read(consumer, beginnings, ends, each);
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, timeout)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        return partitions;
    }

    private long read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from,
                      Consumer<ConsumerRecord<byte[], byte[]>> each) {
        consumer.assign(List.copyOf(from.keySet()));
        return read(consumer, from, consumer.endOffsets(from.keySet(), timeout), each);
    }

    private long read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from,
                      Map<TopicPartition, Long> ends, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> partitions = List.copyOf(from.keySet());
        consumer.assign(partitions);
        from.forEach(consumer::seek);
        long count = 0;
        Instant deadline = Instant.now().plus(timeout);
        while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("could not read " + partitions + " to their end within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    continue; // written after the ends asked for
                }
                each.accept(record);
                count++;
                deadline = Instant.now().plus(timeout); // a deadline for progress, not for the whole read
            }
        }
        return count;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return CommittedConsumers.create(connection, "factstream-committed-reader");
    }
}
