package io.factstream.gateway.live;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.api.Requests;
import io.factstream.gateway.commands.CommandOutcomes;
import io.factstream.gateway.read.HistoryFollower;
import io.factstream.gateway.read.ViewChange;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.kafka.read.EventStoreReader;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.read.Position;
import io.factstream.kafka.read.ViewHistory;
import io.factstream.views.ViewRow;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;

/**
 * The subscription manager: live feeds over Server-Sent Events of one view row, a whole view, or one aggregate's
 * event stream. Every message's SSE {@code id} says where the subscriber is (the row's version, the stream's
 * sequence number, the view's history position); a client that reconnects with {@code Last-Event-ID} (the header
 * browsers send, or the {@code lastEventId} query parameter) first gets exactly what it missed, replayed from the
 * view's history topic or the event store, then the live feed, with no gap and no repeat ({@link Subscriber}).
 *
 * <p>Without an id, a row's or a stream's subscriber starts from its first version; a view's subscriber gets the
 * current rows (from the view's memory image, each with the id of the position it then continues from) and what
 * comes after. Rows of a view are whole: a client keeps, per key, the highest version it has seen.
 *
 * <p>Each subscriber is sent a heartbeat comment every {@code heartbeat}: a client that is gone is found at the
 * latest then (its write fails), and everything it held (its place in the registry, its queue) is released. No
 * thread is held per subscriber: one follower per source, a few sender threads, a few catch-up threads.
 */
