package io.factstream.gateway.read;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedConsumers;
import io.factstream.kafka.read.Position;
import io.factstream.views.ViewRow;

/**
 * Follows every view's history topic from its end, with {@code read_committed}, and hands each new row version to
 * its listeners (the live feeds, read-your-writes). It knows, per view, the position just after the last version
 * handed on: a view's subscriber that starts live starts there.
 */
public final class HistoryFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryFollower.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Consumer<ViewChange>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Position> positions = new HashMap<>();
    private final Map<String, String> viewOfTopic = new HashMap<>();
    private final SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);
    private final Thread follower;
    private volatile boolean closed;
    private volatile Exception failure;

    public HistoryFollower(String bootstrapServers) {
        this.consumer = CommittedConsumers.create(bootstrapServers, "factstream-gateway-view-history");
        List<TopicPartition> partitions = new ArrayList<>();
        for (String view : ViewCatalog.get().names()) {
            viewOfTopic.put(TopicCatalog.viewHistoryTopic(view), view);
            consumer.partitionsFor(TopicCatalog.viewHistoryTopic(view), TIMEOUT)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
        ends.forEach(consumer::seek);
        for (String view : ViewCatalog.get().names()) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            ends.forEach((partition, end) -> {
                if (partition.topic().equals(TopicCatalog.viewHistoryTopic(view))) {
                    offsets.put(partition, end);
                }
            });
            positions.put(view, Position.of(offsets));
        }
        this.follower = new Thread(this::follow, "gateway-view-history");
        follower.setDaemon(true);
    }

    /** Calls the listener, on the follower's thread, with every version read; call before {@link #start}. */
    public void onChange(Consumer<ViewChange> listener) {
        listeners.add(listener);
    }

    public void start() {
        follower.start();
    }

    /**
     * Runs the action while no version is handed on, with the view's position just after the last one handed on:
     * what the action registers receives every version after that position and none before.
     */
    public synchronized void atPosition(String view, Consumer<Position> action) {
        action.accept(positions.get(view));
    }

    /** Why it stopped following, or null while it follows. */
    public Exception failure() {
        return failure;
    }

    private void follow() {
        try (consumer) {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    hand(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            LOG.error("the view history follower stopped", e);
            failure = e;
        }
    }

    private synchronized void hand(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try {
            ViewRow row = codec.decode(record.value());
            String view = viewOfTopic.get(record.topic());
            Position after = positions.get(view).after(partition, record.offset());
            positions.put(view, after);
            ViewChange change = new ViewChange(row, partition, record.offset(), after);
            listeners.forEach(listener -> listener.accept(change));
        } catch (UndecodableRecordException e) {
            LOG.warn("skipping an undecodable view version at {}/{}: {}", partition, record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        follower.join(TIMEOUT.toMillis());
    }
}
