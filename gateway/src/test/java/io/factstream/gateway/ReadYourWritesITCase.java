package io.factstream.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-your-writes: a client that reads a view with the position its command returned never reads a row older
 * than its own write, however far behind the view is when it asks.
 */
class ReadYourWritesITCase {

    @RegisterExtension
    static final GatewayTestPlatform.Shared PLATFORM = new GatewayTestPlatform.Shared();

    private static GatewayClient client;

    @BeforeAll
    static void connect() {
        client = new GatewayClient(PLATFORM.get().gateway.url());
    }

    @Test
    void oneHundredPlaceThenReadPairsReadNoStaleRow() throws Exception {
        List<String> stale = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        List<Long> commands = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            String customer = "customer-" + (100 + i);
            String orderId = "order-ryw-" + i;
            long sent = System.nanoTime();
            GatewayClient.Response placed = client.placeOrder(customer, orderId);
            long placedAt = System.nanoTime();
            assertThat(placed.status()).as(placed.toString()).isEqualTo(201);
            String after = URLEncoder.encode(placed.json().get("position").asText(), UTF_8);

            long start = System.nanoTime();
            GatewayClient.Response order = client.get(customer, "/api/views/order-status/" + orderId + "?after=" + after);
            GatewayClient.Response orders = client.get(customer, "/api/views/customer-orders/" + customer + "?after="
                    + after);
            waits.add((System.nanoTime() - start) / 1_000_000);
            commands.add((placedAt - sent) / 1_000_000);

            // The order's first event is the OrderPlaced of this write: any row of the order has applied it.
            if (order.status() != 200 || order.json().get("row").get("customerId").isNull()) {
                stale.add(orderId + " in order-status: " + order);
            }
            if (orders.status() != 200 || !orders.json().get("row").get("orders").has(orderId)) {
                stale.add(orderId + " in customer-orders: " + orders);
            }
        }
        waits.sort(Long::compare);
        commands.sort(Long::compare);
        System.out.printf("read-your-writes, checkpoints every 200 ms: 100 pairs, 200 reads, %d stale; command p50 %d ms,"
                        + " p99 %d ms; both reads p50 %d ms, p99 %d ms%n", stale.size(), commands.get(49),
                commands.get(98), waits.get(49), waits.get(98));
        assertThat(stale).isEmpty();
    }

    @Test
    void aPositionTheViewsNeverReachIsAnsweredWithATimeoutNotAStaleRow() throws Exception {
        try (Gateway impatient = PLATFORM.get().startGateway(builder -> builder.readWait(Duration.ofSeconds(1)))) {
            GatewayClient other = new GatewayClient(impatient.url());

            GatewayClient.Response read = other.get("customer-1", "/api/views/order-status/order-http-1?after="
                    + URLEncoder.encode("orders.events/0:999999999", UTF_8));
            GatewayClient.Response badPosition = other.get("customer-1", "/api/views/order-status/x?after=nowhere");

            assertThat(read.status()).as(read.toString()).isEqualTo(504);
            assertThat(read.json().get("error").asText()).isEqualTo("VIEW_BEHIND");
            assertThat(badPosition.status()).isEqualTo(400);
            assertThat(badPosition.json().get("field").asText()).isEqualTo("after");
        }
    }
}
