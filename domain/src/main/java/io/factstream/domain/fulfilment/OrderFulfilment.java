package io.factstream.domain.fulfilment;

import static io.factstream.kernel.saga.SagaInput.rejected;
import static io.factstream.kernel.saga.SagaInput.timeout;
import static io.factstream.state.FulfilmentPhase.AWAITING_CAPTURE;
import static io.factstream.state.FulfilmentPhase.AWAITING_DELIVERY;
import static io.factstream.state.FulfilmentPhase.AWAITING_KITCHEN;
import static io.factstream.state.FulfilmentPhase.AWAITING_PAYMENT;
import static io.factstream.state.FulfilmentPhase.COMPENSATING;
import static io.factstream.state.FulfilmentPhase.COMPLETING;
import static io.factstream.state.FulfilmentPhase.DELIVERING;
import static io.factstream.state.FulfilmentPhase.REJECTING;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.delivery.CancelDelivery;
import io.factstream.catalog.delivery.DeliveryFailed;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.RequestDelivery;
import io.factstream.catalog.kitchen.CancelTicket;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.RejectOrder;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.CapturePayment;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.ReleasePayment;
import io.factstream.kernel.saga.Reaction;
import io.factstream.kernel.saga.SagaCommand;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaInput;
import io.factstream.kernel.saga.Transition.Step;
import io.factstream.kernel.saga.Transition;
import io.factstream.kernel.saga.TransitionTable;
import io.factstream.state.FulfilmentPhase;
import io.factstream.state.OrderFulfilmentState;

/**
 * The order-fulfilment saga: it drives a placed order through payments, kitchen and delivery to completion, and
 * compensates when the payment is declined, the kitchen or the delivery fails or times out, or the customer
 * cancels. Its state machine is {@link #table()}; {@code docs/order-fulfilment-saga.md} is rendered from it.
 */
public final class OrderFulfilment implements SagaDefinition<OrderFulfilmentState> {

    public static final String NAME = "order-fulfilment";
    public static final String KITCHEN = "kitchen";
    public static final String DELIVERY = "delivery";
    /** The phases that end the saga once the answers to their commands are in. */
    public static final Set<FulfilmentPhase> CLOSING = EnumSet.of(REJECTING, COMPENSATING, COMPLETING);

    /**
     * How long the kitchen and the delivery may take, in business time.
     *
     * @param kitchen  from the ticket's opening to its pizzas being prepared
     * @param delivery from the delivery's request to its completion
     */
    public record Timeouts(Duration kitchen, Duration delivery) implements Serializable {
        public static Timeouts standard() {
            return new Timeouts(Duration.ofMinutes(20), Duration.ofMinutes(45));
        }
    }

    private final TransitionTable<OrderFulfilmentState, FulfilmentPhase> table;

    public OrderFulfilment(Timeouts timeouts) {
        this.table = new TransitionTable<>(FulfilmentPhase.class, transitions(), OrderFulfilmentState::getPhase,
                (state, phase) -> OrderFulfilmentState.newBuilder(state).setPhase(phase).build(),
                Map.of(KITCHEN, timeouts.kitchen(), DELIVERY, timeouts.delivery()));
    }

