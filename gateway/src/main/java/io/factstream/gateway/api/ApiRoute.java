package io.factstream.gateway.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.Schema;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One route of the gateway's API and its description: the handler Javalin runs and what the OpenAPI document says
 * about it come from the same value, so that the two cannot drift apart.
 *
 * @param method      the HTTP method
 * @param path        the path, with parameters in braces: {@code /api/views/{view}/{key}}
 * @param tag         the group the route belongs to in the documentation
 * @param summary     what the route does, in one line
 * @param access      who may call it
 * @param parameters  its path, query and header parameters
 * @param body        the Avro schema of its JSON request body, or null
 * @param responses   its responses by status, each with what it means
 * @param eventStream whether it answers with a stream of Server-Sent Events
 * @param handler     what it does
 */
public record ApiRoute(HandlerType method, String path, String tag, String summary, Access access,
                       List<Parameter> parameters, Schema body, Map<Integer, String> responses, boolean eventStream,
                       Handler handler) {

    /** The cookie a browser's login sets: it authenticates like a bearer token. */
    public static final String SESSION_COOKIE = "factstream_token";

    /** Who may call a route. */
    public enum Access {
        /** Anybody: health, documentation, logging in. */
        ANYONE,
        /** A user with a bearer token, HTTP basic or the {@link #SESSION_COOKIE}; else 401. */
        USER
    }

    /** Where a parameter is. */
    public enum In { PATH, QUERY, HEADER }

    /** A parameter of a route. */
    public record Parameter(In in, String name, String description, boolean required) {
    }

    public static Builder get(String path) {
        return new Builder(HandlerType.GET, path);
    }

    public static Builder post(String path) {
        return new Builder(HandlerType.POST, path);
    }

    public static Builder delete(String path) {
        return new Builder(HandlerType.DELETE, path);
    }

    /** Builds a route; path parameters are documented with {@link #pathParam}, the rest with their methods. */
    public static final class Builder {
        private final HandlerType method;
        private final String path;
        private String tag = "platform";
        private String summary = "";
        private Access access = Access.USER;
        private final List<Parameter> parameters = new ArrayList<>();
        private Schema body;
        private final Map<Integer, String> responses = new LinkedHashMap<>();
        private boolean eventStream;

        private Builder(HandlerType method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder tag(String tag) {
            this.tag = tag;
            return this;
        }

        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        public Builder anyone() {
            this.access = Access.ANYONE;
            return this;
        }

        public Builder pathParam(String name, String description) {
            parameters.add(new Parameter(In.PATH, name, description, true));
            return this;
        }

        public Builder query(String name, String description) {
            parameters.add(new Parameter(In.QUERY, name, description, false));
            return this;
        }

        public Builder header(String name, String description) {
            parameters.add(new Parameter(In.HEADER, name, description, false));
            return this;
        }

        public Builder body(Schema body) {
            this.body = body;
            return this;
        }

        public Builder responds(int status, String meaning) {
            responses.put(status, meaning);
            return this;
        }

        public Builder eventStream() {
            this.eventStream = true;
            return this;
        }

        public ApiRoute handler(Handler handler) {
            if (access == Access.USER) {
                responses.putIfAbsent(401, "No credentials, or wrong ones.");
            }
            return new ApiRoute(method, path, tag, summary, access, List.copyOf(parameters), body,
                    Collections.unmodifiableSortedMap(new TreeMap<>(responses)), eventStream, handler);
        }
    }
}
