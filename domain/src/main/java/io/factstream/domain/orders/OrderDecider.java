package io.factstream.domain.orders;

import static io.factstream.kernel.aggregate.Decision.accept;
import static io.factstream.kernel.aggregate.Decision.invalid;
import static io.factstream.kernel.aggregate.Decision.refused;
import static io.factstream.kernel.aggregate.Decision.unauthorized;
import static io.factstream.kernel.aggregate.Decision.unknown;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.orders.RejectOrder;
import io.factstream.domain.shared.Checks;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.OrderState;
import io.factstream.state.OrderStatus;

/**
 * The Order aggregate: placed and priced from the menu, then confirmed once paid (or rejected), dispatched,
 * completed; cancelled by its customer before dispatch or by the saga when fulfilment fails. The rules are those of
 * the catalog's order commands.
 */
public final class OrderDecider implements Decider<OrderState> {

    static final int MAX_INSTRUCTIONS = 200;
    private static final Set<OrderStatus> UNFINISHED =
            EnumSet.of(OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.DISPATCHED);

    private final Menu menu;

    public OrderDecider(Menu menu) {
        this.menu = menu;
    }

    @Override
    public BoundedContext context() {
        return BoundedContext.ORDERS;
    }

    @Override
    public Decision decide(CommandEnvelope command, OrderState order) {
        Object data = command.getCommandData();
        if (data instanceof PlaceOrder place) {
            return place(command, place, order);
        }
        if (order == null) {
            return unknown("there is no order %s", command.getSubjectId());
        }
        if (data instanceof CancelOrder cancel) {
            return cancel(command, cancel, order);
        }
        if (data instanceof ConfirmOrder confirm) {
            return confirm(confirm, order);
        }
        if (data instanceof RejectOrder reject) {
            return reject(reject, order);
        }
        if (data instanceof MarkOrderDispatched dispatched) {
            return dispatch(dispatched, order);
        }
        if (data instanceof CompleteOrder complete) {
            return complete(complete, order);
        }
        throw new IllegalArgumentException("not an orders command: " + command.getCommandType());
    }

    private Decision place(CommandEnvelope command, PlaceOrder place, OrderState order) {
        if (!place.getCustomerId().equals(command.getUserId())) {
            return unauthorized("user %s cannot place an order for customer %s", command.getUserId(),
                    place.getCustomerId());
        }
        if (order != null) {
            return refused("order %s already exists", command.getSubjectId());
        }
        String problem = Optional.ofNullable(Checks.linesProblem(place.getLines()))
                .orElse(Checks.addressProblem(place.getDeliveryAddress()));
        if (problem != null) {
            return invalid(problem);
        }
        String instructions = place.getDeliveryInstructions();
        if (instructions != null && instructions.length() > MAX_INSTRUCTIONS) {
            return invalid("delivery instructions have at most %d characters, not %d", MAX_INSTRUCTIONS,
                    instructions.length());
        }
        List<PricedOrderLine> priced = new ArrayList<>();
        long total = 0;
        for (OrderLine line : place.getLines()) {
            Optional<Long> price = menu.priceCents(line.getPizza(), line.getSize());
            if (price.isEmpty()) {
                return invalid("%s in size %s is not on the menu", line.getPizza(), line.getSize());
            }
            long lineTotal = price.get() * line.getQuantity();
            priced.add(new PricedOrderLine(line.getPizza(), line.getSize(), line.getQuantity(), price.get(),
                    lineTotal));
            total += lineTotal;
        }
        return accept(new OrderPlaced(place.getCustomerId(), priced, total, place.getDeliveryAddress(),
                instructions));
    }

    private static Decision cancel(CommandEnvelope command, CancelOrder cancel, OrderState order) {
        if (!Checks.actsAsSystem(command)) {
            if (!order.getCustomerId().equals(command.getUserId())) {
                return unauthorized("user %s cannot cancel an order of customer %s", command.getUserId(),
                        order.getCustomerId());
            }
            if (cancel.getReason() != CancellationReason.CUSTOMER_REQUEST) {
                return invalid("a customer cancels with reason CUSTOMER_REQUEST, not %s", cancel.getReason());
            }
            if (order.getStatus() == OrderStatus.DISPATCHED) {
                return refused("the order is dispatched; a customer can no longer cancel it");
            }
        }
        if (!UNFINISHED.contains(order.getStatus())) {
            return refused("the order is %s and cannot be cancelled", order.getStatus());
        }
        return accept(new OrderCancelled(cancel.getReason(), cancel.getComment()));
    }

