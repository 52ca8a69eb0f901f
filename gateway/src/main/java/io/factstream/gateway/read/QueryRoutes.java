package io.factstream.gateway.read;

import static io.factstream.gateway.api.Requests.MAX_LIMIT;
import static io.factstream.gateway.api.Requests.limit;
import static io.factstream.gateway.api.Requests.number;
import static io.factstream.gateway.api.Requests.ok;
import static io.factstream.gateway.api.Requests.position;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Executor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.gateway.api.ApiRoute;
import io.factstream.gateway.api.Json;
import io.factstream.gateway.api.Problem;
import io.factstream.gateway.api.Requests;
import io.factstream.kafka.read.EventStoreReader;
import io.factstream.kafka.read.MemoryImage;
import io.factstream.kafka.read.Position;
import io.factstream.kafka.read.ViewHistory;
import io.factstream.views.ViewRow;
import io.javalin.http.Context;

/**
 * The queries: view rows from memory images of the views' latest topics (one row, or a scan by key prefix), a
 * row's every version from the history topic, and the event store (one aggregate's stream, or all streams after a
 * position). A view query with {@code ?after=<position>} waits until the view shows that write
 * ({@link ReadYourWrites}).
 */
public final class QueryRoutes implements AutoCloseable {

    private static final String AFTER = "Answer once the view has applied the events up to this event-store "
            + "position (as a command returned it): read your own writes.";

    private final Map<String, MemoryImage> images = new LinkedHashMap<>();
    private final ReadYourWrites readYourWrites;
    private final ViewHistory history;
    private final EventStoreReader eventStore;
    private final Executor responders;

    /**
     * @param responders where answers that waited for a view are written: not on the thread that follows the view
     */
    public QueryRoutes(String bootstrapServers, ReadYourWrites readYourWrites, Executor responders) {
        for (String view : ViewCatalog.get().names()) {
            images.put(view, MemoryImage.follow(bootstrapServers, view));
        }
        this.readYourWrites = readYourWrites;
        this.history = new ViewHistory(bootstrapServers);
        this.eventStore = new EventStoreReader(bootstrapServers);
        this.responders = responders;
    }

    /** The image of a view; 404 when the catalog has no such view. */
    public MemoryImage image(String view) {
        MemoryImage image = images.get(view);
        if (image == null) {
            throw Problem.notFound("no view '" + view + "'; the views are " + images.keySet());
        }
        return image;
    }

    /** How many records the images have still to read, by view. */
    public Map<String, Long> lags() {
        Map<String, Long> lags = new LinkedHashMap<>();
        images.forEach((view, image) -> lags.put(view, image.lag()));
        return lags;
    }

