package io.factstream.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.gateway.commands.CommandRoutes;

/** The OpenAPI document served at {@code /api/openapi.json} describes exactly the routes the gateway serves. */
class OpenApiITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static GatewayClient client;
    private static JsonNode document;

    @BeforeAll
    static void fetch() throws Exception {
        client = new GatewayClient(PLATFORM.get().gateway.url());
        GatewayClient.Response response = client.get(null, "/api/openapi.json");
        assertThat(response.status()).isEqualTo(200);
        document = response.json();
    }

    @Test
    void everyServedRouteIsDescribedAndEveryDescribedRouteIsServed() {
        Set<String> described = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> described.add(method.toUpperCase() + " "
                    + path.getKey()));
        }

        assertThat(described).isEqualTo(new HashSet<>(PLATFORM.get().gateway.servedRoutes()));
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void everyCommandTypeHasItsRouteWithItsSchema() {
        for (CommandType type : EventCatalog.get().commandTypes()) {
            JsonNode operation = document.get("paths").get(CommandRoutes.path(type)).get("post");
            assertThat(operation).as(type.name()).isNotNull();
            JsonNode schema = operation.get("requestBody").get("content").get("application/json").get("schema");
            assertThat(schema.get("title").asText()).isEqualTo(type.name());
            List<String> fields = new ArrayList<>();
            schema.get("properties").fieldNames().forEachRemaining(fields::add);
            assertThat(fields).isEqualTo(type.schema().getFields().stream().map(Schema.Field::name).toList());
            assertThat(operation.get("responses").has("201")).isTrue();
            assertThat(operation.get("security")).isNotEmpty();
        }
    }

    @Test
    void everyDescribedPathParameterIsInItsPath() {
        document.get("paths").fields().forEachRemaining(path -> path.getValue().elements().forEachRemaining(
                operation -> operation.get("parameters").forEach(parameter -> {
                    if (parameter.get("in").asText().equals("path")) {
                        assertThat(path.getKey()).contains("{" + parameter.get("name").asText() + "}");
                    }
                })));
    }

    @Test
    void everyDescribedQueryIsAnsweredByTheGatewayNotByTheRouter() throws Exception {
        for (String path : List.of("/api/views", "/api/views/order-status", "/api/views/order-status/order-x",
                "/api/views/order-status/order-x/history", "/api/streams/orders/order-x", "/api/events",
                "/api/catalog", "/api/menu", "/api/health", "/api/me", "/api/commands/orders/order-x/c-1")) {
            GatewayClient.Response response = client.get("support-1", path);
            assertThat(response.json()).as(path + " answers JSON: " + response).isNotNull();
            assertThat(response.status()).as(path).isIn(200, 202, 404);
        }
    }
}