    private static Decision confirm(ConfirmOrder confirm, OrderState order) {
        if (order.getStatus() != OrderStatus.PLACED) {
            return refused("the order is %s; only a placed order can be confirmed", order.getStatus());
        }
        if (confirm.getAuthorizedAmountCents() != order.getTotalCents()) {
            return refused("%d cents are authorized but the order total is %d cents",
                    confirm.getAuthorizedAmountCents(), order.getTotalCents());
        }
        return accept(new OrderConfirmed(confirm.getAuthorizedAmountCents()));
    }

    private static Decision reject(RejectOrder reject, OrderState order) {
        if (Checks.isBlank(reject.getReason())) {
            return invalid("a rejection needs a reason");
        }
        if (order.getStatus() != OrderStatus.PLACED) {
            return refused("the order is %s; only a placed order can be rejected", order.getStatus());
        }
        return accept(new OrderRejected(reject.getReason()));
    }

    private static Decision dispatch(MarkOrderDispatched dispatched, OrderState order) {
        if (Checks.isBlank(dispatched.getCourierId())) {
            return invalid("a dispatch needs the courier's id");
        }
        if (order.getStatus() != OrderStatus.CONFIRMED) {
            return refused("the order is %s; only a confirmed order can be dispatched", order.getStatus());
        }
        return accept(new OrderDispatched(dispatched.getCourierId()));
    }

    private static Decision complete(CompleteOrder complete, OrderState order) {
        if (order.getStatus() != OrderStatus.DISPATCHED) {
            return refused("the order is %s; only a dispatched order can be completed", order.getStatus());
        }
        if (complete.getChargedCents() != order.getTotalCents()) {
            return refused("%d cents were charged but the order total is %d cents", complete.getChargedCents(),
                    order.getTotalCents());
        }
        return accept(new OrderCompleted(complete.getChargedCents()));
    }

    @Override
    public OrderState evolve(OrderState order, SpecificRecord event) {
        if (event instanceof OrderPlaced placed) {
            return placed(placed);
        }
        if (event instanceof OrderConfirmed) {
            return with(order, OrderStatus.CONFIRMED, order.getCourierId());
        }
        if (event instanceof OrderRejected) {
            return with(order, OrderStatus.REJECTED, order.getCourierId());
        }
        if (event instanceof OrderCancelled) {
            return with(order, OrderStatus.CANCELLED, order.getCourierId());
        }
        if (event instanceof OrderDispatched dispatched) {
            return with(order, OrderStatus.DISPATCHED, dispatched.getCourierId());
        }
        if (event instanceof OrderCompleted) {
            return with(order, OrderStatus.COMPLETED, order.getCourierId());
        }
        throw new IllegalArgumentException("not an orders event: " + event.getSchema().getName());
    }

    /** The state of a newly placed order: not dispatched yet, so without a courier. */
    private static OrderState placed(OrderPlaced placed) {
        OrderState order = new OrderState();
        order.setCustomerId(placed.getCustomerId());
        order.setStatus(OrderStatus.PLACED);
        order.setLines(placed.getLines());
        order.setTotalCents(placed.getTotalCents());
        order.setDeliveryAddress(placed.getDeliveryAddress());
        order.setDeliveryInstructions(placed.getDeliveryInstructions());
        return order;
    }

    /**
     * The order with a new status and courier. States are never changed after they are built, so the new one
     * shares the unchanged fields instead of deep-copying them as an Avro builder would. States are built with
     * setters and copied through the schema, never through the all-args constructor, so that a later OrderState
     * with more fields (see deploy/upgrade-fixture) still links against this code, and keeps those fields.
     */
    private static OrderState with(OrderState order, OrderStatus status, String courierId) {
        OrderState changed = shallowCopy(order);
        changed.setStatus(status);
        changed.setCourierId(courierId);
        return changed;
    }

    /** A new state holding the same field values as the order, not copies of them. */
    private static OrderState shallowCopy(OrderState order) {
        OrderState copy = new OrderState();
        for (Schema.Field field : order.getSchema().getFields()) {
            copy.put(field.pos(), order.get(field.pos()));
        }
        return copy;
    }
}
