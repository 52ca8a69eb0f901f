package io.factstream.gateway.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The OpenAPI 3.1 document of the gateway, written from the same routes Javalin serves. */
public final class OpenApi {

    private OpenApi() {
    }

    public static ObjectNode of(List<ApiRoute> routes, String version) {
        ObjectNode doc = Json.object().put("openapi", "3.1.0");
        doc.putObject("info").put("title", "factstream gateway").put("version", version)
                .put("description", "Commands answered with their outcome, views and the event store queried "
                        + "with read-your-writes, and live subscriptions over Server-Sent Events. Authenticate "
                        + "with a bearer token, HTTP basic (user id and token), or the session cookie.");
        ObjectNode schemes = doc.putObject("components").putObject("securitySchemes");
        schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
        schemes.putObject("basic").put("type", "http").put("scheme", "basic");
        schemes.putObject("session").put("type", "apiKey").put("in", "cookie")
                .put("name", ApiRoute.SESSION_COOKIE);
        ObjectNode paths = doc.putObject("paths");
        for (ApiRoute route : routes) {
            ObjectNode operation = paths.withObjectProperty(route.path()).putObject(route.method().name().toLowerCase());
            operation.putArray("tags").add(route.tag());
            operation.put("summary", route.summary());
            operation.put("operationId", operationId(route));
            ArrayNode parameters = operation.putArray("parameters");
            for (ApiRoute.Parameter parameter : route.parameters()) {
                parameters.addObject().put("name", parameter.name())
                        .put("in", parameter.in().name().toLowerCase())
                        .put("required", parameter.required())
                        .put("description", parameter.description())
                        .putObject("schema").put("type", "string");
            }
            if (route.body() != null) {
                operation.putObject("requestBody").put("required", true).putObject("content")
                        .putObject("application/json").set("schema", JsonSchemas.of(route.body()));
            }
            ObjectNode responses = operation.putObject("responses");
            route.responses().forEach((status, meaning) -> {
                ObjectNode response = responses.putObject(status.toString()).put("description", meaning);
                String type = route.eventStream() && status == 200 ? "text/event-stream" : "application/json";
                if (status != 204) {
                    response.putObject("content").putObject(type);
                }
            });
            ArrayNode security = operation.putArray("security");
            if (route.access() == ApiRoute.Access.USER) {
                security.addObject().putArray("bearer");
                security.addObject().putArray("basic");
                security.addObject().putArray("session");
            }
        }
        return doc;
    }

    private static String operationId(ApiRoute route) {
        return route.method().name().toLowerCase() + route.path().replaceAll("[{}]", "")
                .replaceAll("[^A-Za-z0-9]+", "_");
    }
}
