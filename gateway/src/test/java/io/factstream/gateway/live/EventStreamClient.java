package io.factstream.gateway.live;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.gateway.api.Json;

/**
 * A Server-Sent Events client as the EventSource specification reads a stream: {@code id:}, {@code event:} and
 * {@code data:} lines make a message, a blank line dispatches it, a line starting with {@code :} is a comment
 * (the gateway's heartbeats). It reads asynchronously, holding no thread while it waits.
 */
public final class EventStreamClient implements Flow.Subscriber<String> {

    /** A message of the stream. */
    public record Message(String id, String event, String data) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(data);
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + data, e);
            }
        }
    }

    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean ended;
    private String id;
    private String event;
    private StringBuilder data = new StringBuilder();

    private EventStreamClient() {
    }

    /** Opens a stream; the request carries the credentials and, to resume, a Last-Event-ID header. */
    public static EventStreamClient open(HttpClient http, HttpRequest request) {
        EventStreamClient client = new EventStreamClient();
        http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(client))
                .whenComplete((response, error) -> {
                    if (response != null) {
                        client.status.complete(response.statusCode());
                    }
                });
        return client;
    }

    /** Every message received so far. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    public int comments() {
        return comments.get();
    }

    /** Whether the stream is connected, i.e. its response has started. */
    public boolean connected() {
        return subscription != null;
    }

    /** Drops the connection, as a client that goes away. */
    public void disconnect() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (line.isEmpty()) {
            if (event != null || data.length() > 0) {
                messages.add(new Message(id, event == null ? "message" : event, data.toString()));
            }
            event = null;
            data = new StringBuilder();
        } else if (line.startsWith(":")) {
            comments.incrementAndGet();
        } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
            event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
            data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).stripLeading());
        }
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    @Override
    public void onError(Throwable throwable) {
        ended = true;
        status.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        ended = true;
    }
}
