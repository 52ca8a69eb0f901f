package io.factstream.domain.views;

import static io.factstream.kernel.view.ViewEvents.T0;
import static io.factstream.kernel.view.ViewEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.views.KitchenQueueRow;

class KitchenQueueProjectionTest {

    private static final List<OrderLine> LINES = List.of(new OrderLine("DIAVOLA", PizzaSize.LARGE, 1));

    private final KitchenQueueProjection projection = new KitchenQueueProjection();

    @Test
    void aTicketWaitsThenIsPreparedThenLeavesTheQueue() {
        KitchenQueueRow waiting = projection.project("order-1", null, event("order-1", 1, 0, new TicketOpened(LINES)));
        assertThat(waiting).isEqualTo(new KitchenQueueRow("order-1", "WAITING", LINES, T0, null, null));

        KitchenQueueRow cooking = projection.project("order-1", waiting,
                event("order-1", 2, 30, new PreparationStarted("carlo")));
        assertThat(cooking.getStatus()).isEqualTo("IN_PREPARATION");
        assertThat(cooking.getStartedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(cooking.getOpenedAt()).as("its age counts from the opening").isEqualTo(T0);

        assertThat(projection.project("order-1", cooking, event("order-1", 3, 90, new TicketPrepared("carlo"))))
                .as("off the queue").isNull();
    }

    @Test
    void aCancelledTicketLeavesTheQueue() {
        KitchenQueueRow waiting = projection.project("order-1", null, event("order-1", 1, 0, new TicketOpened(LINES)));

        assertThat(projection.project("order-1", waiting, event("order-1", 2, 5, new TicketCancelled("late")))).isNull();
    }

    @Test
    void isKeyedByTicketAndConcernsKitchenEventsOnly() {
        assertThat(KitchenQueueProjection.keyOf(event("order-1", 1, 0, new TicketOpened(LINES)))).isEqualTo("order-1");
        assertThat(KitchenQueueProjection.keyOf(event("order-1", 2, 0, new OrderConfirmed(100L)))).isNull();
    }
}
