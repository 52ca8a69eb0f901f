package io.factstream.domain.delivery;

import static io.factstream.kernel.aggregate.Decision.accept;
import static io.factstream.kernel.aggregate.Decision.invalid;
import static io.factstream.kernel.aggregate.Decision.refused;
import static io.factstream.kernel.aggregate.Decision.unauthorized;
import static io.factstream.kernel.aggregate.Decision.unknown;

import java.util.function.Supplier;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.delivery.CancelDelivery;
import io.factstream.catalog.delivery.CompleteDelivery;
import io.factstream.catalog.delivery.DeliveryCancelled;
import io.factstream.catalog.delivery.DeliveryCompleted;
import io.factstream.catalog.delivery.DeliveryFailed;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.DeliveryRequested;
import io.factstream.catalog.delivery.PickUpDelivery;
import io.factstream.catalog.delivery.ReportDeliveryFailure;
import io.factstream.catalog.delivery.RequestDelivery;
import io.factstream.domain.shared.Checks;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.DeliveryState;
import io.factstream.state.DeliveryStatus;

/**
 * The Delivery aggregate, one per order (its id is the order id): requested by the saga, picked up by a courier,
 * then completed or failed by that same courier; the saga may call it off while it is not finished.
 */
public final class DeliveryDecider implements Decider<DeliveryState> {

    @Override
    public BoundedContext context() {
        return BoundedContext.DELIVERY;
    }

    @Override
    public Decision decide(CommandEnvelope command, DeliveryState delivery) {
        Object data = command.getCommandData();
        if (data instanceof RequestDelivery request) {
            if (delivery != null) {
                return refused("order %s already has a delivery", command.getSubjectId());
            }
            if (Checks.isBlank(request.getCustomerId())) {
                return invalid("a delivery needs the customer's id");
            }
            String problem = Checks.addressProblem(request.getAddress());
            return problem != null ? invalid(problem) : accept(new DeliveryRequested(request.getCustomerId(),
                    request.getAddress(), request.getInstructions()));
        }
        if (delivery == null) {
            return unknown("there is no delivery for order %s", command.getSubjectId());
        }
        if (data instanceof PickUpDelivery) {
            return delivery.getStatus() != DeliveryStatus.REQUESTED
                    ? refused("the delivery is %s; only a requested delivery can be picked up", delivery.getStatus())
                    : accept(new DeliveryPickedUp(command.getUserId()));
        }
        if (data instanceof CompleteDelivery) {
            return byItsCourier(command, delivery, () -> new DeliveryCompleted(command.getUserId()));
        }
        if (data instanceof ReportDeliveryFailure failure) {
            if (Checks.isBlank(failure.getReason())) {
                return invalid("a failure report needs a reason");
            }
            return byItsCourier(command, delivery, () -> new DeliveryFailed(command.getUserId(), failure.getReason()));
        }
        if (data instanceof CancelDelivery cancel) {
            if (Checks.isBlank(cancel.getReason())) {
                return invalid("a cancellation needs a reason");
            }
            return isFinished(delivery)
                    ? refused("the delivery is %s and cannot be cancelled", delivery.getStatus())
                    : accept(new DeliveryCancelled(cancel.getReason()));
        }
        throw new IllegalArgumentException("not a delivery command: " + command.getCommandType());
    }

    /** Completing or failing a delivery: only while it is on its way, and only by the courier carrying it. */
    private static Decision byItsCourier(CommandEnvelope command, DeliveryState delivery,
                                         Supplier<SpecificRecord> event) {
        if (delivery.getStatus() != DeliveryStatus.PICKED_UP) {
            return refused("the delivery is %s; only a picked-up delivery can be finished", delivery.getStatus());
        }
        if (!delivery.getCourierId().equals(command.getUserId())) {
            return unauthorized("courier %s carries this delivery, not %s", delivery.getCourierId(),
                    command.getUserId());
        }
        return accept(event.get());
    }

    private static boolean isFinished(DeliveryState delivery) {
        return delivery.getStatus() != DeliveryStatus.REQUESTED && delivery.getStatus() != DeliveryStatus.PICKED_UP;
    }

    @Override
    public DeliveryState evolve(DeliveryState delivery, SpecificRecord event) {
        if (event instanceof DeliveryRequested requested) {
            return new DeliveryState(DeliveryStatus.REQUESTED, requested.getCustomerId(), null);
        }
        if (event instanceof DeliveryPickedUp pickedUp) {
            return new DeliveryState(DeliveryStatus.PICKED_UP, delivery.getCustomerId(), pickedUp.getCourierId());
        }
        if (event instanceof DeliveryCompleted) {
            return with(delivery, DeliveryStatus.COMPLETED);
        }
        if (event instanceof DeliveryFailed) {
            return with(delivery, DeliveryStatus.FAILED);
        }
        if (event instanceof DeliveryCancelled) {
            return with(delivery, DeliveryStatus.CANCELLED);
        }
        throw new IllegalArgumentException("not a delivery event: " + event.getSchema().getName());
    }

    private static DeliveryState with(DeliveryState delivery, DeliveryStatus status) {
        return new DeliveryState(status, delivery.getCustomerId(), delivery.getCourierId());
    }
}
