package io.factstream.upgrade;

import static io.factstream.kernel.aggregate.Decision.refused;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.shared.Checks;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.OrderState;
import io.factstream.state.OrderStatus;

/**
 * Version 2 of the Order aggregate: {@link OrderDecider}'s rules, with an order state that counts its pizzas
 * ({@code pizzaCount}) and one rule more that reads the count: a customer can no longer cancel a confirmed order of
 * {@value #LARGE_ORDER_PIZZAS} pizzas or more, because the kitchen has started on it. The system (the saga) still
 * can.
 *
 * <p>Orders carried over from a version 1 savepoint have a {@code pizzaCount} of 0, the schema's default, so they
 * keep version 1's behaviour.
 */
public final class OrderDeciderV2 implements Decider<OrderState> {

    /** The pizzas from which the kitchen starts on a confirmed order at once. */
    public static final int LARGE_ORDER_PIZZAS = 5;

    private final OrderDecider v1 = new OrderDecider(Menu.standard());

    @Override
    public BoundedContext context() {
        return v1.context();
    }

    /** Version 1's decision, unless it lets a customer cancel an order that the kitchen has started on. */
    @Override
    public Decision decide(CommandEnvelope command, OrderState order) {
        Decision decision = v1.decide(command, order);
        if (decision instanceof Decision.Accepted && isCancelledByCustomer(command) && kitchenHasStarted(order)) {
            return refused("the kitchen has started on the %d pizzas of this confirmed order; a customer can no "
                    + "longer cancel it", order.getPizzaCount());
        }
        return decision;
    }

    /** Version 1's state, and for a placed order its pizza count, set before anyone sees the new state. */
    @Override
    public OrderState evolve(OrderState order, SpecificRecord event) {
        OrderState evolved = v1.evolve(order, event);
        if (event instanceof OrderPlaced placed) {
            evolved.setPizzaCount(pizzaCount(placed));
        }
        return evolved;
    }

    private static boolean isCancelledByCustomer(CommandEnvelope command) {
        return command.getCommandData() instanceof CancelOrder && !Checks.actsAsSystem(command);
    }

    private static boolean kitchenHasStarted(OrderState order) {
        return order.getStatus() == OrderStatus.CONFIRMED && order.getPizzaCount() >= LARGE_ORDER_PIZZAS;
    }

    private static int pizzaCount(OrderPlaced placed) {
        return placed.getLines().stream().mapToInt(PricedOrderLine::getQuantity).sum();
    }
}
