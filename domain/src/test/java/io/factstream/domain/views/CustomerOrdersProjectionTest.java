package io.factstream.domain.views;

import static io.factstream.kernel.view.ViewEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.WalletOpened;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.shared.Menu;
import io.factstream.views.CustomerOrdersRow;

class CustomerOrdersProjectionTest {

    private final CustomerOrdersProjection projection = new CustomerOrdersProjection();

    private static OrderPlaced placed(long total) {
        return new OrderPlaced("ada", List.of(new PricedOrderLine("MARINARA", PizzaSize.SMALL, 1, total, total)),
                total, new Address("Via Roma 1", "Napoli", "80100"), null);
    }

    private static final List<EventEnvelope> ORDERS = List.of(
            event("order-1", 1, 1, placed(700L)), event("order-1", 2, 9, new OrderCompleted(700L)),
            event("order-2", 1, 2, placed(900L)), event("order-2", 2, 3, new OrderRejected("declined")),
            event("order-3", 1, 4, placed(800L)),
            event("order-4", 1, 5, placed(950L)),
            event("order-4", 2, 6, new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null)));
    private static final List<EventEnvelope> WALLET = List.of(
            event("ada", 1, 0, new WalletOpened("ada")),
            event("ada", 2, 0, new WalletToppedUp(2_000L, 2_000L)),
            event("ada", 3, 1, new PaymentAuthorized("order-1", Menu.amount(700L), Menu.amount(1_300L))),
            event("ada", 4, 9, new PaymentCaptured("order-1", 700L, 1_300L)));

    @Test
    void countsOrdersByOutcomeAndTracksSpendAndBalance() {
        CustomerOrdersRow row = fold(concat(ORDERS, WALLET));

        assertThat(row.getOrders()).isEqualTo(Map.of("order-1", "COMPLETED", "order-2", "REJECTED",
                "order-3", "PLACED", "order-4", "CANCELLED"));
        assertThat(row.getActiveOrders()).containsExactly("order-3");
        assertThat(row.getCompleted()).isEqualTo(1);
        assertThat(row.getRejected()).isEqualTo(1);
        assertThat(row.getCancelled()).isEqualTo(1);
        assertThat(row.getLifetimeSpendCents()).isEqualTo(700L);
        assertThat(row.getWalletBalanceCents()).isEqualTo(1_300L);
    }

    @Test
    void isTheSameRowByteForByteWhateverOrderTheAggregatesInterleaveIn() {
        SingleObjectCodec<CustomerOrdersRow> codec = SingleObjectCodec.forType(CustomerOrdersRow.class);
        byte[] expected = codec.encode(fold(concat(ORDERS, WALLET)));
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            // each aggregate's events in their order, the aggregates interleaved at random
            Map<String, Deque<EventEnvelope>> byAggregate = new TreeMap<>();
            concat(ORDERS, WALLET).forEach(e ->
                    byAggregate.computeIfAbsent(e.getAggregateId(), a -> new ArrayDeque<>()).add(e));
            List<Deque<EventEnvelope>> queues = new ArrayList<>(byAggregate.values());
            List<EventEnvelope> events = new ArrayList<>();
            while (!queues.isEmpty()) {
                Deque<EventEnvelope> queue = queues.get(random.nextInt(queues.size()));
                events.add(queue.poll());
                if (queue.isEmpty()) {
                    queues.remove(queue);
                }
            }
            assertThat(codec.encode(fold(events))).isEqualTo(expected);
        }
    }

    @Test
    void anOlderWalletEventNeverOverwritesANewerBalance() {
        CustomerOrdersRow newer = projection.project("ada", null, WALLET.get(3));

        CustomerOrdersRow row = projection.project("ada", newer, WALLET.get(1));

        assertThat(row.getWalletBalanceCents()).isEqualTo(1_300L);
    }

    private CustomerOrdersRow fold(List<EventEnvelope> events) {
        CustomerOrdersRow row = null;
        for (EventEnvelope event : events) {
            row = projection.project("ada", row, event);
        }
        return row;
    }

    private static List<EventEnvelope> concat(List<EventEnvelope> a, List<EventEnvelope> b) {
        List<EventEnvelope> all = new ArrayList<>(a);
        all.addAll(b);
        return Collections.unmodifiableList(all);
    }
}
