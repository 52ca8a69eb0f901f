package io.factstream.domain.orders;

import static io.factstream.catalog.RejectionReason.BUSINESS_RULE_VIOLATION;
import static io.factstream.catalog.RejectionReason.INVALID_COMMAND;
import static io.factstream.catalog.RejectionReason.UNAUTHORIZED;
import static io.factstream.catalog.RejectionReason.UNKNOWN_AGGREGATE;
import static io.factstream.kernel.aggregate.Sender.cook;
import static io.factstream.kernel.aggregate.Sender.courier;
import static io.factstream.kernel.aggregate.Sender.customer;
import static io.factstream.kernel.aggregate.Sender.saga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
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
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.DeciderFixture;
import io.factstream.state.OrderState;
import io.factstream.state.OrderStatus;

class OrderDeciderTest {

    static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    static final PlaceOrder PLACE = new PlaceOrder("ada", List.of(
            new OrderLine("MARGHERITA", PizzaSize.LARGE, 2),
            new OrderLine("CALZONE", PizzaSize.MEDIUM, 1)), ADDRESS, "ring twice");
    /** 2 x 1300 + 1 x 1300 from the menu. */
    static final OrderPlaced PLACED = new OrderPlaced("ada", List.of(
            new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 2, 1300L, 2600L),
            new PricedOrderLine("CALZONE", PizzaSize.MEDIUM, 1, 1300L, 1300L)), 3900L, ADDRESS, "ring twice");
    static final OrderConfirmed CONFIRMED = new OrderConfirmed(3900L);
    static final OrderDispatched DISPATCHED = new OrderDispatched("carla");

    private final DeciderFixture<OrderState> order = DeciderFixture.of(new OrderDecider(Menu.standard()), "order-1");

    @Nested
    class PlaceOrderCommand {

        @Test
        void pricesTheLinesFromTheMenu() {
            order.given()
                    .when(customer("ada").sends(PLACE))
                    .thenEvents(PLACED)
                    .thenState(state -> {
                        assertThat(state.getStatus()).isEqualTo(OrderStatus.PLACED);
                        assertThat(state.getTotalCents()).isEqualTo(3900L);
                    });
        }

        @Test
        void isOnlyForCustomers() {
            order.given().when(courier("ada").sends(PLACE)).thenRejected(UNAUTHORIZED, "needs one of the roles");
        }

        @Test
        void isOnlyForTheCustomerThemselves() {
            order.given().when(customer("bob").sends(PLACE))
                    .thenRejected(UNAUTHORIZED, "user bob cannot place an order for customer ada");
        }

        @Test
        void needsANewOrderId() {
            order.given(PLACED).when(customer("ada").sends(PLACE))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "order order-1 already exists");
        }

        @Test
        void needsOneToTwentyLines() {
            order.given().when(customer("ada").sends(withLines(List.of())))
                    .thenRejected(INVALID_COMMAND, "an order has 1 to 20 lines, not 0");
            order.given().when(customer("ada").sends(withLines(
                            Collections.nCopies(21, new OrderLine("MARINARA", PizzaSize.SMALL, 1)))))
                    .thenRejected(INVALID_COMMAND, "an order has 1 to 20 lines, not 21");
        }

        @Test
        void needsAQuantityOfOneToTen() {
            order.given().when(customer("ada").sends(withLines(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 0)))))
                    .thenRejected(INVALID_COMMAND, "a line's quantity is 1 to 10, not 0");
            order.given().when(customer("ada").sends(withLines(List.of(new OrderLine("FUNGHI", PizzaSize.SMALL, 11)))))
                    .thenRejected(INVALID_COMMAND, "a line's quantity is 1 to 10, not 11");
        }

        @Test
        void needsPizzasAndSizesOnTheMenu() {
            order.given().when(customer("ada").sends(withLines(List.of(new OrderLine("HAWAII", PizzaSize.SMALL, 1)))))
                    .thenRejected(INVALID_COMMAND, "HAWAII in size SMALL is not on the menu");
            order.given().when(customer("ada").sends(withLines(List.of(new OrderLine("CALZONE", PizzaSize.LARGE, 1)))))
                    .thenRejected(INVALID_COMMAND, "CALZONE in size LARGE is not on the menu");
        }

        @Test
        void needsACompleteAddress() {
            PlaceOrder noCity = PlaceOrder.newBuilder(PLACE).setDeliveryAddress(new Address("Via Roma 1", " ", "80100"))
                    .build();
            order.given().when(customer("ada").sends(noCity))
                    .thenRejected(INVALID_COMMAND, "the address needs a street, a city and a postal code");
        }

        @Test
        void limitsTheDeliveryInstructions() {
            PlaceOrder chatty = PlaceOrder.newBuilder(PLACE).setDeliveryInstructions("x".repeat(201)).build();
            order.given().when(customer("ada").sends(chatty))
                    .thenRejected(INVALID_COMMAND, "delivery instructions have at most 200 characters, not 201");
        }

        private PlaceOrder withLines(List<OrderLine> lines) {
            return PlaceOrder.newBuilder(PLACE).setLines(lines).build();
        }
    }

    @Nested
    class CancelOrderCommand {

        private final CancelOrder byCustomer = new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind");

        @Test
        void letsTheCustomerCancelBeforeDispatch() {
            order.given(PLACED).when(customer("ada").sends(byCustomer))
                    .thenEvents(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, "changed my mind"));
            order.given(PLACED, CONFIRMED).when(customer("ada").sends(byCustomer))
                    .thenEvents(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, "changed my mind"))
                    .thenState(state -> assertThat(state.getStatus()).isEqualTo(OrderStatus.CANCELLED));
        }

        @Test
        void refusesTheCustomerAfterDispatch() {
            order.given(PLACED, CONFIRMED, DISPATCHED).when(customer("ada").sends(byCustomer))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "a customer can no longer cancel it");
        }

        @Test
        void letsTheSagaCancelAfterDispatch() {
            CancelOrder failed = new CancelOrder(CancellationReason.DELIVERY_FAILED, null);
            order.given(PLACED, CONFIRMED, DISPATCHED).when(saga().sends(failed))
                    .thenEvents(new OrderCancelled(CancellationReason.DELIVERY_FAILED, null));
        }

        @Test
        void isOnlyForTheOrdersCustomer() {
            order.given(PLACED).when(customer("bob").sends(byCustomer))
                    .thenRejected(UNAUTHORIZED, "user bob cannot cancel an order of customer ada");
            order.given(PLACED).when(cook("carlo").sends(byCustomer))
                    .thenRejected(UNAUTHORIZED, "needs one of the roles [CUSTOMER, SYSTEM]");
        }

        @Test
        void letsACustomerGiveOnlyTheirOwnReason() {
            order.given(PLACED).when(customer("ada").sends(new CancelOrder(CancellationReason.KITCHEN_TIMEOUT, null)))
                    .thenRejected(INVALID_COMMAND, "with reason CUSTOMER_REQUEST, not KITCHEN_TIMEOUT");
        }

        @Test
        void refusesAFinishedOrder() {
            order.given(PLACED, new OrderRejected("no money")).when(saga().sends(byCustomer))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the order is REJECTED and cannot be cancelled");
            order.given(PLACED, new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null))
                    .when(customer("ada").sends(byCustomer))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the order is CANCELLED and cannot be cancelled");
        }

        @Test
        void needsAnExistingOrder() {
            order.given().when(customer("ada").sends(byCustomer))
                    .thenRejected(UNKNOWN_AGGREGATE, "there is no order order-1");
        }
    }

    @Nested
    class ConfirmOrderCommand {

        @Test
        void confirmsAPlacedOrderForItsTotal() {
            order.given(PLACED).when(saga().sends(new ConfirmOrder(3900L))).thenEvents(CONFIRMED);
        }

        @Test
        void needsTheTotalAuthorized() {
            order.given(PLACED).when(saga().sends(new ConfirmOrder(3800L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "3800 cents are authorized but the order total is 3900");
        }

        @Test
        void needsAPlacedOrder() {
            order.given(PLACED, CONFIRMED).when(saga().sends(new ConfirmOrder(3900L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the order is CONFIRMED; only a placed order");
        }

        @Test
        void isOnlyForTheSystem() {
            order.given(PLACED).when(customer("ada").sends(new ConfirmOrder(3900L)))
                    .thenRejected(UNAUTHORIZED, "ConfirmOrder needs one of the roles [SYSTEM]");
        }
    }

    @Nested
    class RejectOrderCommand {

        @Test
        void rejectsAPlacedOrder() {
            order.given(PLACED).when(saga().sends(new RejectOrder("insufficient funds")))
                    .thenEvents(new OrderRejected("insufficient funds"))
                    .thenState(state -> assertThat(state.getStatus()).isEqualTo(OrderStatus.REJECTED));
        }

        @Test
        void needsAReason() {
            order.given(PLACED).when(saga().sends(new RejectOrder(""))).thenRejected(INVALID_COMMAND, "needs a reason");
        }

        @Test
        void needsAPlacedOrder() {
            order.given(PLACED, CONFIRMED).when(saga().sends(new RejectOrder("late")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "only a placed order can be rejected");
        }
    }

    @Nested
    class MarkOrderDispatchedCommand {

        @Test
        void dispatchesAConfirmedOrder() {
            order.given(PLACED, CONFIRMED).when(saga().sends(new MarkOrderDispatched("carla")))
                    .thenEvents(DISPATCHED)
                    .thenState(state -> assertThat(state.getCourierId()).isEqualTo("carla"));
        }

        @Test
        void needsAConfirmedOrder() {
            order.given(PLACED).when(saga().sends(new MarkOrderDispatched("carla")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "only a confirmed order can be dispatched");
        }

        @Test
        void needsTheCourier() {
            order.given(PLACED, CONFIRMED).when(saga().sends(new MarkOrderDispatched(" ")))
                    .thenRejected(INVALID_COMMAND, "needs the courier's id");
        }
    }

    @Nested
    class CompleteOrderCommand {

        @Test
        void completesADispatchedOrderChargedItsTotal() {
            order.given(PLACED, CONFIRMED, DISPATCHED).when(saga().sends(new CompleteOrder(3900L)))
                    .thenEvents(new OrderCompleted(3900L))
                    .thenState(state -> assertThat(state.getStatus()).isEqualTo(OrderStatus.COMPLETED));
        }

        @Test
        void needsADispatchedOrder() {
            order.given(PLACED, CONFIRMED).when(saga().sends(new CompleteOrder(3900L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "only a dispatched order can be completed");
        }

        @Test
        void needsTheTotalCharged() {
            order.given(PLACED, CONFIRMED, DISPATCHED).when(saga().sends(new CompleteOrder(100L)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "100 cents were charged but the order total is 3900");
        }
    }
}
