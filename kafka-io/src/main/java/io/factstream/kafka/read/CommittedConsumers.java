package io.factstream.kafka.read;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import io.factstream.kafka.clients.KafkaConnection;

/**
 * Consumers of the platform's topics as every reader outside Flink needs them: {@code read_committed} (the jobs
 * write in transactions; an aborted attempt is never read), assigned rather than in a group (so no offsets are
 * committed), bytes in, and quick to notice new records.
 */
public final class CommittedConsumers {

    private static final AtomicInteger CONSUMERS = new AtomicInteger();

    private CommittedConsumers() {
    }

    /**
     * A consumer for {@code assign} and {@code seek}. A fetch that finds nothing new waits at most 20 ms, not
     * Kafka's default 500: followers show a new record as soon as it is committed.
     *
     * @param name how the broker's logs and the metrics name it, with a number that keeps it unique in this JVM
     */
    public static KafkaConsumer<byte[], byte[]> create(String bootstrapServers, String name) {
        return create(KafkaConnection.to(bootstrapServers), name);
    }

    /** {@link #create(String, String)} on this connection. */
    public static KafkaConsumer<byte[], byte[]> create(KafkaConnection connection, String name) {
        return connection.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // A seek before the log's start (retention deleted it) resets to its start.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20",
                ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + CONSUMERS.incrementAndGet()));
    }
}
