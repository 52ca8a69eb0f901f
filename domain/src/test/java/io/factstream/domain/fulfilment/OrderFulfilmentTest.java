package io.factstream.domain.fulfilment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.delivery.CancelDelivery;
import io.factstream.catalog.delivery.DeliveryCancelled;
import io.factstream.catalog.delivery.DeliveryCompleted;
import io.factstream.catalog.delivery.DeliveryFailed;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.DeliveryRequested;
import io.factstream.catalog.delivery.RequestDelivery;
import io.factstream.catalog.kitchen.CancelTicket;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.saga.SagaFixture;
import io.factstream.state.OrderFulfilmentState;

class OrderFulfilmentTest {

    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    static final Duration KITCHEN = Duration.ofMinutes(20);
    static final Duration DELIVERY = Duration.ofMinutes(45);
    static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    static final OrderPlaced PLACED = new OrderPlaced("ada",
            List.of(new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 2, 1300L, 2600L)), 2600L, ADDRESS, "ring");
    static final List<OrderLine> LINES = List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2));

    private final SagaFixture<OrderFulfilmentState> saga = newSaga();

    static SagaFixture<OrderFulfilmentState> newSaga() {
        return new SagaFixture<>(new OrderFulfilment(new OrderFulfilment.Timeouts(KITCHEN, DELIVERY)), "order-1");
    }

    /** The saga up to the kitchen: placed, paid, confirmed, ticket open. */
    static SagaFixture<OrderFulfilmentState> inKitchen(SagaFixture<OrderFulfilmentState> saga) {
        return saga.receive(PLACED, T0).advanceTo(T0)
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)))
                .answer("ConfirmOrder", new OrderConfirmed(2600L))
                .answer("OpenTicket", new TicketOpened(LINES));
    }

    /** ... and on to the delivery: prepared at T0 + 10 min, delivery requested. */
    static SagaFixture<OrderFulfilmentState> awaitingDelivery(SagaFixture<OrderFulfilmentState> saga) {
        return inKitchen(saga).receive(new TicketPrepared("carlo"), T0.plus(Duration.ofMinutes(10)))
                .advanceTo(T0.plus(Duration.ofMinutes(10)))
                .answer("RequestDelivery", new DeliveryRequested("ada", ADDRESS, "ring"));
    }

    @Test
    void drivesAnOrderFromPlacedToCompleted() {
        saga.receive(PLACED, T0).thenSent().advanceTo(T0).thenSent("AuthorizePayment")
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)))
                .thenSent("ConfirmOrder", "OpenTicket")
                .thenDeadlines("kitchen@" + T0.plus(KITCHEN))
                .answer("ConfirmOrder", new OrderConfirmed(2600L))
                .answer("OpenTicket", new TicketOpened(LINES))
                .receive(new PreparationStarted("carlo"), T0.plus(Duration.ofMinutes(2)))
                .receive(new TicketPrepared("carlo"), T0.plus(Duration.ofMinutes(10)))
                .advanceTo(T0.plus(Duration.ofMinutes(10))).thenSent("RequestDelivery")
                .thenDeadlines("delivery@" + T0.plus(Duration.ofMinutes(10)).plus(DELIVERY))
                .answer("RequestDelivery", new DeliveryRequested("ada", ADDRESS, "ring"))
                .receive(new DeliveryPickedUp("carla"), T0.plus(Duration.ofMinutes(15)))
                .advanceTo(T0.plus(Duration.ofMinutes(15))).thenSent("MarkOrderDispatched")
                .answer("MarkOrderDispatched", new OrderDispatched("carla"))
                .receive(new DeliveryCompleted("carla"), T0.plus(Duration.ofMinutes(30)))
                .advanceTo(T0.plus(Duration.ofMinutes(30))).thenSent("CapturePayment")
                .thenDeadlines()
                .answer("CapturePayment", new PaymentCaptured("order-1", 2600L, 2400L))
                .thenSent("CompleteOrder")
                .answer("CompleteOrder", new OrderCompleted(2600L))
                .thenFinished("COMPLETED");
        assertThat(saga.late()).isZero();
    }

    @Test
    void stampsItsCommandsForTheAggregates() {
        saga.receive(PLACED, T0).advanceTo(T0);

        CommandEnvelope authorize = saga.lastSent().get(0);
        assertThat(authorize.getSubjectId()).as("the customer's wallet").isEqualTo("ada");
        assertThat(authorize.getCommandData()).isEqualTo(new AuthorizePayment("order-1", 2600L));
        assertThat(authorize.getRoles()).containsExactly("SYSTEM");
        assertThat(authorize.getUserId()).isEqualTo(OrderFulfilment.NAME);
        assertThat(authorize.getCorrelationId()).isEqualTo("order-1");
        assertThat(authorize.getCreationTimestamp()).isEqualTo(T0);
        assertThat(authorize.getCommandId()).isEqualTo(UUID.nameUUIDFromBytes(
                "order-fulfilment/order-1/authorize-payment".getBytes()).toString());
        assertThat(authorize.getCausationId()).as("the OrderPlaced event").isNotNull();
    }

    @Test
    void waitsForTheWatermarkBeforeItActs() {
        saga.receive(PLACED, T0).advanceTo(T0.minusMillis(1)).thenSent()
                .advanceTo(T0).thenSent("AuthorizePayment");
    }

    @Nested
    class Payment {

        @Test
        void aDeclinedPaymentRejectsTheOrder() {
            saga.receive(PLACED, T0).advanceTo(T0)
                    .answer("AuthorizePayment", new PaymentDeclined("order-1", 2600L, 100L, "insufficient funds"))
                    .thenSent("RejectOrder")
                    .answer("RejectOrder", new OrderRejected("payment declined: insufficient funds"))
                    .thenFinished("REJECTED");
        }

        @Test
        void aRejectedAuthorizationRejectsTheOrder() {
            saga.receive(PLACED, T0).advanceTo(T0)
                    .reject("AuthorizePayment", "there is no wallet ada")
                    .thenSent("RejectOrder")
                    .answer("RejectOrder", new OrderRejected("payment impossible"))
                    .thenFinished("REJECTED");
        }

        @Test
        void aRejectionThatFindsTheOrderCancelledEndsAsCancelled() {
            saga.receive(PLACED, T0).advanceTo(T0)
                    .answer("AuthorizePayment", new PaymentDeclined("order-1", 2600L, 100L, "insufficient funds"))
                    .reject("RejectOrder", "the order is CANCELLED")
                    .thenFinished("CANCELLED CUSTOMER_REQUEST");
        }
    }

    @Nested
    class Kitchen {

        @Test
        void timesOutAndCompensatesWhenTheKitchenIsTooSlow() {
            inKitchen(saga).advanceTo(T0.plus(KITCHEN).minusMillis(1)).thenSent()
                    .advanceTo(T0.plus(KITCHEN)).thenSent("CancelOrder", "ReleasePayment", "CancelTicket");

            List<CommandEnvelope> compensation = saga.lastSent();
            assertThat(compensation.get(0).getCommandData())
                    .isEqualTo(new CancelOrder(CancellationReason.KITCHEN_TIMEOUT, null));
            assertThat(compensation).allSatisfy(c ->
                    assertThat(c.getCreationTimestamp()).as("the deadline").isEqualTo(T0.plus(KITCHEN)));
            saga.answer("CancelOrder", new OrderCancelled(CancellationReason.KITCHEN_TIMEOUT, null))
                    .answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L))
                    .answer("CancelTicket", new TicketCancelled("kitchen timeout"))
                    .thenFinished("CANCELLED KITCHEN_TIMEOUT");
        }

        @Test
        void aTicketPreparedAtTheDeadlineIsInTime() {
            inKitchen(saga).receive(new TicketPrepared("carlo"), T0.plus(KITCHEN))
                    .advanceTo(T0.plus(KITCHEN).plusSeconds(1))
                    .thenSent("RequestDelivery");
        }

        @Test
        void aTicketPreparedAfterTheDeadlineIsTooLateWhateverTheArrivalOrder() {
            inKitchen(saga).receive(new TicketPrepared("carlo"), T0.plus(KITCHEN).plusSeconds(1))
                    .advanceTo(T0.plus(KITCHEN).plusSeconds(5))
                    .thenSent("CancelOrder", "ReleasePayment", "CancelTicket");
        }

        @Test
        void theCustomerCancellingReleasesThePaymentAndTakesTheTicketOff() {
            inKitchen(saga).receive(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, "sorry"),
                            T0.plus(Duration.ofMinutes(3)))
                    .advanceTo(T0.plus(Duration.ofMinutes(3)))
                    .thenSent("ReleasePayment", "CancelTicket")
                    .thenDeadlines()
                    .answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L))
                    .answer("CancelTicket", new TicketCancelled("order cancelled"))
                    .thenFinished("CANCELLED CUSTOMER_REQUEST");
        }
    }

    @Nested
    class Delivery {

        @Test
        void timesOutBeforePickUp() {
            Instant deadline = T0.plus(Duration.ofMinutes(10)).plus(DELIVERY);
            awaitingDelivery(saga).advanceTo(deadline)
                    .thenSent("CancelOrder", "ReleasePayment", "CancelDelivery");
            assertThat(saga.lastSent().get(2).getCommandData()).isEqualTo(new CancelDelivery("delivery timeout"));
        }

        @Test
        void timesOutAfterPickUp() {
            Instant deadline = T0.plus(Duration.ofMinutes(10)).plus(DELIVERY);
            awaitingDelivery(saga).receive(new DeliveryPickedUp("carla"), T0.plus(Duration.ofMinutes(12)))
                    .advanceTo(T0.plus(Duration.ofMinutes(12)))
                    .answer("MarkOrderDispatched", new OrderDispatched("carla"))
                    .advanceTo(deadline)
                    .thenSent("CancelOrder", "ReleasePayment", "CancelDelivery")
                    .answer("CancelOrder", new OrderCancelled(CancellationReason.DELIVERY_TIMEOUT, null))
                    .answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L))
                    .answer("CancelDelivery", new DeliveryCancelled("delivery timeout"))
                    .thenFinished("CANCELLED DELIVERY_TIMEOUT");
        }

        @Test
        void aFailedDeliveryCancelsTheOrderAndReleasesThePayment() {
            awaitingDelivery(saga).receive(new DeliveryPickedUp("carla"), T0.plus(Duration.ofMinutes(12)))
                    .receive(new DeliveryFailed("carla", "nobody home"), T0.plus(Duration.ofMinutes(20)))
                    .advanceTo(T0.plus(Duration.ofMinutes(12)))
                    .answer("MarkOrderDispatched", new OrderDispatched("carla"))
                    .advanceTo(T0.plus(Duration.ofMinutes(20)))
                    .thenSent("CancelOrder", "ReleasePayment")
                    .thenDeadlines()
                    .answer("CancelOrder", new OrderCancelled(CancellationReason.DELIVERY_FAILED, null))
                    .answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L))
                    .thenFinished("CANCELLED DELIVERY_FAILED");
        }

        @Test
        void theCustomerCancellingBeforeDispatchCallsTheDeliveryOff() {
            awaitingDelivery(saga).receive(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null),
                            T0.plus(Duration.ofMinutes(11)))
                    .advanceTo(T0.plus(Duration.ofMinutes(11)))
                    .thenSent("ReleasePayment", "CancelDelivery")
                    .thenDeadlines();
        }
    }

    @Test
    void aRequestDeliveryNamesTheCustomerAndAddress() {
        awaitingDelivery(saga);
        CommandEnvelope request = saga.allSent().stream()
                .filter(c -> c.getCommandType().equals("RequestDelivery")).findFirst().orElseThrow();
        assertThat(request.getCommandData()).isEqualTo(new RequestDelivery("ada", ADDRESS, "ring"));
        CommandEnvelope open = saga.allSent().stream()
                .filter(c -> c.getCommandType().equals("OpenTicket")).findFirst().orElseThrow();
        assertThat(open.getCommandData()).isEqualTo(new OpenTicket(LINES));
    }

    @Test
    void sendsTheSameCommandsWhateverOrderItsInputsArriveIn() {
        // The customer cancels 1 s after placing, while the payment is being authorized: live, the cancellation
        // arrives first (the payment's answer is slower); in a replay it may come in any order.
        OrderCancelled cancelled = new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null);
        Instant cancelledAt = T0.plusSeconds(1);

        SagaFixture<OrderFulfilmentState> live = newSaga();
        live.receive(PLACED, T0).advanceTo(T0)
                .receive(cancelled, cancelledAt).advanceTo(cancelledAt)
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)))
                .answer("ConfirmOrder", new OrderConfirmed(2600L))
                .answer("OpenTicket", new TicketOpened(LINES));

        SagaFixture<OrderFulfilmentState> replay = newSaga();
        replay.receive(PLACED, T0).advanceTo(T0)
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)))
                .receive(cancelled, cancelledAt)
                .answer("ConfirmOrder", new OrderConfirmed(2600L))
                .answer("OpenTicket", new TicketOpened(LINES))
                .advanceTo(cancelledAt.plusSeconds(30));

        assertThat(types(live.allSent())).containsExactly(
                "AuthorizePayment", "ConfirmOrder", "OpenTicket", "ReleasePayment", "CancelTicket");
        assertThat(replay.allSent()).isEqualTo(live.allSent());
        assertThat(live.late() + replay.late()).isZero();
    }

    @Test
    void takesAnAnswerThatArrivesBeforeItsCommandIsSent() {
        // In a replay the recorded answer is read alongside everything else and may come first.
        SagaFixture<OrderFulfilmentState> live = newSaga();
        live.receive(PLACED, T0).advanceTo(T0)
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)));
        CommandEnvelope authorize = live.allSent().get(0);

        SagaFixture<OrderFulfilmentState> replay = newSaga();
        replay.receive(PLACED, T0)
                .input(SagaFixture.answerTo(authorize,
                        new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)), "order-1"))
                .advanceTo(T0);

        assertThat(replay.allSent()).isEqualTo(live.allSent());
        assertThat(types(replay.allSent())).containsExactly("AuthorizePayment", "ConfirmOrder", "OpenTicket");
    }

    @Test
    void takesAnAnswerThatArrivesBeforeTheSagaStarts() {
        SagaFixture<OrderFulfilmentState> live = newSaga();
        live.receive(PLACED, T0).advanceTo(T0).reject("AuthorizePayment", "there is no wallet ada");
        CommandEnvelope authorize = live.allSent().get(0);

        SagaFixture<OrderFulfilmentState> replay = newSaga();
        replay.input(SagaFixture.rejectionOf(authorize, "there is no wallet ada"))
                .receive(PLACED, T0).advanceTo(T0);

        assertThat(replay.allSent()).isEqualTo(live.allSent());
        assertThat(types(replay.allSent())).containsExactly("AuthorizePayment", "RejectOrder");
    }

    private static List<String> types(List<CommandEnvelope> commands) {
        List<String> types = new ArrayList<>();
        commands.forEach(c -> types.add(c.getCommandType()));
        return types;
    }
}
