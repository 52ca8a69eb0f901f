package io.factstream.jobs.view;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
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
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.kernel.view.ViewWithABug;
import io.factstream.kernel.view.ViewEvents;
import io.factstream.log.ParkedInput;
import io.factstream.log.RedriveRequest;
import io.factstream.views.KitchenQueueRow;
import io.factstream.views.OrderStatusRow;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;

/**
 * The view operator in Flink's keyed operator test harness: versions per key, no-ops, deletion, rows that end the
 * same whatever order the contexts' events arrive in, and a row parked by a projection that throws, then redriven
 * by the fixed one after a restore.
 */
class ViewProcessorTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private KeyedTwoInputStreamOperatorTestHarness<String, ViewInput, RedriveRequest, ViewRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(Views.KITCHEN_QUEUE, null);
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

    @Test
    void aProjectionThatThrowsForOneRowParksItAloneAndARedriveAfterTheFixFoldsItsEventsAsTheFixWould()
            throws Exception {
        harness.close();
        harness = harness(buggy(Views.KITCHEN_QUEUE, "t-1"), null);
        input("t-1", 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 1))));
        input("t-2", 1, new TicketOpened(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 2))));
        input("t-1", 2, new PreparationStarted("carlo"));
        input("t-1", 3, new TicketPrepared("carlo"));
        input("t-2", 2, new PreparationStarted("carlo"));
        assertThat(versions()).as("t-1 stops at its first version, t-2 flows")
                .containsExactly("t-1 v1 WAITING", "t-2 v1 WAITING", "t-2 v2 IN_PREPARATION");
        assertThat(parked()).extracting(p -> p.getKey() + " " + p.getStatus() + " #" + p.getIndex() + " "
                        + ((EventEnvelope) p.getInput()).getEventType())
                .containsExactly("t-1 PARKED #0 PreparationStarted", "t-1 PARKED #1 TicketPrepared");
        assertThat(parked().get(0).getError()).isEqualTo("java.lang.IllegalStateException: a bug in t-1");
        assertThat(parked().get(0).getStackTrace()).contains("ViewProcessorTest");

        // The fixed projection restores the buggy one's state, as after an upgrade through a savepoint.
        OperatorSubtaskState savepoint = harness.snapshot(1L, 1L);
        harness.close();
        harness = harness(Views.KITCHEN_QUEUE, savepoint);
        harness.processElement2(new RedriveRequest("kitchen-queue", "t-1", T0), T0.toEpochMilli());
        harness.processElement2(new RedriveRequest("kitchen-queue", "t-1", T0), T0.toEpochMilli());

        assertThat(versions()).as("the versions a projection without the bug makes, once")
                .containsExactly("t-1 v2 IN_PREPARATION", "t-1 v3 deleted");
        assertThat(parked()).extracting(p -> p.getKey() + " " + p.getStatus() + " #" + p.getIndex())
                .containsExactly("t-1 UNPARKED #2");
        assertThat(harness.numKeyedStateEntries()).as("t-2's row, nothing of t-1's quarantine").isEqualTo(1);
    }

    /** The versions a fresh order-status operator makes of one row from these events, in this order. */
    private static List<ViewRow> fold(List<EventEnvelope> events, String key) throws Exception {
        try (var orderStatus = harness(Views.ORDER_STATUS, null)) {
            for (EventEnvelope event : events) {
                orderStatus.processElement1(new ViewInput(key, event), event.getSequenceNumber());
            }
            return orderStatus.extractOutputValues();
        }
    }

    /** The versions emitted since the last call, as key, version and status. */
    private List<String> versions() {
        List<String> versions = harness.extractOutputValues().stream().map(r -> r.getKey() + " v" + r.getVersion()
                + " " + (r.getRow() == null ? "deleted" : ((KitchenQueueRow) r.getRow()).getStatus())).toList();
        harness.getOutput().clear();
        return versions;
    }

    /** The parked records emitted since the last call. */
    private List<ParkedInput> parked() {
        var records = harness.getSideOutput(KeyQuarantine.PARKED);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static <R extends SpecificRecord> KeyedTwoInputStreamOperatorTestHarness<String, ViewInput,
            RedriveRequest, ViewRow> harness(ViewDefinition<R> view, OperatorSubtaskState restoreFrom)
            throws Exception {
        var opened = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(
                new ViewProcessor<>(view)), ViewInput::getKey, RedriveRequest::getKey, Types.STRING);
        opened.setup();
        if (restoreFrom != null) {
            opened.initializeState(restoreFrom);
        }
        opened.open();
        return opened;
    }

    /** The view with a bug: its projection throws on the preparation of one ticket. */
    private static <R extends SpecificRecord> ViewDefinition<R> buggy(ViewDefinition<R> fixed, String ticket) {
        return ViewWithABug.of(fixed, (key, event) -> key.equals(ticket)
                && event.getEventType().equals("PreparationStarted"), "a bug in " + ticket);
    }

    private void input(String key, long sequence, SpecificRecord data) throws Exception {
        EventType type = EventCatalog.get().eventTypeOf(data);
        String id = UUID.nameUUIDFromBytes((key + sequence).getBytes(UTF_8)).toString();
        EventEnvelope event = new EventEnvelope(id, key, sequence, T0.plusSeconds(sequence), key, type.name(),
                type.aggregateType(), "command-" + id, "someone", type.version(), data);
        harness.processElement1(new ViewInput(key, event), T0.toEpochMilli());
    }
}
