package io.factstream.upgrade;

import static io.factstream.state.FulfilmentPhase.AWAITING_KITCHEN;
import static io.factstream.state.FulfilmentPhase.AWAITING_PAYMENT;
import static io.factstream.state.FulfilmentPhase.COMPENSATING;
import static io.factstream.state.FulfilmentPhase.CONFIRMING;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.payments.ReleasePayment;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.kernel.saga.Reaction;
import io.factstream.kernel.saga.SagaCommand;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaInput;
import io.factstream.kernel.saga.Transition;
import io.factstream.kernel.saga.Transition.Step;
import io.factstream.kernel.saga.TransitionTable;
import io.factstream.state.FulfilmentPhase;
import io.factstream.state.OrderFulfilmentState;

/**
 * Version 2 of the order-fulfilment saga, for the saga-upgrade test: one step more. Version 1 confirms the order
 * and opens the kitchen ticket at once when the payment is authorized; version 2 first confirms the order
 * (phase {@code CONFIRMING}, new in its {@code FulfilmentPhase}) and opens the ticket, starting the kitchen's
 * timeout, only once the order is confirmed, so that the kitchen never cooks an order the customer cancelled
 * meanwhile. Every other transition is version 1's.
 *
 * <p>Instances that started under version 1 finish under {@link OrderFulfilment}: version 2 moves none of them (a
 * test extends it with a mapping that does).
 */
public class OrderFulfilmentV2 implements SagaDefinition<OrderFulfilmentState> {

    public static final int VERSION = 2;

    private final OrderFulfilment version1;
    private final TransitionTable<OrderFulfilmentState, FulfilmentPhase> table;

    public OrderFulfilmentV2(OrderFulfilment.Timeouts timeouts) {
        this.version1 = new OrderFulfilment(timeouts);
        List<Transition<OrderFulfilmentState, FulfilmentPhase>> rows = new ArrayList<>();
        for (Transition<OrderFulfilmentState, FulfilmentPhase> row : version1.table().transitions()) {
            if (!(row.from().contains(AWAITING_PAYMENT) && row.on().equals("PaymentAuthorized"))) {
                rows.add(row);
            }
        }
        rows.add(new Transition<>(Set.of(AWAITING_PAYMENT), "PaymentAuthorized", CONFIRMING, List.of("ConfirmOrder"),
                null, Set.of(), "confirm the order; the kitchen waits for the confirmation", (s, in) -> new Step<>(s,
                        List.of(new SagaCommand("confirm-order", s.getOrderId(),
                                new ConfirmOrder(s.getTotalCents()))))));
        rows.add(new Transition<>(Set.of(CONFIRMING), "OrderConfirmed", AWAITING_KITCHEN, List.of("OpenTicket"),
                OrderFulfilment.KITCHEN, Set.of(), "put the confirmed order on the kitchen's queue", (s, in) ->
                        new Step<>(s, List.of(new SagaCommand("open-ticket", s.getOrderId(),
                                new OpenTicket(s.getLines()))))));
        rows.add(new Transition<>(Set.of(CONFIRMING), "OrderCancelled", COMPENSATING, List.of("ReleasePayment"), null,
                Set.of(), "the customer cancelled before the confirmation: release the payment", (s, in) ->
                        new Step<>(OrderFulfilmentState.newBuilder(s).setOutcome("CANCELLED "
                                + CancellationReason.CUSTOMER_REQUEST).build(), List.of(new SagaCommand(
                                "release-payment", s.getCustomerId(), new ReleasePayment(s.getOrderId()))))));
        this.table = new TransitionTable<>(FulfilmentPhase.class, rows, OrderFulfilmentState::getPhase,
                (state, phase) -> OrderFulfilmentState.newBuilder(state).setPhase(phase).build(),
                Map.of(OrderFulfilment.KITCHEN, timeouts.kitchen(), OrderFulfilment.DELIVERY, timeouts.delivery()));
    }

    /** The state machine of version 2. */
    public TransitionTable<OrderFulfilmentState, FulfilmentPhase> table() {
        return table;
    }

    @Override
    public String name() {
        return OrderFulfilment.NAME;
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public SagaDefinition<OrderFulfilmentState> earlierVersion(int version) {
        if (version != version1.version()) {
            return SagaDefinition.super.earlierVersion(version);
        }
        return version1;
    }

    @Override
    public boolean starts(EventEnvelope event) {
        return version1.starts(event);
    }

    @Override
    public Reaction<OrderFulfilmentState> react(OrderFulfilmentState state, SagaInput input) {
        return table.react(state, input);
    }

    @Override
    public boolean isClosing(OrderFulfilmentState state) {
        return OrderFulfilment.CLOSING.contains(state.getPhase());
    }

    @Override
    public String outcome(OrderFulfilmentState state) {
        return state.getOutcome();
    }
}
