package io.factstream.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.gateway.api.Json;
import io.factstream.gateway.live.EventStreamClient;

/** A plain HTTP client of a gateway, as a program in any language would call it: JSON over HTTP/1.1. */
final class GatewayClient {

    /** An answer: status, headers, and the body as text and as JSON (null when it is not JSON). */
    record Response(int status, Map<String, List<String>> headers, String body, JsonNode json) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    GatewayClient(URI base) {
        this.base = base;
    }

    /** A request as a test user (bearer token), or anonymous when {@code user} is null. */
    HttpRequest.Builder request(String user, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", "Bearer " + GatewayTestPlatform.token(user));
        }
        return request;
    }

    Response get(String user, String path) throws IOException, InterruptedException {
        return send(request(user, path).GET());
    }

    /** POSTs a JSON body; {@code headers} are name, value, name, value, ... */
    Response post(String user, String path, String json, String... headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = request(user, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        return new Response(response.statusCode(), response.headers().map(), response.body(), json);
    }

    /** HTTP basic credentials of a test user. */
    static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(UTF_8));
    }

    // ---- the pizza domain over HTTP --------------------------------------------------------------------------

    /** The JSON of a PlaceOrder of one medium Margherita. */
    static String placeOrder(String customer) {
        return """
                {"customerId": "%s", "lines": [{"pizza": "MARGHERITA", "size": "MEDIUM", "quantity": 1}],
                 "deliveryAddress": {"street": "1 Main Street", "city": "Brussels", "postalCode": "1000"},
                 "deliveryInstructions": null}""".formatted(customer);
    }

    Response placeOrder(String customer, String orderId, String... headers) throws IOException,
            InterruptedException {
        return post(customer, "/api/orders/" + orderId + "/PlaceOrder", placeOrder(customer), headers);
    }

    /** Follows a live feed as a test user, resuming after {@code lastEventId} unless it is null. */
    EventStreamClient live(String user, String path, String lastEventId) {
        HttpRequest.Builder request = request(user, path).timeout(Duration.ofMinutes(10)).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return EventStreamClient.open(http, request.build());
    }

    /**
     * Plays the kitchen and the courier for an order until it is delivered: as {@code cook-1}, starts and finishes
     * its ticket once the saga has opened it; as {@code courier-1}, picks it up and delivers it once the saga has
     * asked for a delivery.
     */
    void cookAndDeliver(String orderId) throws Exception {
        Awaitility.await("the ticket of " + orderId).atMost(Duration.ofSeconds(30))
                .until(() -> get("cook-1", "/api/views/kitchen-queue/" + orderId).status() == 200);
        expectAccepted(post("cook-1", "/api/kitchen/" + orderId + "/StartPreparation", "{}"));
        expectAccepted(post("cook-1", "/api/kitchen/" + orderId + "/MarkTicketPrepared", "{}"));
        Awaitility.await("the delivery of " + orderId).atMost(Duration.ofSeconds(30))
                .until(() -> get("courier-1", "/api/streams/delivery/" + orderId).json().get("events").size() > 0);
        expectAccepted(post("courier-1", "/api/delivery/" + orderId + "/PickUpDelivery", "{}"));
        expectAccepted(post("courier-1", "/api/delivery/" + orderId + "/CompleteDelivery", "{}"));
    }

    private static void expectAccepted(Response response) {
        if (response.status() != 201) {
            throw new IllegalStateException("expected 201, got " + response);
        }
    }

    /** Opens the customer's wallet and tops it up. */
    void fund(String customer, long cents) throws IOException, InterruptedException {
        List<Response> answers = new ArrayList<>();
        answers.add(post(customer, "/api/payments/" + customer + "/OpenWallet", "{}"));
        answers.add(post(customer, "/api/payments/" + customer + "/TopUpWallet", "{\"amountCents\": " + cents + "}"));
        if (answers.get(1).status() != 201) {
            throw new IllegalStateException("could not fund " + customer + ": " + answers);
        }
    }
}
