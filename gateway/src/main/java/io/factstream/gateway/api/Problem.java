package io.factstream.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.Context;

/**
 * A request the gateway does not carry out, as an exception a handler throws: the HTTP status, a stable error code
 * for programs, a sentence for people, and the offending field or header when there is one. The body is
 * {@code {"error": ..., "message": ..., "field": ...}}.
 */
public final class Problem extends RuntimeException {

    private final int status;
    private final String error;
    private final String field;

    public Problem(int status, String error, String message) {
        this(status, error, message, null);
    }

    public Problem(int status, String error, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The body of the response. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object().put("error", error).put("message", getMessage());
        if (field != null) {
            json.put("field", field);
        }
        return json;
    }

    /** Answers the request with this problem. */
    public void writeTo(Context ctx) {
        ctx.status(status).contentType("application/json").result(Json.text(toJson()));
    }

    public static Problem badRequest(String error, String message) {
        return new Problem(400, error, message);
    }

    public static Problem notFound(String message) {
        return new Problem(404, "NOT_FOUND", message);
    }
}
