package io.factstream.jobs.saga;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.delivery.DeliveryRequested;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.domain.shared.Menu;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaWithABug;
import io.factstream.log.ParkedInput;
import io.factstream.log.RedriveRequest;
import io.factstream.state.OrderFulfilmentState;

/** The saga operator in Flink's keyed operator test harness: timers set, fired, cleared; nothing left behind. */
class SagaProcessorTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration KITCHEN = Duration.ofMinutes(20);
    private static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");

    private KeyedTwoInputStreamOperatorTestHarness<String, Either<EventEnvelope, CommandRejected>, RedriveRequest,
            CommandEnvelope> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(null);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void setsFiresAndClearsTheKitchenTimeoutAndLeavesNothingBehind() throws Exception {
        toTheKitchen("order-1");
        assertThat(harness.numEventTimeTimers()).as("the kitchen deadline").isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        watermark(T0.plus(KITCHEN).toEpochMilli());

        assertThat(sentTypes()).containsExactly("CancelOrder", "ReleasePayment", "CancelTicket");
        assertThat(harness.numEventTimeTimers()).as("fired").isZero();
        answer("CancelOrder", new OrderCancelled(CancellationReason.KITCHEN_TIMEOUT, null));
        answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L));
        answer("CancelTicket", new TicketCancelled("kitchen timeout"));
        assertThat(harness.numKeyedStateEntries()).as("a finished saga keeps no state").isZero();
        assertThat(harness.numEventTimeTimers()).as("and no timers").isZero();
    }

    @Test
    void aPreparedTicketClearsTheKitchenTimeoutAndSetsTheDelivery() throws Exception {
        toTheKitchen("order-1");
        input(event("order-1", new TicketPrepared("carlo"), T0.plusSeconds(600), "human-1"));
        watermark(T0.plusSeconds(600).toEpochMilli());
        assertThat(sentTypes()).containsExactly("RequestDelivery");
        answer("RequestDelivery", new DeliveryRequested("ada", ADDRESS, null));

        watermark(T0.plus(KITCHEN).toEpochMilli());

        assertThat(sentTypes()).as("the kitchen timeout no longer fires").isEmpty();
        assertThat(harness.numEventTimeTimers()).as("only the delivery deadline").isEqualTo(1);
    }

    @Test
    void keepsItsStateAndTimersThroughASnapshotAndRestore() throws Exception {
        toTheKitchen("order-1");
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = harness(snapshot);
        watermark(T0.plus(KITCHEN).toEpochMilli());

        assertThat(sentTypes()).containsExactly("CancelOrder", "ReleasePayment", "CancelTicket");
    }

    @Test
    void keepsNoStateForEventsOfNoSaga() throws Exception {
        input(event("ada", new PaymentReleased("order-9", 100L, 100L), T0, "human-2"));
        watermark(T0.plusSeconds(60).toEpochMilli());

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void dropsAnAnswerOfNoSagaOnceTimeHasPassedIt() throws Exception {
        input(envelope("ada", "order-7", new PaymentAuthorized("order-7", Menu.amount(100L), Menu.amount(0L)), T0, "command-x",
                OrderFulfilment.NAME));
        assertThat(harness.numKeyedStateEntries()).as("it may be an answer read before its saga started").isOne();

        watermark(T0.toEpochMilli());

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void handlesACancellationOnlyAfterTheAnswersItWaitsFor() throws Exception {
        input(event("order-1", placed(), T0, "human-0"));
        watermark(T0.toEpochMilli());
        List<CommandEnvelope> authorize = drain();
        input(event("order-1", new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null), T0.plusSeconds(1),
                "human-1"));
        watermark(T0.plusSeconds(1).toEpochMilli());
        assertThat(drain()).as("the payment's answer is awaited first").isEmpty();

        input(answerTo(authorize.get(0), new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L))));

        assertThat(sentTypes()).containsExactly("ConfirmOrder", "OpenTicket");
    }

    @Test
    void ignoresAnAnswerReadTwiceAndLetsTimePass() {
        // A second writer of an events topic repeats answers the saga has had already (same event, same cause).
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            toTheKitchen("order-1");
            answer("ConfirmOrder", new OrderConfirmed(2600L));

            watermark(T0.plusSeconds(1).toEpochMilli());

            assertThat(harness.numEventTimeTimers()).as("only the kitchen deadline").isEqualTo(1);
            watermark(T0.plus(KITCHEN).toEpochMilli());
            assertThat(sentTypes()).containsExactly("CancelOrder", "ReleasePayment", "CancelTicket");
        }, "the saga's timers fired for ever (the watermark never got through): a repeated answer was kept "
                + "as a pending input that is due at once and never handled");
    }

    @Test
    void aReactionThatThrowsForOneSagaParksItAloneAndARedriveAfterTheFixSendsWhatTheFixWould() throws Exception {
        List<SpecificRecord> later = List.of(event("order-1", new OrderCancelled(CancellationReason.CUSTOMER_REQUEST,
                null), T0.plusSeconds(1), "human-1"));
        List<CommandEnvelope> withoutTheBug = new ArrayList<>(toThePayment("order-1"));
        later.forEach(this::inputUnchecked);
        watermark(T0.plusSeconds(1).toEpochMilli());
        withoutTheBug.addAll(drain());
        harness.close();
        lastSentByType.clear();

        harness = harness(() -> buggy("order-1", "PaymentAuthorized"), null);
        List<CommandEnvelope> sent = new ArrayList<>(toThePayment("order-1"));
        assertThat(sent).as("the reaction to the payment failed").extracting(CommandEnvelope::getCommandType)
                .containsExactly("AuthorizePayment");
        later.forEach(this::inputUnchecked);
        watermark(T0.plusSeconds(1).toEpochMilli());
        toThePayment("order-2");
        assertThat(sentTypes()).as("another saga flows").isEmpty();
        assertThat(parked()).extracting(p -> p.getKey() + " " + p.getStatus() + " #" + p.getIndex() + " "
                        + ((EventEnvelope) p.getInput()).getEventType())
                .containsExactly("order-1 PARKED #0 PaymentAuthorized", "order-1 PARKED #1 OrderCancelled");
        assertThat(parked().get(0).getError()).isEqualTo("java.lang.IllegalStateException: a bug paying order-1");

        OperatorSubtaskState savepoint = harness.snapshot(1L, 1L);
        harness.close();
        harness = harness(savepoint);
        harness.processElement2(new RedriveRequest(OrderFulfilment.NAME, "order-1", T0), T0.toEpochMilli());
        harness.processElement2(new RedriveRequest(OrderFulfilment.NAME, "order-1", T0), T0.toEpochMilli());
        sent.addAll(drain());

        assertThat(sent).as("the commands a saga without the bug sends, once").isEqualTo(withoutTheBug);
        assertThat(parked()).extracting(p -> p.getKey() + " " + p.getStatus() + " #" + p.getIndex())
                .containsExactly("order-1 UNPARKED #2");
    }

    @Test
    void aSagaParkedAtItsStartIsStartedByItsRedriveOnceTimePasses() throws Exception {
        harness.close();
        harness = harness(() -> new SagaWithABug<>(fulfilment(), (state, input) -> state == null,
                "a bug starting"), null);
        input(event("order-1", placed(), T0, "human-0"));
        watermark(T0.toEpochMilli());
        assertThat(sentTypes()).isEmpty();
        OperatorSubtaskState savepoint = harness.snapshot(1L, 1L);
        harness.close();

        harness = harness(savepoint);
        harness.processElement2(new RedriveRequest(OrderFulfilment.NAME, "order-1", T0), T0.toEpochMilli());
        assertThat(sentTypes()).as("the held start waits for time to pass it").isEmpty();
        watermark(T0.toEpochMilli());

        assertThat(sentTypes()).containsExactly("AuthorizePayment");
        assertThat(harness.numEventTimeTimers()).as("it waits for the answer only").isZero();
    }

    private void toTheKitchen(String orderId) throws Exception {
        input(event(orderId, placed(), T0, "human-0"));
        watermark(T0.toEpochMilli());
        assertThat(sentTypes()).containsExactly("AuthorizePayment");
        answer("AuthorizePayment", new PaymentAuthorized(orderId, Menu.amount(2600L), Menu.amount(400L)));
        assertThat(sentTypes()).containsExactly("ConfirmOrder", "OpenTicket");
        answer("ConfirmOrder", new OrderConfirmed(2600L));
        answer("OpenTicket", new TicketOpened(List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2))));
    }

    /** An order placed, and its payment authorized: the commands sent to it, the payment's answer included. */
    private List<CommandEnvelope> toThePayment(String orderId) throws Exception {
        input(envelope(orderId, orderId, placed(), T0, "human-0", "someone"));
        watermark(T0.toEpochMilli());
        List<CommandEnvelope> sent = new ArrayList<>(drain());
        answer("AuthorizePayment", new PaymentAuthorized(orderId, Menu.amount(2600L), Menu.amount(400L)));
        sent.addAll(drain());
        return sent;
    }

    private void inputUnchecked(SpecificRecord record) {
        try {
            input(record);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fulfilment saga with a bug: its reaction to one trigger throws for one order. */
    private static SagaDefinition<OrderFulfilmentState> buggy(String orderId, String trigger) {
        return new SagaWithABug<>(fulfilment(), (state, input) -> state != null && state.getOrderId().equals(orderId)
                && input.trigger().equals(trigger), "a bug paying " + orderId);
    }

    private final Map<String, CommandEnvelope> lastSentByType = new HashMap<>();

    private List<String> sentTypes() {
        return drain().stream().map(CommandEnvelope::getCommandType).toList();
    }

    private List<CommandEnvelope> drain() {
        List<CommandEnvelope> sent = List.copyOf(harness.extractOutputValues());
        harness.getOutput().clear();
        sent.forEach(c -> lastSentByType.put(c.getCommandType(), c));
        return sent;
    }

    private void answer(String commandType, SpecificRecord eventData) throws Exception {
        input(answerTo(lastSentByType.get(commandType), eventData));
    }

    private void input(SpecificRecord record) throws Exception {
        Either<EventEnvelope, CommandRejected> input = record instanceof EventEnvelope event ? Either.Left(event)
                : Either.Right((CommandRejected) record);
        harness.processElement1(input, T0.toEpochMilli());
    }

    private static EventEnvelope answerTo(CommandEnvelope command, SpecificRecord data) {
        return envelope(command.getSubjectId(), command.getCorrelationId(), data, command.getCreationTimestamp(),
                command.getCommandId(), command.getUserId());
    }

    private static EventEnvelope event(String orderId, SpecificRecord data, Instant time, String causation) {
        return envelope(orderId, "order-1", data, time, causation, "someone");
    }

    private static EventEnvelope envelope(String aggregateId, String correlationId, SpecificRecord data, Instant time,
                                          String causation, String userId) {
        EventType type = EventCatalog.get().eventTypeOf(data);
        String id = UUID.nameUUIDFromBytes((aggregateId + type.name() + causation).getBytes(UTF_8)).toString();
        return new EventEnvelope(id, aggregateId, 1L, time, correlationId, type.name(), type.aggregateType(),
                causation, userId, type.version(), data);
    }

    private static OrderPlaced placed() {
        return new OrderPlaced("ada", List.of(new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 2, 1300L, 2600L)),
                2600L, ADDRESS, null);
    }

    private void watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
    }

    /** The parked records emitted so far. */
    private List<ParkedInput> parked() {
        var records = harness.getSideOutput(KeyQuarantine.PARKED);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Either<EventEnvelope, CommandRejected>,
            RedriveRequest, CommandEnvelope> harness(OperatorSubtaskState restoreFrom) throws Exception {
        return harness(SagaProcessorTest::fulfilment, restoreFrom);
    }

    private static OrderFulfilment fulfilment() {
        return new OrderFulfilment(new OrderFulfilment.Timeouts(KITCHEN, Duration.ofMinutes(45)));
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Either<EventEnvelope, CommandRejected>,
            RedriveRequest, CommandEnvelope> harness(SerializableSupplier<SagaDefinition<OrderFulfilmentState>> saga,
                                                     OperatorSubtaskState restoreFrom) throws Exception {
        SagaProcessor<OrderFulfilmentState> processor = new SagaProcessor<>(saga);
        var opened = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(processor),
                (Either<EventEnvelope, CommandRejected> in) -> in.isLeft() ? in.left().getCorrelationId()
                        : in.right().getCorrelationId(), RedriveRequest::getKey, Types.STRING);
        opened.setup();
        if (restoreFrom != null) {
            opened.initializeState(restoreFrom);
        }
        opened.open();
        return opened;
    }
}