    /** The state machine, one row per transition. */
    public TransitionTable<OrderFulfilmentState, FulfilmentPhase> table() {
        return table;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean starts(EventEnvelope event) {
        return event.getEventData() instanceof OrderPlaced;
    }

    @Override
    public Reaction<OrderFulfilmentState> react(OrderFulfilmentState state, SagaInput input) {
        return table.react(state, input);
    }

    @Override
    public boolean isClosing(OrderFulfilmentState state) {
        return CLOSING.contains(state.getPhase());
    }

    @Override
    public String outcome(OrderFulfilmentState state) {
        return state.getOutcome();
    }

    private static List<Transition<OrderFulfilmentState, FulfilmentPhase>> transitions() {
        List<Transition<OrderFulfilmentState, FulfilmentPhase>> rows = new ArrayList<>();
        rows.add(row(Set.of(), "OrderPlaced", AWAITING_PAYMENT, List.of("AuthorizePayment"), null, Set.of(),
                "hold the order total on the customer's wallet", OrderFulfilment::start));
        rows.add(row(Set.of(AWAITING_PAYMENT), "PaymentAuthorized", AWAITING_KITCHEN,
                List.of("ConfirmOrder", "OpenTicket"), KITCHEN, Set.of(),
                "confirm the order and put it on the kitchen's queue", (s, in) -> step(s,
                        command("confirm-order", s.getOrderId(), new ConfirmOrder(s.getTotalCents())),
                        command("open-ticket", s.getOrderId(), new OpenTicket(s.getLines())))));
        rows.add(row(Set.of(AWAITING_PAYMENT), "PaymentDeclined", REJECTING, List.of("RejectOrder"), null, Set.of(),
                "reject the order: the wallet cannot pay", (s, in) -> step(ending(s, "REJECTED"),
                        command("reject-order", s.getOrderId(), new RejectOrder("payment declined: "
                                + ((PaymentDeclined) event(in)).getReason())))));
        rows.add(row(Set.of(AWAITING_PAYMENT), rejected("AuthorizePayment"), REJECTING, List.of("RejectOrder"), null,
                Set.of(), "reject the order: no payment could be asked (e.g. no wallet)",
                (s, in) -> step(ending(s, "REJECTED"), command("reject-order", s.getOrderId(),
                        new RejectOrder("payment impossible: "
                                + ((SagaInput.Rejection) in).rejection().getMessage())))));
        rows.add(row(Set.of(REJECTING), rejected("RejectOrder"), REJECTING, List.of(), null, Set.of(),
                "nothing to reject: the customer cancelled meanwhile",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.CUSTOMER_REQUEST))));
        rows.add(row(Set.of(AWAITING_KITCHEN), "TicketPrepared", AWAITING_DELIVERY, List.of("RequestDelivery"),
                DELIVERY, Set.of(KITCHEN), "ask for a courier", (s, in) -> step(s,
                        command("request-delivery", s.getOrderId(), new RequestDelivery(s.getCustomerId(),
                                s.getDeliveryAddress(), s.getDeliveryInstructions())))));
        rows.add(row(Set.of(AWAITING_KITCHEN), timeout(KITCHEN), COMPENSATING,
                List.of("CancelOrder", "ReleasePayment", "CancelTicket"), null, Set.of(),
                "the kitchen took too long: cancel the order, release the payment, take the ticket off",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.KITCHEN_TIMEOUT),
                        cancelOrder(s, CancellationReason.KITCHEN_TIMEOUT), releasePayment(s),
                        command("cancel-ticket", s.getOrderId(), new CancelTicket("kitchen timeout")))));
        rows.add(row(Set.of(AWAITING_KITCHEN), "OrderCancelled", COMPENSATING,
                List.of("ReleasePayment", "CancelTicket"), null, Set.of(KITCHEN),
                "the customer cancelled: release the payment, take the ticket off",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.CUSTOMER_REQUEST), releasePayment(s),
                        command("cancel-ticket", s.getOrderId(), new CancelTicket("order cancelled")))));
        rows.add(row(Set.of(AWAITING_DELIVERY), "DeliveryPickedUp", DELIVERING, List.of("MarkOrderDispatched"), null,
                Set.of(), "mark the order dispatched", (s, in) -> step(s, command("mark-dispatched",
                        s.getOrderId(), new MarkOrderDispatched(((DeliveryPickedUp) event(in)).getCourierId())))));
        rows.add(row(Set.of(AWAITING_DELIVERY, DELIVERING), timeout(DELIVERY), COMPENSATING,
                List.of("CancelOrder", "ReleasePayment", "CancelDelivery"), null, Set.of(),
                "the delivery took too long: cancel the order, release the payment, call the delivery off",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.DELIVERY_TIMEOUT),
                        cancelOrder(s, CancellationReason.DELIVERY_TIMEOUT), releasePayment(s),
                        cancelDelivery(s, "delivery timeout"))));
        rows.add(row(Set.of(AWAITING_DELIVERY, DELIVERING), "OrderCancelled", COMPENSATING,
                List.of("ReleasePayment", "CancelDelivery"), null, Set.of(DELIVERY),
                "the customer cancelled before dispatch: release the payment, call the delivery off",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.CUSTOMER_REQUEST), releasePayment(s),
                        cancelDelivery(s, "order cancelled"))));
        rows.add(row(Set.of(DELIVERING), "DeliveryCompleted", AWAITING_CAPTURE, List.of("CapturePayment"), null,
                Set.of(DELIVERY), "the customer has the pizza: take the payment", (s, in) -> step(s,
                        command("capture-payment", s.getCustomerId(), new CapturePayment(s.getOrderId())))));
        rows.add(row(Set.of(DELIVERING), "DeliveryFailed", COMPENSATING, List.of("CancelOrder", "ReleasePayment"),
                null, Set.of(DELIVERY), "the courier could not deliver: cancel the order, release the payment",
                (s, in) -> step(ending(s, "CANCELLED " + CancellationReason.DELIVERY_FAILED),
                        cancelOrder(s, CancellationReason.DELIVERY_FAILED), releasePayment(s))));
        rows.add(row(Set.of(AWAITING_CAPTURE), "PaymentCaptured", COMPLETING, List.of("CompleteOrder"), null,
                Set.of(), "paid: complete the order", (s, in) -> step(ending(s, "COMPLETED"),
                        command("complete-order", s.getOrderId(),
                                new CompleteOrder(((PaymentCaptured) event(in)).getAmountCents())))));
        return rows;
    }

    private static Step<OrderFulfilmentState> start(OrderFulfilmentState none, SagaInput input) {
        EventEnvelope event = ((SagaInput.Event) input).envelope();
        OrderPlaced placed = (OrderPlaced) event.getEventData();
        List<OrderLine> lines = new ArrayList<>();
        for (PricedOrderLine line : placed.getLines()) {
            lines.add(new OrderLine(line.getPizza(), line.getSize(), line.getQuantity()));
        }
        OrderFulfilmentState state = new OrderFulfilmentState(event.getAggregateId(), placed.getCustomerId(),
                AWAITING_PAYMENT, placed.getTotalCents(), lines, placed.getDeliveryAddress(),
                placed.getDeliveryInstructions(), null);
        return step(state, command("authorize-payment", placed.getCustomerId(),
                new AuthorizePayment(event.getAggregateId(), placed.getTotalCents())));
    }

    private static SagaCommand cancelOrder(OrderFulfilmentState s, CancellationReason reason) {
        return command("cancel-order", s.getOrderId(), new CancelOrder(reason, null));
    }

    private static SagaCommand releasePayment(OrderFulfilmentState s) {
        return command("release-payment", s.getCustomerId(), new ReleasePayment(s.getOrderId()));
    }

    private static SagaCommand cancelDelivery(OrderFulfilmentState s, String reason) {
        return command("cancel-delivery", s.getOrderId(), new CancelDelivery(reason));
    }

    private static OrderFulfilmentState ending(OrderFulfilmentState s, String outcome) {
        return OrderFulfilmentState.newBuilder(s).setOutcome(outcome).build();
    }

    private static Object event(SagaInput input) {
        return ((SagaInput.Event) input).envelope().getEventData();
    }

    private static SagaCommand command(String step, String subjectId, SpecificRecord data) {
        return new SagaCommand(step, subjectId, data);
    }

    private static Step<OrderFulfilmentState> step(OrderFulfilmentState state, SagaCommand... commands) {
        return new Step<>(state, List.of(commands));
    }

    private static Transition<OrderFulfilmentState, FulfilmentPhase> row(
            Set<FulfilmentPhase> from, String on, FulfilmentPhase to, List<String> sends, String setsTimeout,
            Set<String> clears, String does, Transition.Action<OrderFulfilmentState> action) {
        return new Transition<>(from, on, to, sends, setsTimeout, clears, does, action);
    }
}
