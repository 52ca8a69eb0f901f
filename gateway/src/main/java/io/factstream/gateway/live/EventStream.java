package io.factstream.gateway.live;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;

/**
 * A response that is a stream of Server-Sent Events, held open (asynchronously: no thread waits on it) until its
 * subscriber ends. Who ends it decides how: when the gateway ends a subscription, or a write to the client fails,
 * the response is completed, and the server closes the connection; when the server has ended the request itself
 * (completed, timed out, failed), nothing more is done to it, since a request the server has recycled must not be
 * touched again.
 */
final class EventStream {

    private EventStream() {
    }

    /** Answers the request with an event stream fed by the subscriber that {@code subscribe} makes. */
    static void open(Context ctx, Function<SseClient, Subscriber<?>> subscribe) {
        ctx.status(200).contentType("text/event-stream").header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no"); // no buffering in nginx-like proxies
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.future(() -> { // runs once the request is asynchronous
            CompletableFuture<Void> ended = new CompletableFuture<>();
            try {
                ctx.res().flushBuffer();
                Subscriber<?> subscriber = subscribe.apply(new SseClient(ctx));
                ctx.req().getAsyncContext().addListener(new ConnectionListener(subscriber));
                subscriber.onClose(() -> {
                    if (!subscriber.endedByServer()) {
                        ended.complete(null); // the server then closes the connection
                    }
                });
            } catch (IOException e) {
                ended.completeExceptionally(e);
            }
            return ended;
        });
    }

    /** Ends the subscriber when the server ends the request. */
    private record ConnectionListener(Subscriber<?> subscriber) implements AsyncListener {

        @Override
        public void onComplete(AsyncEvent event) {
            subscriber.requestEnded();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            subscriber.requestEnded();
        }

        @Override
        public void onError(AsyncEvent event) {
            subscriber.requestEnded();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
