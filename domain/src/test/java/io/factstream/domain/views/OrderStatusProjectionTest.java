package io.factstream.domain.views;

import static io.factstream.kernel.view.ViewEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.delivery.DeliveryCompleted;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.DeliveryRequested;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.shared.Menu;
import io.factstream.views.OrderStatusRow;
import io.factstream.views.PaymentView;
import io.factstream.views.StepView;

class OrderStatusProjectionTest {

    private static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");

    private final OrderStatusProjection projection = new OrderStatusProjection();

    /** A completed order's events, each context's in its own order: orders, payments (wallet ada), kitchen, delivery. */
    private static final List<List<EventEnvelope>> BY_CONTEXT = List.of(
            List.of(event("order-1", 1, 0, new OrderPlaced("ada",
                            List.of(new PricedOrderLine("FUNGHI", PizzaSize.SMALL, 2, 900L, 1800L)), 1800L, ADDRESS,
                            null)),
                    event("order-1", 2, 0, new OrderConfirmed(1800L)),
                    event("order-1", 3, 60, new OrderDispatched("carla")),
                    event("order-1", 4, 90, new OrderCompleted(1800L))),
            List.of(event("ada", 7, 0, new PaymentAuthorized("order-1", Menu.amount(1800L), Menu.amount(200L))),
                    event("ada", 8, 90, new PaymentCaptured("order-1", 1800L, 200L))),
            List.of(event("order-1", 1, 0, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 2)))),
                    event("order-1", 2, 10, new PreparationStarted("carlo")),
                    event("order-1", 3, 40, new TicketPrepared("carlo"))),
            List.of(event("order-1", 1, 40, new DeliveryRequested("ada", ADDRESS, null)),
                    event("order-1", 2, 60, new DeliveryPickedUp("carla")),
                    event("order-1", 3, 90, new DeliveryCompleted("carla"))));

    @Test
    void joinsTheFourContextsByOrderId() {
        OrderStatusRow row = fold(inContextOrder());

        assertThat(row.getCustomerId()).isEqualTo("ada");
        assertThat(row.getStatus()).isEqualTo("COMPLETED");
        assertThat(row.getTotalCents()).isEqualTo(1800L);
        assertThat(row.getPayment()).isEqualTo(new PaymentView("CAPTURED", 1800L, null));
        assertThat(row.getKitchen()).isEqualTo(new StepView("PREPARED", "carlo"));
        assertThat(row.getDelivery()).isEqualTo(new StepView("COMPLETED", "carla"));
        assertThat(row.getTimeline()).hasSize(12);
        assertThat(row.getTimeline()).isSortedAccordingTo((a, b) -> a.getAt().compareTo(b.getAt()));
    }

    @Test
    void isTheSameRowWhateverOrderTheContextsInterleaveIn() {
        OrderStatusRow expected = fold(inContextOrder());
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            assertThat(fold(interleaved(random))).isEqualTo(expected);
        }
    }

    @Test
    void keepsWhatItKnowsWhenADeliveryEventComesBeforeTheOrder() {
        OrderStatusRow early = projection.project("order-1", null, BY_CONTEXT.get(3).get(0));

        assertThat(early.getDelivery().getStatus()).isEqualTo("REQUESTED");
        assertThat(early.getStatus()).as("not known yet").isNull();
        OrderStatusRow later = projection.project("order-1", early, BY_CONTEXT.get(0).get(0));
        assertThat(later.getStatus()).isEqualTo("PLACED");
        assertThat(later.getDelivery().getStatus()).isEqualTo("REQUESTED");
    }

    @Test
    void isKeyedByOrderAndIgnoresWalletEventsWithoutAnOrder() {
        assertThat(OrderStatusProjection.keyOf(BY_CONTEXT.get(1).get(0))).isEqualTo("order-1");
        assertThat(OrderStatusProjection.keyOf(BY_CONTEXT.get(2).get(0))).isEqualTo("order-1");
        assertThat(OrderStatusProjection.keyOf(event("ada", 1, 0, new WalletToppedUp(100L, 100L)))).isNull();
    }

    private OrderStatusRow fold(List<EventEnvelope> events) {
        OrderStatusRow row = null;
        for (EventEnvelope event : events) {
            row = projection.project("order-1", row, event);
        }
        return row;
    }

    private static List<EventEnvelope> inContextOrder() {
        List<EventEnvelope> all = new ArrayList<>();
        BY_CONTEXT.forEach(all::addAll);
        return all;
    }

    /** A random interleaving that keeps each context's events in their order. */
    private static List<EventEnvelope> interleaved(Random random) {
        List<Integer> draws = new ArrayList<>();
        for (int c = 0; c < BY_CONTEXT.size(); c++) {
            draws.addAll(Collections.nCopies(BY_CONTEXT.get(c).size(), c));
        }
        Collections.shuffle(draws, random);
        int[] next = new int[BY_CONTEXT.size()];
        List<EventEnvelope> events = new ArrayList<>();
        draws.forEach(c -> events.add(BY_CONTEXT.get(c).get(next[c]++)));
        return events;
    }
}
