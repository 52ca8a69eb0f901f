package io.factstream.gateway.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import io.factstream.gateway.api.Json;
import io.javalin.http.sse.SseClient;

/**
 * One client of a live feed. It first catches up (what it missed, read from Kafka) while what happens meanwhile
 * is held back; then it goes live. Every item passes its cursor, which admits only what lies beyond what it has
 * already sent: so the catch-up and the live feed may overlap, but no item is sent twice and none is skipped.
 *
 * <p>Messages are queued and sent by a shared pool of senders, never on the thread that reads Kafka, so a slow
 * client slows nobody else. A client whose queue overflows is disconnected: it reconnects with its
 * {@code Last-Event-ID} and catches up.
 *
 * @param <T> what the feed carries
 */
final class Subscriber<T> {

    /** The event of the last message of a subscription the gateway ends. */
    static final String END = "end";

    private final SseClient client;
    private final Predicate<T> cursor;
    private final Function<T, LiveMessage> message;
    private final Executor senders;
    private final int maxQueued;
    private final Queue<LiveMessage> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean lost;
    private volatile boolean endedByServer;
    private final List<T> heldBack = new ArrayList<>();
    private final List<Runnable> onClose = new ArrayList<>();
    private boolean live;

    /**
     * @param cursor  admits an item beyond what was sent and moves past it; refuses the rest
     * @param message the message of an admitted item
     */
    Subscriber(SseClient client, Predicate<T> cursor, Function<T, LiveMessage> message, Executor senders,
               int maxQueued) {
        this.client = client;
        this.cursor = cursor;
        this.message = message;
        this.senders = senders;
        this.maxQueued = maxQueued;
        client.onClose(this::connectionLost); // the client closes itself when a write fails
    }

    /** An item of the catch-up. */
    synchronized void caughtUp(T item) {
        admit(item);
    }

    /** Sends a message outside the feed (e.g. the current rows a view's subscriber starts with). */
    synchronized void send(LiveMessage first) {
        enqueue(first);
    }

    /** The catch-up is done: what was held back goes out, and the subscriber is live. */
    synchronized void goLive() {
        heldBack.forEach(this::admit);
        heldBack.clear();
        live = true;
    }

    /** An item of the live feed, held back until the catch-up is done. */
    synchronized void live(T item) {
        if (live) {
            admit(item);
        } else {
            heldBack.add(item);
        }
    }

    void heartbeat() {
        enqueue(LiveMessage.HEARTBEAT);
    }

    /** Runs when the subscriber goes away, whoever ends it (at once if it has gone already). */
    void onClose(Runnable cleanUp) {
        synchronized (this) {
            if (!closed.get()) {
                onClose.add(cleanUp);
                return;
            }
        }
        cleanUp.run();
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Whether it ended because the connection did (a write failed, or the server ended the request). */
    boolean lost() {
        return lost;
    }

    /** Whether the server ended the request itself (completed, timed out, failed): nothing may touch it any more. */
    boolean endedByServer() {
        return endedByServer;
    }

    /** Ends the subscription because a write failed: the client is gone, nothing more is written to it. */
    void connectionLost() {
        lose(false);
    }

    /** Ends the subscription because the server ended its request. */
    void requestEnded() {
        lose(true);
    }

    /**
     * A subscriber that has ended already stays as it ended; otherwise it is lost before it is closed, so that
     * whoever waits for the end, or cleans up after it, sees why.
     */
    private void lose(boolean byServer) {
        synchronized (this) {
            if (closed.get()) {
                return;
            }
            lost = true;
            endedByServer = byServer;
        }
        close();
    }

    /**
     * Ends the subscription after what is queued, with a last message that says why (event {@code end}). A
     * subscriber that has fallen behind is ended with {@code dropQueued}: what it has not been sent is dropped, and
     * it catches up when it reconnects.
     */
    void end(String reason, boolean dropQueued) {
        if (closed.get()) {
            return;
        }
        if (dropQueued) {
            queue.clear();
            queued.set(0);
        }
        queue.add(new LiveMessage(END, Json.text(Json.object().put("reason", reason)), null));
        schedule();
    }

    void close() {
        List<Runnable> cleanUps;
        synchronized (this) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            cleanUps = List.copyOf(onClose);
            heldBack.clear();
        }
        queue.clear();
        cleanUps.forEach(Runnable::run);
        client.close();
    }

    private void admit(T item) {
        if (cursor.test(item)) {
            enqueue(message.apply(item));
        }
    }

    private void enqueue(LiveMessage next) {
        if (closed.get()) {
            return;
        }
        if (queued.incrementAndGet() > maxQueued) {
            end("the client reads too slowly; reconnect with Last-Event-ID", true);
            return;
        }
        queue.add(next);
        schedule();
    }

    private void schedule() {
        if (sending.compareAndSet(false, true)) {
            senders.execute(this::sendQueued);
        }
    }

    /** Sends what is queued, on a sender thread; one sender per subscriber at a time, so in order. */
    private void sendQueued() {
        do {
            for (LiveMessage next = queue.poll(); next != null; next = queue.poll()) {
                queued.decrementAndGet();
                if (next.isHeartbeat()) {
                    client.sendComment(next.data());
                } else {
                    client.sendEvent(next.event(), next.data(), next.id());
                }
                if (client.terminated()) { // the write failed: the client is gone
                    connectionLost();
                    return;
                }
                if (END.equals(next.event())) {
                    close();
                    return;
                }
            }
            sending.set(false);
        } while (!queue.isEmpty() && sending.compareAndSet(false, true));
    }
}
