package io.factstream.domain.delivery;

import static io.factstream.catalog.RejectionReason.BUSINESS_RULE_VIOLATION;
import static io.factstream.catalog.RejectionReason.INVALID_COMMAND;
import static io.factstream.catalog.RejectionReason.UNAUTHORIZED;
import static io.factstream.catalog.RejectionReason.UNKNOWN_AGGREGATE;
import static io.factstream.kernel.aggregate.Sender.cook;
import static io.factstream.kernel.aggregate.Sender.courier;
import static io.factstream.kernel.aggregate.Sender.saga;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
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
import io.factstream.kernel.aggregate.DeciderFixture;
import io.factstream.state.DeliveryState;
import io.factstream.state.DeliveryStatus;

class DeliveryDeciderTest {

    static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    static final DeliveryRequested REQUESTED = new DeliveryRequested("ada", ADDRESS, "ring twice");
    static final DeliveryPickedUp PICKED_UP = new DeliveryPickedUp("carla");

    private final DeciderFixture<DeliveryState> delivery = DeciderFixture.of(new DeliveryDecider(), "order-1");

    @Nested
    class RequestDeliveryCommand {

        @Test
        void requestsACourier() {
            delivery.given().when(saga().sends(new RequestDelivery("ada", ADDRESS, "ring twice")))
                    .thenEvents(REQUESTED)
                    .thenState(state -> assertThat(state.getStatus()).isEqualTo(DeliveryStatus.REQUESTED));
        }

        @Test
        void requestsOnceForACustomerAndAnAddress() {
            delivery.given(REQUESTED).when(saga().sends(new RequestDelivery("ada", ADDRESS, null)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "order order-1 already has a delivery");
            delivery.given().when(saga().sends(new RequestDelivery(" ", ADDRESS, null)))
                    .thenRejected(INVALID_COMMAND, "needs the customer's id");
            delivery.given().when(saga().sends(new RequestDelivery("ada", new Address("", "Napoli", "1"), null)))
                    .thenRejected(INVALID_COMMAND, "the address needs a street");
        }

        @Test
        void isOnlyForTheSystem() {
            delivery.given().when(courier("carla").sends(new RequestDelivery("ada", ADDRESS, null)))
                    .thenRejected(UNAUTHORIZED, "RequestDelivery needs one of the roles [SYSTEM]");
        }
    }

    @Nested
    class PickUpDeliveryCommand {

        @Test
        void givesTheDeliveryToTheCourier() {
            delivery.given(REQUESTED).when(courier("carla").sends(new PickUpDelivery())).thenEvents(PICKED_UP)
                    .thenState(state -> assertThat(state.getCourierId()).isEqualTo("carla"));
        }

        @Test
        void picksUpOnlyARequestedDelivery() {
            delivery.given(REQUESTED, PICKED_UP).when(courier("dino").sends(new PickUpDelivery()))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the delivery is PICKED_UP");
            delivery.given().when(courier("dino").sends(new PickUpDelivery()))
                    .thenRejected(UNKNOWN_AGGREGATE, "there is no delivery for order order-1");
            delivery.given(REQUESTED).when(cook("carlo").sends(new PickUpDelivery()))
                    .thenRejected(UNAUTHORIZED, "needs one of the roles [COURIER]");
        }
    }

    @Nested
    class CompleteDeliveryCommand {

        @Test
        void completesTheCouriersDelivery() {
            delivery.given(REQUESTED, PICKED_UP).when(courier("carla").sends(new CompleteDelivery()))
                    .thenEvents(new DeliveryCompleted("carla"));
        }

        @Test
        void isOnlyForTheCourierCarryingIt() {
            delivery.given(REQUESTED, PICKED_UP).when(courier("dino").sends(new CompleteDelivery()))
                    .thenRejected(UNAUTHORIZED, "courier carla carries this delivery, not dino");
        }

        @Test
        void needsAPickedUpDelivery() {
            delivery.given(REQUESTED).when(courier("carla").sends(new CompleteDelivery()))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "only a picked-up delivery can be finished");
        }
    }

    @Nested
    class ReportDeliveryFailureCommand {

        @Test
        void failsTheCouriersDelivery() {
            delivery.given(REQUESTED, PICKED_UP).when(courier("carla").sends(new ReportDeliveryFailure("no answer")))
                    .thenEvents(new DeliveryFailed("carla", "no answer"));
        }

        @Test
        void needsAReasonTheCourierAndAPickedUpDelivery() {
            delivery.given(REQUESTED, PICKED_UP).when(courier("carla").sends(new ReportDeliveryFailure("")))
                    .thenRejected(INVALID_COMMAND, "a failure report needs a reason");
            delivery.given(REQUESTED, PICKED_UP).when(courier("dino").sends(new ReportDeliveryFailure("lost")))
                    .thenRejected(UNAUTHORIZED, "courier carla carries this delivery, not dino");
            delivery.given(REQUESTED, PICKED_UP, new DeliveryCompleted("carla"))
                    .when(courier("carla").sends(new ReportDeliveryFailure("lost")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the delivery is COMPLETED");
        }
    }

    @Nested
    class CancelDeliveryCommand {

        @Test
        void callsOffAnUnfinishedDelivery() {
            delivery.given(REQUESTED).when(saga().sends(new CancelDelivery("order cancelled")))
                    .thenEvents(new DeliveryCancelled("order cancelled"));
            delivery.given(REQUESTED, PICKED_UP).when(saga().sends(new CancelDelivery("timeout")))
                    .thenEvents(new DeliveryCancelled("timeout"));
        }

        @Test
        void refusesAFinishedDeliveryAndNeedsAReason() {
            delivery.given(REQUESTED, PICKED_UP, new DeliveryFailed("carla", "lost"))
                    .when(saga().sends(new CancelDelivery("timeout")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the delivery is FAILED and cannot be cancelled");
            delivery.given(REQUESTED).when(saga().sends(new CancelDelivery(" ")))
                    .thenRejected(INVALID_COMMAND, "a cancellation needs a reason");
        }
    }
}