    public List<ApiRoute> routes() {
        List<ApiRoute> routes = new ArrayList<>();
        routes.add(ApiRoute.get("/api/views").tag("views")
                .summary("The views of the catalog: name and what a row holds.")
                .responds(200, "The views.")
                .handler(ctx -> {
                    ArrayNode views = Json.MAPPER.createArrayNode();
                    ViewCatalog.get().viewTypes().forEach(view -> views.addObject().put("name", view.name())
                            .put("doc", view.doc()).put("row", view.row().getName()));
                    ok(ctx, Json.object().set("views", views));
                }));
        routes.add(ApiRoute.get("/api/views/{view}").tag("views")
                .summary("The rows of a view in key order, optionally those whose key starts with a prefix.")
                .pathParam("view", "The view, e.g. order-status.")
                .query("prefix", "Only keys that start with this.")
                .query("limit", "At most this many rows (default 100, at most " + MAX_LIMIT + ").")
                .query("after", AFTER)
                .responds(200, "The rows.")
                .responds(404, "No such view.")
                .responds(504, "The view did not apply the position in time.")
                .handler(ctx -> {
                    MemoryImage image = image(ctx.pathParam("view"));
                    String prefix = Optional.ofNullable(ctx.queryParam("prefix")).orElse("");
                    int limit = limit(ctx);
                    afterApplied(ctx, image, () -> {
                        SortedMap<String, ViewRow> rows = image.snapshot();
                        SortedMap<String, ViewRow> matching = prefix.isEmpty() ? rows
                                : rows.subMap(prefix, prefix + Character.MAX_VALUE);
                        ObjectNode json = Json.object().put("view", image.view());
                        ArrayNode list = json.putArray("rows");
                        matching.values().stream().limit(limit).forEach(row -> list.addRawValue(Json.avro(row)));
                        ok(ctx, json.put("count", list.size()));
                    });
                }));
        routes.add(ApiRoute.get("/api/views/{view}/{key}").tag("views")
                .summary("One row of a view: its latest version. ETag: the row's version.")
                .pathParam("view", "The view, e.g. order-status.")
                .pathParam("key", "The row's key, e.g. an order id.")
                .query("after", AFTER)
                .responds(200, "The row.")
                .responds(404, "No such view, or no such row (yet).")
                .responds(504, "The view did not apply the position in time.")
                .handler(ctx -> {
                    MemoryImage image = image(ctx.pathParam("view"));
                    String key = ctx.pathParam("key");
                    afterApplied(ctx, image, () -> {
                        ViewRow row = image.get(key).orElseThrow(() -> Problem.notFound("no row '" + key
                                + "' in the " + image.view() + " view"));
                        ctx.header("ETag", "\"" + row.getVersion() + "\"");
                        ok(ctx, AvroJson.of(row));
                    });
                }));
        routes.add(ApiRoute.get("/api/views/{view}/{key}/history").tag("views")
                .summary("Every version of one row, oldest first, from the view's history topic.")
                .pathParam("view", "The view.")
                .pathParam("key", "The row's key.")
                .responds(200, "The versions.")
                .responds(404, "No such view.")
                .handler(ctx -> {
                    String view = image(ctx.pathParam("view")).view();
                    ObjectNode json = Json.object().put("view", view).put("key", ctx.pathParam("key"));
                    ArrayNode versions = json.putArray("versions");
                    history.of(view, ctx.pathParam("key")).forEach(row -> versions.addRawValue(Json.avro(row)));
                    ok(ctx, json);
                }));
        routes.add(ApiRoute.get("/api/streams/{context}/{aggregateId}").tag("event store")
                .summary("One aggregate's events after a sequence number, in order.")
                .pathParam("context", "The context: orders, payments, kitchen or delivery.")
                .pathParam("aggregateId", "The aggregate's id.")
                .query("after", "Only events with a greater sequence number (default 0: all).")
                .query("limit", "At most this many (default 100, at most " + MAX_LIMIT + ").")
                .responds(200, "The events.")
                .responds(400, "No such context, or a bad number.")
                .handler(ctx -> {
                    BoundedContext context = Requests.context(ctx.pathParam("context"));
                    long after = number(ctx, "after", 0);
                    List<EventEnvelope> events = eventStore.eventsOfStream(context, ctx.pathParam("aggregateId"),
                            after, limit(ctx));
                    ObjectNode json = Json.object().put("context", context.id())
                            .put("aggregateId", ctx.pathParam("aggregateId"));
                    ArrayNode list = json.putArray("events");
                    events.forEach(event -> list.addRawValue(Json.avro(event)));
                    ok(ctx, json);
                }));
        routes.add(ApiRoute.get("/api/events").tag("event store")
                .summary("Events of every stream after a position, and the position to continue from: paging "
                        + "neither skips nor repeats an event. Ordered per aggregate, not across aggregates.")
                .query("after", "The position to continue from (default: the beginning).")
                .query("limit", "At most this many (default 100, at most " + MAX_LIMIT + ").")
                .responds(200, "The events and the next position.")
                .responds(400, "Not a position.")
                .handler(ctx -> {
                    EventStoreReader.Page page = eventStore.eventsOfAllStreams(position(ctx), limit(ctx));
                    ObjectNode json = Json.object();
                    ArrayNode list = json.putArray("events");
                    page.events().forEach(event -> list.addRawValue(Json.avro(event)));
                    ok(ctx, json.put("next", page.next().toString()));
                }));
        return routes;
    }

    /** Runs the answer once the view shows the request's {@code ?after=} position (at once without one). */
    private void afterApplied(Context ctx, MemoryImage image, Runnable answer) {
        Position after = position(ctx);
        ctx.future(() -> readYourWrites.applied(after, image).handleAsync((applied, error) -> {
            try {
                if (error != null) {
                    throw error.getCause() instanceof Problem problem ? problem : error;
                }
                answer.run();
            } catch (Problem problem) {
                problem.writeTo(ctx);
            } catch (Throwable e) {
                new Problem(503, "UNAVAILABLE", e.getMessage()).writeTo(ctx);
            }
            return (Void) null;
        }, responders));
    }

    @Override
    public void close() throws InterruptedException {
        for (MemoryImage image : images.values()) {
            image.close();
        }
    }
}
