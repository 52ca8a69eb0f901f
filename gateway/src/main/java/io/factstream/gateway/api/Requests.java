package io.factstream.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.kafka.read.Position;
import io.javalin.http.Context;

/** What routes read from requests and how they answer, each with the 400 that names a bad parameter. */
public final class Requests {

    /** The largest page a query returns. */
    public static final int MAX_LIMIT = 1_000;

    private Requests() {
    }

    /** The context of a path parameter; 400 {@code UNKNOWN_CONTEXT} names the contexts. */
    public static BoundedContext context(String id) {
        try {
            return BoundedContext.byId(id);
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "UNKNOWN_CONTEXT", e.getMessage());
        }
    }

    /** The event-store position of the {@code after} query parameter; none is the start. */
    public static Position position(Context ctx) {
        try {
            return Position.parse(ctx.queryParam("after"));
        } catch (RuntimeException e) {
            throw new Problem(400, "BAD_PARAMETER", "after must be an event-store position such as "
                    + "orders.events/1:42 (as a command returned it): " + e.getMessage(), "after");
        }
    }

    /** The {@code limit} query parameter: 1 to {@value #MAX_LIMIT}, 100 if absent. */
    public static int limit(Context ctx) {
        long limit = number(ctx, "limit", 100);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new Problem(400, "BAD_PARAMETER", "limit must be 1 to " + MAX_LIMIT, "limit");
        }
        return (int) limit;
    }

    /** A whole-number query parameter, or the fallback if absent. */
    public static long number(Context ctx, String name, long fallback) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Problem(400, "BAD_PARAMETER", name + " must be a whole number, not '" + text + "'", name);
        }
    }

    /** Answers 200 with a JSON tree. */
    public static void ok(Context ctx, JsonNode json) {
        ok(ctx, Json.text(json));
    }

    /** Answers 200 with JSON text. */
    public static void ok(Context ctx, String json) {
        ctx.contentType("application/json").result(json);
    }
}
