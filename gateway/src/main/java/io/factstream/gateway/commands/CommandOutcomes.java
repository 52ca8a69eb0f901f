package io.factstream.gateway.commands;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedConsumers;
import io.factstream.kafka.read.Position;

/**
 * The outcomes of commands, for every request that waits for one: one {@code read_committed} consumer per gateway
 * follows all {@code <ctx>.events} and {@code <ctx>.rejections} topics and completes the waiting requests by
 * command id ({@code causationId} of the events, {@code commandId} of a rejection), however many there are.
 *
 * <p>Every outcome it reads is remembered (the last {@code capacity} of them), whichever gateway sent the command,
 * so that a client's retry with the same {@code Idempotency-Key} gets the same answer from any instance. On start
 * it reads back {@code warmUp} of history, so that a restarted instance knows recent outcomes too.
 *
 * <p>The events of one command are written in one transaction, together, to the aggregate's partition; they are
 * complete when the partition's next event has another cause, or when the consumer has read all the partition
 * holds.
 */
public final class CommandOutcomes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandOutcomes.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** An event as the follower read it, with where it is in the event store. */
    public record StoredEvent(BoundedContext context, EventEnvelope event, TopicPartition partition, long offset) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, CompletableFuture<Outcome>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Outcome> recent;
    private final List<Consumer<StoredEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, List<StoredEvent>> accepting = new HashMap<>();
    private final Map<TopicPartition, Long> endsAtStart;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final SingleObjectCodec<EventEnvelope> events = SingleObjectCodec.forType(EventEnvelope.class);
    private final SingleObjectCodec<CommandRejected> rejections = SingleObjectCodec.forType(CommandRejected.class);
    private final Thread follower;
    private volatile boolean caughtUp;
    private volatile boolean closed;

    private CommandOutcomes(String bootstrapServers, Duration warmUp, int capacity) {
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
                return size() > capacity;
            }
        };
        this.consumer = CommittedConsumers.create(bootstrapServers, "factstream-gateway-outcomes");
        List<TopicPartition> partitions = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            for (String topic : List.of(context.eventsTopic(), context.rejectionsTopic())) {
                consumer.partitionsFor(topic, TIMEOUT)
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        consumer.assign(partitions);
        this.endsAtStart = consumer.endOffsets(partitions, TIMEOUT);
        long since = Instant.now().minus(warmUp).toEpochMilli();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times, TIMEOUT);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp start = starts.get(partition);
            consumer.seek(partition, start != null ? start.offset() : endsAtStart.get(partition));
        }
        this.follower = new Thread(this::follow, "gateway-outcomes");
        follower.setDaemon(true);
    }

    /**
     * Starts following the outcomes.
     *
     * @param warmUp   how much history to read on start
     * @param capacity how many outcomes to remember
     */
    public static CommandOutcomes start(String bootstrapServers, Duration warmUp, int capacity) {
        CommandOutcomes outcomes = new CommandOutcomes(bootstrapServers, warmUp, capacity);
        outcomes.follower.start();
        return outcomes;
    }

    /**
     * The outcome of a command, when it comes; already complete when the command's outcome is known. Register
     * before sending the command, so that no outcome can pass unseen; {@link #forget} when giving up.
     */
    public CompletableFuture<Outcome> outcomeOf(String commandId) {
        checkHealthy();
        CompletableFuture<Outcome> outcome = waiting.computeIfAbsent(commandId, id -> new CompletableFuture<>());
        known(commandId).ifPresent(known -> {
            outcome.complete(known);
            waiting.remove(commandId, outcome);
        });
        return outcome;
    }

    /** The outcome of a command if this instance has seen it. */
    public Optional<Outcome> known(String commandId) {
        synchronized (recent) {
            return Optional.ofNullable(recent.get(commandId));
        }
    }

    /** Stops waiting for a command's outcome. */
    public void forget(String commandId, CompletableFuture<Outcome> outcome) {
        waiting.remove(commandId, outcome);
    }

    /** Remembers an outcome found elsewhere (in the event store), and hands it to whoever waits for it. */
    public void remember(Outcome outcome) {
        synchronized (recent) {
            recent.put(outcome.commandId(), outcome);
        }
        CompletableFuture<Outcome> waiter = waiting.remove(outcome.commandId());
        if (waiter != null) {
            waiter.complete(outcome);
        }
    }

    /** Calls the listener, on the follower's thread, with every event read from now on. */
    public void onEvent(Consumer<StoredEvent> listener) {
        eventListeners.add(listener);
    }

    /** How many requests wait for an outcome. */
    public int waitingCount() {
        return waiting.size();
    }

    /** Whether it has read what the topics held when it started (the warm-up). */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void follow() {
        try (consumer) {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    read(record);
                }
                completeReadPartitions();
                if (!caughtUp) {
                    caughtUp = endsAtStart.entrySet().stream()
                            .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            LOG.error("the outcome follower stopped", e);
            failure.set(e);
            waiting.values().forEach(waiter -> waiter.completeExceptionally(e));
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        BoundedContext context = BoundedContext.ofTopic(record.topic());
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try {
            if (record.topic().equals(context.eventsTopic())) {
                StoredEvent stored = new StoredEvent(context, events.decode(record.value()), partition,
                        record.offset());
                List<StoredEvent> group = accepting.get(partition);
                if (group != null && !group.get(0).event().getCausationId().equals(stored.event().getCausationId())) {
                    complete(accepting.remove(partition));
                }
                accepting.computeIfAbsent(partition, p -> new ArrayList<>()).add(stored);
                eventListeners.forEach(listener -> listener.accept(stored));
            } else {
                remember(new Outcome.Rejected(context, rejections.decode(record.value())));
            }
        } catch (UndecodableRecordException e) {
            // Only the jobs write these topics; an undecodable record is theirs to explain, not an outcome.
            LOG.warn("skipping an undecodable record at {}/{}: {}", partition, record.offset(), e.getMessage());
        }
    }

    /** The last command of a partition is complete once everything the partition holds was read. */
    private void completeReadPartitions() {
        for (Iterator<Map.Entry<TopicPartition, List<StoredEvent>>> it = accepting.entrySet().iterator();
             it.hasNext(); ) {
            Map.Entry<TopicPartition, List<StoredEvent>> group = it.next();
            OptionalLong lag = consumer.currentLag(group.getKey());
            if (lag.isPresent() && lag.getAsLong() == 0) {
                it.remove();
                complete(group.getValue());
            }
        }
    }

    private void complete(List<StoredEvent> group) {
        StoredEvent last = group.get(group.size() - 1);
        remember(new Outcome.Accepted(last.context(), group.stream().map(StoredEvent::event).toList(),
                Position.of(Map.of(last.partition(), last.offset() + 1))));
    }

    private void checkHealthy() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("the gateway stopped following outcomes: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        follower.join(TIMEOUT.toMillis());
    }
}