public final class Subscriptions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

    private record RowKey(String view, String key) {
    }

    private record StreamKey(BoundedContext context, String aggregateId) {
    }

    private final Map<RowKey, Set<Subscriber<ViewChange>>> rows = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscriber<ViewChange>>> views = new ConcurrentHashMap<>();
    private final Map<StreamKey, Set<Subscriber<CommandOutcomes.StoredEvent>>> streams = new ConcurrentHashMap<>();
    private final Set<Subscriber<?>> all = ConcurrentHashMap.newKeySet();
    private final Function<String, MemoryImage> images;
    private final HistoryFollower history;
    private final ViewHistory rowHistory;
    private final CommittedReader reader;
    private final EventStoreReader eventStore;
    private final int maxQueued;
    private final ExecutorService senders;
    private final ExecutorService catchUps;
    private final ScheduledExecutorService heartbeats;
    private final SingleObjectCodec<ViewRow> codec = SingleObjectCodec.forType(ViewRow.class);

    /**
     * @param images    the memory image of each view, by name (404 for an unknown view)
     * @param heartbeat how often each subscriber gets a heartbeat
     * @param maxQueued how many messages may wait for a slow subscriber before it is disconnected
     */
    public Subscriptions(String bootstrapServers, CommandOutcomes outcomes, HistoryFollower history,
                         Function<String, MemoryImage> images, Duration heartbeat, int maxQueued) {
        this.images = images;
        this.maxQueued = maxQueued;
        this.rowHistory = new ViewHistory(bootstrapServers);
        this.reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(30));
        this.eventStore = new EventStoreReader(bootstrapServers);
        this.senders = Executors.newFixedThreadPool(4, named("gateway-sse-sender"));
        this.catchUps = Executors.newFixedThreadPool(2, named("gateway-sse-catch-up"));
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(named("gateway-sse-heartbeat"));
        heartbeats.scheduleAtFixedRate(() -> all.forEach(Subscriber::heartbeat), heartbeat.toMillis(),
                heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        this.history = history;
        history.onChange(this::changed);
        outcomes.onEvent(this::stored);
    }

    /** How many subscribers are connected. */
    public int count() {
        return all.size();
    }

    public List<ApiRoute> routes() {
        String lastEventId = "Where to resume: the id of the last message received (browsers send the "
                + "Last-Event-ID header by themselves when they reconnect).";
        return List.of(
                ApiRoute.get("/api/live/views/{view}/{key}").tag("live").eventStream()
                        .summary("Every version of one row as it happens (event 'row', id: the version), from "
                                + "the first, or after Last-Event-ID.")
                        .pathParam("view", "The view.")
                        .pathParam("key", "The row's key.")
                        .header("Last-Event-ID", lastEventId)
                        .query("lastEventId", lastEventId)
                        .responds(200, "A stream of Server-Sent Events.")
                        .responds(404, "No such view.")
                        .handler(this::row),
                ApiRoute.get("/api/live/views/{view}").tag("live").eventStream()
                        .summary("Every new row version of a view (event 'row', id: the view's position): the "
                                + "current rows first, or what came after Last-Event-ID.")
                        .pathParam("view", "The view.")
                        .query("prefix", "Only rows whose key starts with this.")
                        .header("Last-Event-ID", lastEventId)
                        .query("lastEventId", lastEventId)
                        .responds(200, "A stream of Server-Sent Events.")
                        .responds(400, "Last-Event-ID is not a position of this view.")
                        .responds(404, "No such view.")
                        .handler(this::view),
                ApiRoute.get("/api/live/streams/{context}/{aggregateId}").tag("live").eventStream()
                        .summary("Every event of one aggregate as it happens (event 'event', id: its sequence "
                                + "number), from the first, or after Last-Event-ID.")
                        .pathParam("context", "The context.")
                        .pathParam("aggregateId", "The aggregate's id.")
                        .header("Last-Event-ID", lastEventId)
                        .query("lastEventId", lastEventId)
                        .responds(200, "A stream of Server-Sent Events.")
                        .responds(400, "No such context, or Last-Event-ID is not a sequence number.")
                        .handler(this::stream));
    }

    private void row(Context ctx) {
        String view = images.apply(ctx.pathParam("view")).view();
        RowKey key = new RowKey(view, ctx.pathParam("key"));
        long after = sequence(ctx);
        long[] last = {after};
        EventStream.open(ctx, client -> {
            Subscriber<ViewChange> subscriber = subscriber(client, change -> admitAbove(last, change.row()
                    .getVersion()), change -> new LiveMessage("row", AvroJson.of(change.row()), Long.toString(change.row().getVersion())));
            register(rows, key, subscriber);
            catchUp(subscriber, () -> rowHistory.of(view, key.key()).forEach(row -> subscriber.caughtUp(
                    new ViewChange(row, null, -1, null))));
            return subscriber;
        });
    }

    private void view(Context ctx) {
        String view = images.apply(ctx.pathParam("view")).view();
        String resume = lastEventId(ctx);
        Position from = resume == null ? null : viewPosition(view, resume);
        String prefix = Optional.ofNullable(ctx.queryParam("prefix")).orElse("");
        EventStream.open(ctx, client -> {
            Map<TopicPartition, Long> cursor = new HashMap<>();
            Subscriber<ViewChange> subscriber = subscriber(client, change -> {
                if (change.offset() < cursor.getOrDefault(change.partition(), 0L)) {
                    return false;
                }
                cursor.put(change.partition(), change.offset() + 1);
                return change.row().getKey().startsWith(prefix);
            }, change -> new LiveMessage("row", AvroJson.of(change.row()), change.after().toString()));
            if (from != null) {
                cursor.putAll(from.nextOffsets());
                register(views, view, subscriber);
                catchUp(subscriber, () -> replay(view, from, subscriber));
            } else {
                history.atPosition(view, now -> {
                    cursor.putAll(now.nextOffsets());
                    register(views, view, subscriber);
                    images.apply(view).scan().stream().filter(row -> row.getKey().startsWith(prefix))
                            .forEach(row -> subscriber.send(new LiveMessage("row", AvroJson.of(row),
                                    now.toString())));
                    subscriber.goLive();
                });
            }
            return subscriber;
        });
    }

    private void stream(Context ctx) {
        StreamKey key = new StreamKey(Requests.context(ctx.pathParam("context")), ctx.pathParam("aggregateId"));
        long after = sequence(ctx);
        long[] last = {after};
        EventStream.open(ctx, client -> {
            Subscriber<CommandOutcomes.StoredEvent> subscriber = subscriber(client,
                    stored -> admitAbove(last, stored.event().getSequenceNumber()),
                    stored -> eventMessage(stored.event()));
            register(streams, key, subscriber);
            catchUp(subscriber, () -> eventStore.eventsOfStream(key.context(), key.aggregateId(), after,
                    Integer.MAX_VALUE).forEach(event -> subscriber.caughtUp(new CommandOutcomes.StoredEvent(
                    key.context(), event, null, -1))));
            return subscriber;
        });
    }

    /** A cursor over versions or sequence numbers: admits the next higher one and moves to it. */
    private static boolean admitAbove(long[] last, long number) {
        if (number <= last[0]) {
            return false;
        }
        last[0] = number;
        return true;
    }

    private static LiveMessage eventMessage(EventEnvelope event) {
        return new LiveMessage("event", AvroJson.of(event), Long.toString(event.getSequenceNumber()));
    }

    /** Replays a view's history from a position to the end, each version with the position after it. */
    private void replay(String view, Position from, Subscriber<ViewChange> subscriber) throws Exception {
        Map<TopicPartition, Long> start = new HashMap<>();
        images.apply(view).positions().keySet().forEach(latest -> {
            TopicPartition partition = new TopicPartition(TopicCatalog.viewHistoryTopic(view), latest.partition());
            start.put(partition, from.next(partition));
        });
        Position[] at = {from};
        Exception[] undecodable = {null};
        reader.readFrom(start, (ConsumerRecord<byte[], byte[]> record) -> {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            at[0] = at[0].after(partition, record.offset());
            try {
                subscriber.caughtUp(new ViewChange(codec.decode(record.value()), partition, record.offset(), at[0]));
            } catch (Exception e) {
                undecodable[0] = e;
            }
        });
        if (undecodable[0] != null) {
            throw undecodable[0];
        }
    }

    private <T> Subscriber<T> subscriber(SseClient client, Predicate<T> cursor, Function<T, LiveMessage> message) {
        Subscriber<T> subscriber = new Subscriber<>(client, cursor, message, senders, maxQueued);
        all.add(subscriber);
        subscriber.onClose(() -> all.remove(subscriber));
        return subscriber;
    }

    private <K, T> void register(Map<K, Set<Subscriber<T>>> registry, K key, Subscriber<T> subscriber) {
        registry.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(subscriber);
        subscriber.onClose(() -> registry.computeIfPresent(key, (k, subscribers) -> {
            subscribers.remove(subscriber);
            return subscribers.isEmpty() ? null : subscribers;
        }));
    }

    /** What a catch-up does: reads from Kafka and hands each item to the subscriber. */
    @FunctionalInterface
    private interface CatchUp {
        void run() throws Exception;
    }

    private void catchUp(Subscriber<?> subscriber, CatchUp reading) {
        catchUps.execute(() -> {
            try {
                reading.run();
                subscriber.goLive();
            } catch (Exception e) {
                LOG.warn("a subscriber's catch-up failed: {}", e.toString());
                subscriber.end("the catch-up failed: " + e.getMessage(), true);
            }
        });
    }

    private void changed(ViewChange change) {
        Set<Subscriber<ViewChange>> ofRow = rows.get(new RowKey(change.row().getView(), change.row().getKey()));
        if (ofRow != null) {
            ofRow.forEach(subscriber -> subscriber.live(change));
        }
        Set<Subscriber<ViewChange>> ofView = views.get(change.row().getView());
        if (ofView != null) {
            ofView.forEach(subscriber -> subscriber.live(change));
        }
    }

    private void stored(CommandOutcomes.StoredEvent stored) {
        Set<Subscriber<CommandOutcomes.StoredEvent>> ofStream = streams.get(
                new StreamKey(stored.context(), stored.event().getAggregateId()));
        if (ofStream != null) {
            ofStream.forEach(subscriber -> subscriber.live(stored));
        }
    }

    private static String lastEventId(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        return header != null && !header.isBlank() ? header.trim() : ctx.queryParam("lastEventId");
    }

    private static long sequence(Context ctx) {
        String id = lastEventId(ctx);
        if (id == null || id.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new Problem(400, "BAD_HEADER", "Last-Event-ID must be the id of a message of this feed (a "
                    + "version number), not '" + id + "'", "Last-Event-ID");
        }
    }

    private static Position viewPosition(String view, String id) {
        Position position;
        try {
            position = Position.parse(id);
        } catch (RuntimeException e) {
            position = null;
        }
        if (position == null || position.nextOffsets().keySet().stream()
                .anyMatch(p -> !p.topic().equals(TopicCatalog.viewHistoryTopic(view)))) {
            throw new Problem(400, "BAD_HEADER", "Last-Event-ID must be the id of a message of this feed (a "
                    + "position of " + TopicCatalog.viewHistoryTopic(view) + "), not '" + id + "'",
                    "Last-Event-ID");
        }
        return position;
    }

    private static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() throws InterruptedException {
        all.forEach(subscriber -> subscriber.end("the gateway is stopping", true));
        heartbeats.shutdownNow();
        catchUps.shutdownNow();
        senders.shutdown();
        senders.awaitTermination(5, TimeUnit.SECONDS);
    }
}
