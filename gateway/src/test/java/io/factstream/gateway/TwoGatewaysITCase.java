package io.factstream.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.factstream.gateway.live.EventStreamClient;

/**
 * Two gateways behind one (imagined) load balancer: a request may land on either, and the answer is the same.
 * Each instance follows the outcome and view topics itself, so none depends on which one took the command.
 */
class TwoGatewaysITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static Gateway second;
    private static GatewayClient a;
    private static GatewayClient b;

    @BeforeAll
    static void start() {
        second = PLATFORM.get().startGateway(builder -> builder);
        a = new GatewayClient(PLATFORM.get().gateway.url());
        b = new GatewayClient(second.url());
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
    }

    @Test
    void aCommandSentThroughOneIsKnownToTheOther() throws Exception {
        GatewayClient.Response placed = a.placeOrder("customer-50", "order-two-1", "Idempotency-Key", "two-1");
        assertThat(placed.status()).isEqualTo(201);

        GatewayClient.Response outcome = b.get("customer-50", "/api/commands/orders/order-two-1/"
                + placed.json().get("commandId").asText());
        long start = System.nanoTime();
        GatewayClient.Response retried = b.placeOrder("customer-50", "order-two-1", "Idempotency-Key", "two-1");
        long retryMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(outcome.status()).isEqualTo(201);
        assertThat(outcome.json()).isEqualTo(placed.json());
        assertThat(retried.json()).isEqualTo(placed.json());
        assertThat(retryMillis).as("answered from what the second instance followed, not after a wait")
                .isLessThan(Duration.ofSeconds(5).toMillis());
    }

    @Test
    void aWriteThroughOneIsReadAndWatchedThroughTheOther() throws Exception {
        EventStreamClient watching = b.live("customer-51", "/api/live/views/order-status/order-two-2", null);
        Awaitility.await().until(watching::connected);

        GatewayClient.Response placed = a.placeOrder("customer-51", "order-two-2");
        GatewayClient.Response read = b.get("customer-51", "/api/views/order-status/order-two-2?after="
                + URLEncoder.encode(placed.json().get("position").asText(), UTF_8));

        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        Awaitility.await("the other instance's subscriber sees the write").atMost(Duration.ofSeconds(10))
                .until(() -> !watching.messages().isEmpty());
        assertThat(watching.messages().get(0).json().get("version").asLong()).isEqualTo(1);
        watching.disconnect();
    }
}
