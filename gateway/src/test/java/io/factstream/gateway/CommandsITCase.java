package io.factstream.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.kafka.audit.AuditReport;
import io.factstream.kafka.audit.InvariantAuditor;
import io.factstream.kafka.read.CommittedReader;

/**
 * Commands over HTTP on the running platform: answered with their outcome in one call, idempotent by key, guarded
 * by version, authorized by the aggregate, authenticated by the gateway, and refused before Kafka when malformed.
 */
class CommandsITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static GatewayTestPlatform platform;
    private static GatewayClient client;

    @BeforeAll
    static void connect() {
        platform = PLATFORM.get();
        client = new GatewayClient(platform.gateway.url());
    }

    @Test
    void aCustomerPlacesAnOrderAndGetsOrderPlacedInOneCall() throws Exception {
        GatewayClient.Response placed = client.placeOrder("customer-1", "order-http-1");

        assertThat(placed.status()).as(placed.toString()).isEqualTo(201);
        assertThat(placed.json().get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(placed.json().get("version").asLong()).isEqualTo(1);
        assertThat(placed.json().get("position").asText()).matches("orders\\.events/\\d+:\\d+");
        assertThat(placed.json().get("events")).hasSize(1);
        JsonAssert event = new JsonAssert(placed.json().get("events").get(0));
        assertThat(event.text("eventType")).isEqualTo("OrderPlaced");
        assertThat(event.text("userId")).isEqualTo("customer-1");
        assertThat(event.json().get("eventData").get("totalCents").asLong()).isEqualTo(1050);
        assertThat(placed.header("Location")).isEqualTo("/api/streams/orders/order-http-1");
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameOutcomeAndAddsNoEvent() throws Exception {
        GatewayClient.Response first = client.placeOrder("customer-2", "order-http-2", "Idempotency-Key", "k-2");
        GatewayClient.Response again = client.placeOrder("customer-2", "order-http-2", "Idempotency-Key", "k-2");

        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(eventsCausedBy(first)).hasSize(1);
        assertOrdersAuditCleanOnceSettled();
    }

    @Test
    void aRetryThroughAnInstanceThatNeverSawTheCommandFindsItsOutcomeAndTheAggregateIgnoresTheCopy()
            throws Exception {
        GatewayClient.Response first = client.placeOrder("customer-3", "order-http-3", "Idempotency-Key", "k-3");
        try (Gateway forgetful = platform.startGateway(builder -> builder.outcomeWarmUp(Duration.ZERO)
                .commandWait(Duration.ofSeconds(2)))) {
            GatewayClient other = new GatewayClient(forgetful.url());

            GatewayClient.Response again = other.placeOrder("customer-3", "order-http-3", "Idempotency-Key", "k-3");

            assertThat(again.status()).as(again.toString()).isEqualTo(201);
            assertThat(again.json()).isEqualTo(first.json());
        }
        assertThat(eventsCausedBy(first)).hasSize(1);
        assertThat(assertOrdersAuditCleanOnceSettled().resentCommands()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aStaleIfMatchIsAConcurrencyConflict() throws Exception {
        assertThat(client.placeOrder("customer-4", "order-http-4").status()).isEqualTo(201);

        GatewayClient.Response cancel = client.post("customer-4", "/api/orders/order-http-4/CancelOrder",
                "{\"reason\": \"CUSTOMER_REQUEST\", \"comment\": \"changed my mind\"}", "If-Match", "0");

        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(409);
        assertThat(cancel.json().get("reason").asText()).isEqualTo("CONCURRENCY_CONFLICT");
        assertThat(cancel.json().get("message").asText()).contains("0").contains("1");
    }

    @Test
    void aCustomerMayNotConfirmAnOrder() throws Exception {
        assertThat(client.placeOrder("customer-5", "order-http-5").status()).isEqualTo(201);

        GatewayClient.Response confirm = client.post("customer-5", "/api/orders/order-http-5/ConfirmOrder",
                "{\"authorizedAmountCents\": 1050}");

        assertThat(confirm.status()).as(confirm.toString()).isEqualTo(403);
        assertThat(confirm.json().get("reason").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(confirm.json().get("message").asText()).contains("CUSTOMER");
    }

    @Test
    void aCustomerMayNotActForAnother() throws Exception {
        GatewayClient.Response placed = client.post("customer-6", "/api/orders/order-http-6/PlaceOrder",
                GatewayClient.placeOrder("customer-7"));

        assertThat(placed.status()).as(placed.toString()).isEqualTo(403);
        assertThat(placed.json().get("message").asText()).contains("customer-6").contains("customer-7");
    }

    @Test
    void noOrWrongCredentialsAre401() throws Exception {
        GatewayClient.Response anonymous = client.post(null, "/api/orders/order-x/PlaceOrder",
                GatewayClient.placeOrder("customer-1"));
        GatewayClient.Response wrongToken = client.send(client.request(null, "/api/me")
                .header("Authorization", "Bearer not-a-token").GET());
        GatewayClient.Response wrongBasic = client.send(client.request(null, "/api/me")
                .header("Authorization", GatewayClient.basic("customer-1", "guess")).GET());
        GatewayClient.Response rightBasic = client.send(client.request(null, "/api/me")
                .header("Authorization", GatewayClient.basic("customer-1",
                        GatewayTestPlatform.token("customer-1"))).GET());

        assertThat(List.of(anonymous.status(), wrongToken.status(), wrongBasic.status())).containsOnly(401);
        assertThat(anonymous.json().get("error").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(rightBasic.status()).isEqualTo(200);
        assertThat(rightBasic.json().get("roles").get(0).asText()).isEqualTo("CUSTOMER");
    }

    @Test
    void malformedCommandsAre400NamingTheProblemAndNothingReachesKafka() throws Exception {
        Map<TopicPartition, Long> before = commandTopicEnds();
        String place = "/api/orders/order-bad/PlaceOrder";

        GatewayClient.Response malformed = client.post("customer-1", place, "{\"customerId\": ");
        GatewayClient.Response unknownType = client.post("customer-1", "/api/orders/order-bad/BakeOrder", "{}");
        GatewayClient.Response otherContext = client.post("customer-1", "/api/orders/order-bad/TopUpWallet",
                "{\"amountCents\": 5}");
        GatewayClient.Response unknownContext = client.post("customer-1", "/api/pizzas/order-bad/PlaceOrder", "{}");
        GatewayClient.Response wrongType = client.post("customer-1", place, GatewayClient.placeOrder("customer-1")
                .replace("\"quantity\": 1", "\"quantity\": \"one\""));
        GatewayClient.Response unknownField = client.post("customer-1", place, GatewayClient.placeOrder("customer-1")
                .replace("\"deliveryInstructions\": null", "\"tip\": 5"));
        GatewayClient.Response missingField = client.post("customer-1", place,
                "{\"customerId\": \"customer-1\", \"lines\": []}");
        GatewayClient.Response badSymbol = client.post("customer-1", place, GatewayClient.placeOrder("customer-1")
                .replace("MEDIUM", "HUGE"));
        // Over the 64 KiB limit, yet small enough for the socket to take it whole: the gateway answers from the
        // headers and closes the connection, and a client still writing megabytes could miss that answer.
        GatewayClient.Response huge = client.post("customer-1", place, "{\"customerId\": \"" + "x".repeat(80 << 10)
                + "\"}");
        GatewayClient.Response badIfMatch = client.post("customer-1", place, GatewayClient.placeOrder("customer-1"),
                "If-Match", "latest");

        assertThat(List.of(malformed, unknownType, otherContext, unknownContext, wrongType, unknownField,
                missingField, badSymbol, huge, badIfMatch)).allSatisfy(r -> assertThat(r.status()).as(r.toString())
                .isEqualTo(400));
        assertThat(malformed.json().get("error").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(malformed.json().get("message").asText()).contains("line 1");
        assertThat(unknownType.json().get("error").asText()).isEqualTo("UNKNOWN_COMMAND");
        assertThat(unknownType.json().get("message").asText()).contains("BakeOrder").contains("PlaceOrder");
        assertThat(otherContext.json().get("message").asText()).contains("TopUpWallet is a command of payments");
        assertThat(unknownContext.json().get("error").asText()).isEqualTo("UNKNOWN_CONTEXT");
        assertThat(wrongType.json().get("field").asText()).isEqualTo("PlaceOrder.lines[0].quantity");
        assertThat(wrongType.json().get("message").asText()).contains("whole number").contains("\"one\"");
        assertThat(unknownField.json().get("field").asText()).isEqualTo("PlaceOrder.tip");
        assertThat(missingField.json().get("field").asText()).isEqualTo("PlaceOrder.deliveryAddress");
        assertThat(missingField.json().get("message").asText()).contains("missing");
        assertThat(badSymbol.json().get("field").asText()).isEqualTo("PlaceOrder.lines[0].size");
        assertThat(huge.json().get("error").asText()).isEqualTo("BODY_TOO_LARGE");
        assertThat(badIfMatch.json().get("field").asText()).isEqualTo("If-Match");
        assertThat(client.placeOrder("customer-1", "order-good-after").status()).isEqualTo(201);
        List<String> subjects = commandSubjectsSince(before);
        assertThat(subjects).contains("order-good-after").doesNotContain("order-bad");
    }

    @Test
    void theOutcomeOfACommandCanBeFetchedAgainByItsSenderOnly() throws Exception {
        GatewayClient.Response placed = client.placeOrder("customer-8", "order-http-8");
        String location = "/api/commands/orders/order-http-8/" + placed.json().get("commandId").asText();

        GatewayClient.Response again = client.get("customer-8", location);
        GatewayClient.Response other = client.get("customer-9", location);
        GatewayClient.Response support = client.get("support-1", location);
        GatewayClient.Response unknown = client.get("customer-8", "/api/commands/orders/order-http-8/"
                + UUID.randomUUID());

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(placed.json());
        assertThat(other.status()).isEqualTo(404);
        assertThat(support.status()).isEqualTo(201);
        assertThat(unknown.status()).isEqualTo(202);
        assertThat(unknown.header("Retry-After")).isEqualTo("1");
    }

    /** The events in the event store caused by the command an answer is about. */
    private static List<EventEnvelope> eventsCausedBy(GatewayClient.Response answer) throws Exception {
        SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);
        List<EventEnvelope> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : reader().readKey(BoundedContext.ORDERS.eventsTopic(),
                answer.json().get("aggregateId").asText())) {
            EventEnvelope event = codec.decode(record.value());
            if (event.getCausationId().equals(answer.json().get("commandId").asText())) {
                events.add(event);
            }
        }
        return events;
    }

    /**
     * The orders audit once the commands in flight are answered. The saga keeps sending orders commands for the
     * orders the other tests placed, so a command written a moment ago may not be answered yet; a duplicate or a
     * sequence gap never heals, so waiting cannot hide one.
     */
    private static AuditReport assertOrdersAuditCleanOnceSettled() {
        AtomicReference<AuditReport> audit = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            audit.set(new InvariantAuditor().audit(reader(), BoundedContext.ORDERS));
            assertThat(audit.get().ok()).as(audit.get().lines().toString()).isTrue();
        });
        return audit.get();
    }

    private static CommittedReader reader() {
        return new CommittedReader(platform.bootstrapServers(), Duration.ofSeconds(30));
    }

    private static Map<TopicPartition, Long> commandTopicEnds() {
        return platform.platform.kafka().endOffsets(
                Arrays.stream(BoundedContext.values()).map(BoundedContext::commandsTopic).toList());
    }

    /** The keys (subjects) of every command written to any commands topic since these offsets. */
    private static List<String> commandSubjectsSince(Map<TopicPartition, Long> offsets) {
        List<String> subjects = new ArrayList<>();
        reader().readFrom(offsets, record -> subjects.add(new String(record.key(), UTF_8)));
        return subjects;
    }

    /** A JSON object's text fields. */
    private record JsonAssert(JsonNode json) {
        String text(String field) {
            return json.get(field).asText();
        }
    }
}
