package io.factstream.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.javalin.Javalin;

/**
 * An event stream on a real Javalin server, with a real HTTP client: a client that goes away is found by the next
 * heartbeat and its subscriber released, without the server touching the ended request again (which Javalin
 * answers with a storm of errors); a subscription the server ends is a stream that ends for the client.
 */
class EventStreamTest {

    private final List<Subscriber<String>> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService senders = Executors.newFixedThreadPool(2);
    private final AtomicInteger serverErrors = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private AbstractAppender errors;
    private Javalin server;

    @BeforeEach
    void start() {
        errors = new AbstractAppender("server-errors", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                    serverErrors.incrementAndGet();
                }
            }
        };
        errors.start();
        ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger()
                .addAppender(errors, Level.WARN, null);
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/stream", ctx -> EventStream.open(ctx, client -> {
                Subscriber<String> subscriber = new Subscriber<>(client, item -> true,
                        item -> new LiveMessage("row", item, "1"), senders, 100);
                subscribers.add(subscriber);
                subscriber.send(new LiveMessage("row", "{\"hello\": true}", "0"));
                return subscriber;
            }));
            config.routes.get("/ping", ctx -> ctx.result("pong"));
        }).start(0);
    }

    @AfterEach
    void stop() {
        server.stop();
        senders.shutdownNow();
        ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger()
                .removeAppender("server-errors");
    }

    @Test
    void aClientThatGoesAwayIsFoundByTheNextHeartbeatAndReleased() throws Exception {
        EventStreamClient client = EventStreamClient.open(http, request());
        Awaitility.await().until(() -> client.messages().size() == 1);
        Subscriber<String> subscriber = subscribers.get(0);

        client.disconnect();
        Awaitility.await("the subscriber released").atMost(Duration.ofSeconds(10)).until(() -> {
            subscriber.heartbeat();
            return subscriber.isClosed();
        });

        assertThat(subscriber.lost()).isTrue();
        assertThat(http.send(HttpRequest.newBuilder(url("/ping")).build(), HttpResponse.BodyHandlers.ofString())
                .body()).isEqualTo("pong");
        assertThat(serverErrors.get()).as("errors the server logged").isZero();
    }

    @Test
    void aSubscriptionTheServerEndsIsAStreamThatEnds() throws Exception {
        EventStreamClient client = EventStreamClient.open(http, request());
        Awaitility.await().until(() -> client.messages().size() == 1);

        subscribers.get(0).goLive();
        subscribers.get(0).live("{\"version\": 1}");
        subscribers.get(0).end("done", false);

        Awaitility.await("the stream ended").atMost(Duration.ofSeconds(10)).until(client::ended);
        assertThat(client.messages()).extracting(EventStreamClient.Message::event).containsExactly("row", "row", "end");
        assertThat(serverErrors.get()).as("errors the server logged").isZero();
    }

    private HttpRequest request() {
        return HttpRequest.newBuilder(url("/stream")).build();
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + server.port() + path);
    }
}
