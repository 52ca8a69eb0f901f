package io.factstream.kafka.read;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.views.ViewRow;

/**
 * A view held in memory, the seed's "memory image": it loads {@code views.<view>.latest} from the beginning with
 * {@code read_committed}, then keeps following it on a thread of its own, so that queries are map lookups. A
 * tombstone removes its key. It tells how far behind the topic it is.
 */
public final class MemoryImage implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String view;
    private final String bootstrapServers;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SortedMap<String, ViewRow> rows = new ConcurrentSkipListMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread follower;
    private volatile boolean closed;

    private MemoryImage(String bootstrapServers, String view) {
        this.view = view;
        this.bootstrapServers = bootstrapServers;
        this.consumer = CommittedConsumers.create(bootstrapServers, "factstream-memory-image-" + view);
        consumer.partitionsFor(TopicCatalog.viewLatestTopic(view), TIMEOUT)
                .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(p -> positions.put(p, 0L));
        this.follower = new Thread(this::follow, "memory-image-" + view);
        follower.setDaemon(true);
    }

    /** Starts loading, then following, a view's latest topic. */
    public static MemoryImage follow(String bootstrapServers, String view) {
        MemoryImage image = new MemoryImage(bootstrapServers, view);
        image.follower.start();
        return image;
    }

    public String view() {
        return view;
    }

    /** The row of a key, if the view has one. */
    public Optional<ViewRow> get(String key) {
        checkHealthy();
        return Optional.ofNullable(rows.get(key));
    }

    /** Every row, by key. */
    public List<ViewRow> scan() {
        checkHealthy();
        return List.copyOf(rows.values());
    }

    /** Every row by key, as a map to compare. */
    public SortedMap<String, ViewRow> snapshot() {
        checkHealthy();
        return new TreeMap<>(rows);
    }

    /**
     * How far it has read: the next offset of every partition of the latest topic. Everything committed below it
     * is in the image (with {@code read_committed}, an offset is passed only once every transaction before it has
     * ended).
     */
    public Map<TopicPartition, Long> positions() {
        checkHealthy();
        return Map.copyOf(positions);
    }

    /** How many committed records of the latest topic it has not read yet. */
    public long lag() {
        checkHealthy();
        try (KafkaConsumer<byte[], byte[]> probe = CommittedConsumers.create(bootstrapServers, "factstream-lag-probe")) {
            return probe.endOffsets(partitions, TIMEOUT).entrySet().stream()
                    .mapToLong(end -> Math.max(0, end.getValue() - positions.get(end.getKey())))
                    .sum();
        }
    }

    /** Waits until it has read everything committed so far; fails with the lag if the deadline passes first. */
    public MemoryImage awaitCaughtUp(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        for (long lag = lag(); lag > 0; lag = lag()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the " + view + " image is " + lag + " records behind after " + timeout);
            }
            Thread.sleep(50); // back-off while the follower reads
        }
        return this;
    }

    private void follow() {
        SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);
        try (consumer) {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(record.key(), UTF_8);
                    if (record.value() == null) {
                        rows.remove(key);
                    } else {
                        rows.put(key, codec.decode(record.value()));
                    }
                }
                partitions.forEach(p -> positions.put(p, consumer.position(p)));
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            failure.set(e);
        }
    }

    private void checkHealthy() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("the " + view + " image stopped following its topic: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        follower.join(TIMEOUT.toMillis());
    }
}
