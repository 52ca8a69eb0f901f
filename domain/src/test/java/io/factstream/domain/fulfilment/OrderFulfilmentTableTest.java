package io.factstream.domain.fulfilment;

import static io.factstream.domain.fulfilment.OrderFulfilmentTest.KITCHEN;
import static io.factstream.domain.fulfilment.OrderFulfilmentTest.PLACED;
import static io.factstream.domain.fulfilment.OrderFulfilmentTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.delivery.DeliveryCompleted;
import io.factstream.catalog.delivery.DeliveryFailed;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.docs.OrderFulfilmentDocument;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.saga.SagaFixture;
import io.factstream.kernel.saga.Transition;
import io.factstream.state.FulfilmentPhase;
import io.factstream.state.OrderFulfilmentState;

/**
 * Every row of the transition table, fired from every phase it leaves, does what the row (and so the generated
 * documentation) says; and the committed documentation is the table's.
 */
class OrderFulfilmentTableTest {

    private static final Duration LATER = Duration.ofMinutes(12);
    private static final OrderFulfilment SAGA = new OrderFulfilment(OrderFulfilment.Timeouts.standard());

    /** How to bring a saga into each phase. */
    private static final Map<FulfilmentPhase, UnaryOperator<SagaFixture<OrderFulfilmentState>>> INTO = Map.of(
            FulfilmentPhase.AWAITING_PAYMENT, s -> s.receive(PLACED, T0).advanceTo(T0),
            FulfilmentPhase.AWAITING_KITCHEN, OrderFulfilmentTest::inKitchen,
            FulfilmentPhase.AWAITING_DELIVERY, OrderFulfilmentTest::awaitingDelivery,
            FulfilmentPhase.DELIVERING, OrderFulfilmentTableTest::delivering,
            FulfilmentPhase.AWAITING_CAPTURE, s -> delivering(s)
                    .receive(new DeliveryCompleted("carla"), T0.plus(LATER)).advanceTo(T0.plus(LATER)),
            FulfilmentPhase.REJECTING, s -> s.receive(PLACED, T0).advanceTo(T0)
                    .answer("AuthorizePayment", new PaymentDeclined("order-1", 2600L, 0L, "insufficient funds")));

    record Case(Transition<OrderFulfilmentState, FulfilmentPhase> row, FulfilmentPhase from) {
        @Override
        public String toString() {
            return (from == null ? "(start)" : from) + " on " + row.on();
        }
    }

    static List<Case> cases() {
        return SAGA.table().transitions().stream()
                .flatMap(row -> row.from().isEmpty() ? Stream.of(new Case(row, null))
                        : row.from().stream().map(phase -> new Case(row, phase)))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyTransitionDoesWhatItsRowSays(Case c) {
        SagaFixture<OrderFulfilmentState> saga = OrderFulfilmentTest.newSaga();
        if (c.from() != null) {
            INTO.get(c.from()).apply(saga);
            assertThat(((OrderFulfilmentState) saga.snapshot().get("state")).getPhase()).isEqualTo(c.from());
        }

        fire(saga, c.row().on());

        assertThat(saga.lastSent()).extracting(CommandEnvelope::getCommandType).containsExactlyElementsOf(
                c.row().sends());
        if (saga.snapshot() != null) {
            assertThat(((OrderFulfilmentState) saga.snapshot().get("state")).getPhase()).isEqualTo(c.row().to());
            if (c.row().setsTimeout() != null) {
                assertThat(saga.snapshot().getDeadlines()).anyMatch(d -> d.getName().equals(c.row().setsTimeout()));
            }
            c.row().clearsTimeouts().forEach(cleared ->
                    assertThat(saga.snapshot().getDeadlines()).noneMatch(d -> d.getName().equals(cleared)));
        } else {
            assertThat(OrderFulfilment.CLOSING).as("only a closing phase ends the saga").contains(c.row().to());
        }
    }

    @Test
    void theCommittedDocumentIsTheTables() throws Exception {
        Path committed = Path.of("..").resolve(OrderFulfilmentDocument.PATH);

        assertThat(Files.readString(committed, StandardCharsets.UTF_8))
                .as("%s is out of date; regenerate it with: mvn -q -pl domain -am process-classes -Pdocs",
                        OrderFulfilmentDocument.PATH)
                .isEqualTo(OrderFulfilmentDocument.render(SAGA));
    }

    private static SagaFixture<OrderFulfilmentState> delivering(SagaFixture<OrderFulfilmentState> saga) {
        return OrderFulfilmentTest.awaitingDelivery(saga)
                .receive(new DeliveryPickedUp("carla"), T0.plus(Duration.ofMinutes(11)))
                .advanceTo(T0.plus(Duration.ofMinutes(11)))
                .answer("MarkOrderDispatched", new OrderDispatched("carla"));
    }

    /** Makes the trigger of a row happen to a saga in the row's phase. */
    private static void fire(SagaFixture<OrderFulfilmentState> saga, String trigger) {
        Instant at = T0.plus(Duration.ofMinutes(13));
        switch (trigger) {
            case "OrderPlaced" -> saga.receive(PLACED, T0).advanceTo(T0);
            case "PaymentAuthorized" -> saga.answer("AuthorizePayment",
                    new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(0L)));
            case "PaymentDeclined" -> saga.answer("AuthorizePayment",
                    new PaymentDeclined("order-1", 2600L, 0L, "insufficient funds"));
            case "AuthorizePayment rejected" -> saga.reject("AuthorizePayment", "there is no wallet ada");
            case "RejectOrder rejected" -> saga.reject("RejectOrder", "the order is CANCELLED");
            case "TicketPrepared" -> saga.receive(new TicketPrepared("carlo"), at).advanceTo(at);
            case "kitchen timeout" -> saga.advanceTo(T0.plus(KITCHEN));
            case "delivery timeout" -> saga.advanceTo(T0.plus(Duration.ofHours(2)));
            case "OrderCancelled" -> saga.receive(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null), at)
                    .advanceTo(at);
            case "DeliveryPickedUp" -> saga.receive(new DeliveryPickedUp("carla"), at).advanceTo(at);
            case "DeliveryCompleted" -> saga.receive(new DeliveryCompleted("carla"), at).advanceTo(at);
            case "DeliveryFailed" -> saga.receive(new DeliveryFailed("carla", "nobody home"), at).advanceTo(at);
            case "PaymentCaptured" -> saga.answer("CapturePayment", new PaymentCaptured("order-1", 2600L, 0L));
            default -> throw new AssertionError("no test input for the trigger " + trigger + ": add one");
        }
    }
}
