package io.factstream.jobs.view;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.domain.Views;
import io.factstream.kernel.view.ViewEvents;
import io.factstream.views.KitchenQueueRow;
import io.factstream.views.OrderStatusRow;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;

/**
 * The view operator in Flink's keyed operator test harness: versions per key, no-ops, deletion, and rows that end
 * the same whatever order the contexts' events arrive in.
 */
class ViewProcessorTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private KeyedOneInputStreamOperatorTestHarness<String, ViewInput, ViewRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ViewProcessor<>(Views.KITCHEN_QUEUE)),
                ViewInput::getKey, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void numbersEveryChangeOfARowAndDeletesItWithALastVersion() throws Exception {
        input("t-1", 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 1))));
        input("t-2", 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 2))));
        input("t-1", 2, new PreparationStarted("carlo"));
        input("t-1", 3, new TicketPrepared("carlo"));

        List<ViewRow> versions = harness.extractOutputValues();
        assertThat(versions).extracting(r -> r.getKey() + " v" + r.getVersion() + " " + (r.getRow() == null ? "deleted"
                : ((KitchenQueueRow) r.getRow()).getStatus()))
                .containsExactly("t-1 v1 WAITING", "t-2 v1 WAITING", "t-1 v2 IN_PREPARATION", "t-1 v3 deleted");
        assertThat(versions.get(3).getView()).isEqualTo("kitchen-queue");
        assertThat(harness.numKeyedStateEntries()).as("a deleted row keeps no state").isEqualTo(1);
    }

    @Test
    void anEventThatChangesNothingMakesNoVersion() throws Exception {
        input("t-1", 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 1))));
        input("t-1", 2, new OrderConfirmed(900L));
        input("t-9", 1, new TicketPrepared("carlo"));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void endsWithTheSameRowWhateverOrderTheContextsEventsArriveIn() throws Exception {
        List<EventEnvelope> events = List.of(
                ViewEvents.event("t-1", 1, 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 1)))),
                ViewEvents.event("order-1", 2, 2, new OrderConfirmed(900L)),
                ViewEvents.event("t-1", 2, 3, new PreparationStarted("carlo")));
        List<ViewRow> inOrder = fold(events, "order-1");
        List<ViewRow> reversed = fold(List.of(events.get(1), events.get(0), events.get(2)), "order-1");

        assertThat(reversed.get(reversed.size() - 1)).isEqualTo(inOrder.get(inOrder.size() - 1));
        assertThat(inOrder.get(inOrder.size() - 1).getUpdatedAt()).as("the latest event's time")
                .isEqualTo(ViewEvents.T0.plusSeconds(3));
    }

    /** The versions a fresh order-status operator makes of one row from these events, in this order. */
    private static List<ViewRow> fold(List<EventEnvelope> events, String key) throws Exception {
        try (var orderStatus = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ViewProcessor<>(Views.ORDER_STATUS)),
                ViewInput::getKey, Types.STRING)) {
            orderStatus.open();
            for (EventEnvelope event : events) {
                orderStatus.processElement(new ViewInput(key, event), event.getSequenceNumber());
            }
            return orderStatus.extractOutputValues();
        }
    }

    private void input(String key, long sequence, SpecificRecord data) throws Exception {
        EventType type = EventCatalog.get().eventTypeOf(data);
        String id = UUID.nameUUIDFromBytes((key + sequence).getBytes(UTF_8)).toString();
        EventEnvelope event = new EventEnvelope(id, key, sequence, T0.plusSeconds(sequence), key, type.name(),
                type.aggregateType(), "command-" + id, "someone", type.version(), data);
        harness.processElement(new ViewInput(key, event), T0.toEpochMilli());
    }
}
