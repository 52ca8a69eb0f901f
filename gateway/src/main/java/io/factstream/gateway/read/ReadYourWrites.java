package io.factstream.gateway.read;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.factstream.gateway.api.Problem;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.read.Position;

/**
 * Waits until a view shows a client's own write: a query with {@code ?after=<position>} (the event-store position
 * a command answered with) is answered once the view has applied every event up to that position. In two steps:
 *
 * <ol>
 *   <li>the view job has passed the position in every partition it names, which the gateway learns in either of
 *       two ways, whichever comes first:
 *       <ul>
 *         <li>a committed row version (of any view, read from the history topics) was made by an event at or after
 *             the position: the job's checkpoint that committed it came after every earlier event of that
 *             partition, whose rows were therefore flushed to the views' topics before it completed. Events are
 *             placed by their id, as the gateway's outcome follower read them. This is how a write that changes a
 *             row is seen, one checkpoint after the job read it;</li>
 *         <li>the view job's consumer group has committed offsets at or beyond it. Its Kafka source commits them
 *             after a checkpoint, but only when its next poll returns (with records, or after ten seconds), so
 *             this is the slow way: for writes that change no row of any view.</li>
 *       </ul></li>
 *   <li>the gateway's image of the view has read everything that was written to the view's latest topic at that
 *       moment: its {@code read_committed} position reaches the topic's end offsets taken then (open transactions
 *       included), which it can only pass once the job's transactions below them have ended.</li>
 * </ol>
 *
 * One thread checks for every waiting query at once, every {@code tick}, and only while queries wait.
 */
public final class ReadYourWrites implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadYourWrites.class);
    private static final Duration TICK = Duration.ofMillis(20);
    private static final int REMEMBERED_EVENTS = 100_000;

    /** Where an event is in the event store. */
    private record TopicPartitionOffset(TopicPartition partition, long offset) {
    }

    /** A waiting query: its position, its view's image, and, once the job has passed it, what the image must read. */
    private static final class Waiter {
        final Position after;
        final MemoryImage image;
        final Instant deadline;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        Map<TopicPartition, Long> target;

        Waiter(Position after, MemoryImage image, Instant deadline) {
            this.after = after;
            this.image = image;
            this.deadline = deadline;
        }
    }

    private final Admin admin;
    private final String viewsGroup;
    private final Duration timeout;
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final Map<String, TopicPartitionOffset> eventPositions;
    private final Map<TopicPartition, Long> rowsCommittedThrough = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "gateway-read-your-writes");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param viewsGroup the consumer group of the view job, {@code factstream-views} unless it was started with
     *                   another {@code --group-id}
     * @param timeout    how long a query waits before it is answered 504
     */
    public ReadYourWrites(String bootstrapServers, String viewsGroup, Duration timeout) {
        this.admin = KafkaConnection.to(bootstrapServers)
                .admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "factstream-gateway-read-your-writes"));
        this.eventPositions = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TopicPartitionOffset> eldest) {
                return size() > REMEMBERED_EVENTS;
            }
        });
        this.viewsGroup = viewsGroup;
        this.timeout = timeout;
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when the image shows every event up to the position; a 504 {@link Problem} after the timeout. */
    public CompletableFuture<Void> applied(Position after, MemoryImage image) {
        if (after.nextOffsets().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Waiter waiter = new Waiter(after, image, Instant.now().plus(timeout));
        waiters.add(waiter);
        return waiter.done;
    }

    /** Remembers where an event is, as the outcome follower read it. */
    public void eventStored(String eventId, TopicPartition partition, long offset) {
        eventPositions.put(eventId, new TopicPartitionOffset(partition, offset));
    }

    /** Learns from a committed row version how far the view job has come in its event's partition. */
    public void versionCommitted(ViewChange change) {
        TopicPartitionOffset event = eventPositions.get(change.row().getEventId());
        if (event != null) {
            rowsCommittedThrough.merge(event.partition(), event.offset() + 1, Math::max);
        }
    }

    /** How many queries wait. */
    public int waitingCount() {
        return waiters.size();
    }

    private void tick() {
        if (waiters.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = waiters.stream().allMatch(w -> w.target != null
                    || passed(w.after, Map.of())) ? Map.of() : admin.listConsumerGroupOffsets(viewsGroup)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Set<TopicPartition> latest = new HashSet<>();
            for (Waiter waiter : waiters) {
                if (waiter.target == null && passed(waiter.after, committed)) {
                    latest.addAll(waiter.image.positions().keySet());
                }
            }
            Map<TopicPartition, Long> ends = latest.isEmpty() ? Map.of() : endOffsets(latest);
            Instant now = Instant.now();
            for (Waiter waiter : waiters) {
                if (waiter.target == null && passed(waiter.after, committed)) {
                    waiter.target = new HashMap<>();
                    waiter.image.positions().keySet().forEach(p -> waiter.target.put(p, ends.get(p)));
                }
                if (waiter.target != null && read(waiter.image.positions(), waiter.target)) {
                    waiters.remove(waiter);
                    waiter.done.complete(null);
                } else if (now.isAfter(waiter.deadline)) {
                    waiters.remove(waiter);
                    waiter.done.completeExceptionally(new Problem(504, "VIEW_BEHIND", "the " + waiter.image.view()
                            + " view has not applied " + waiter.after + " within " + timeout
                            + (waiter.target == null ? " (the view job " + viewsGroup + " has not passed it)" : "")));
                }
            }
        } catch (Exception e) {
            LOG.warn("could not check the views' progress: {}", e.toString());
        }
    }

    private boolean passed(Position after, Map<TopicPartition, OffsetAndMetadata> committed) {
        return after.nextOffsets().entrySet().stream().allMatch(wanted -> {
            OffsetAndMetadata offset = committed.get(wanted.getKey());
            return offset != null && offset.offset() >= wanted.getValue()
                    || rowsCommittedThrough.getOrDefault(wanted.getKey(), 0L) >= wanted.getValue();
        });
    }

    private static boolean read(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> target) {
        return target.entrySet().stream().allMatch(t -> positions.getOrDefault(t.getKey(), 0L) >= t.getValue());
    }

    private Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS); // read_uncommitted: open transactions too
        Map<TopicPartition, Long> offsets = new HashMap<>();
        ends.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
