package io.factstream.upgrade;

import static io.factstream.catalog.RejectionReason.BUSINESS_RULE_VIOLATION;
import static io.factstream.kernel.aggregate.Sender.customer;
import static io.factstream.kernel.aggregate.Sender.saga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.DeciderFixture;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.OrderState;

class OrderDeciderV2Test {

    static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    static final PlaceOrder PLACE_LARGE = new PlaceOrder("ada", List.of(
            new OrderLine("MARGHERITA", PizzaSize.LARGE, 3),
            new OrderLine("CALZONE", PizzaSize.MEDIUM, 2)), ADDRESS, null);
    /** 3 + 2 pizzas at 1300 cents from the menu: as large as {@link OrderDeciderV2#LARGE_ORDER_PIZZAS}. */
    static final OrderPlaced PLACED_LARGE = new OrderPlaced("ada", List.of(
            new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 3, 1300L, 3900L),
            new PricedOrderLine("CALZONE", PizzaSize.MEDIUM, 2, 1300L, 2600L)), 6500L, ADDRESS, null);
    static final OrderConfirmed CONFIRMED_LARGE = new OrderConfirmed(6500L);
    /** One pizza fewer than a large order. */
    static final OrderPlaced PLACED_SMALL = new OrderPlaced("ada", List.of(
            new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 4, 1300L, 5200L)), 5200L, ADDRESS, null);
    static final CancelOrder CANCEL_BY_CUSTOMER = new CancelOrder(CancellationReason.CUSTOMER_REQUEST, null);

    private final DeciderFixture<OrderState> order = DeciderFixture.of(new OrderDeciderV2(), "order-1");

    @Test
    void countsThePizzasOfAPlacedOrder() {
        order.given()
                .when(customer("ada").sends(PLACE_LARGE))
                .thenEvents(PLACED_LARGE)
                .thenState(state -> assertThat(state.getPizzaCount()).isEqualTo(5));
    }

    @Test
    void keepsTheCountThroughTheOrdersLife() {
        order.given(PLACED_LARGE)
                .when(saga().sends(new ConfirmOrder(6500L)))
                .thenEvents(CONFIRMED_LARGE)
                .thenState(state -> assertThat(state.getPizzaCount()).isEqualTo(5));
    }

    @Test
    void refusesTheCustomerACancelOfALargeConfirmedOrder() {
        order.given(PLACED_LARGE, CONFIRMED_LARGE)
                .when(customer("ada").sends(CANCEL_BY_CUSTOMER))
                .thenRejected(BUSINESS_RULE_VIOLATION, "the kitchen has started on the 5 pizzas of this confirmed order");
    }

    @Test
    void letsTheCustomerCancelASmallConfirmedOrder() {
        order.given(PLACED_SMALL, new OrderConfirmed(5200L))
                .when(customer("ada").sends(CANCEL_BY_CUSTOMER))
                .thenEvents(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null));
    }

    @Test
    void letsTheCustomerCancelALargeOrderBeforeItIsConfirmed() {
        order.given(PLACED_LARGE)
                .when(customer("ada").sends(CANCEL_BY_CUSTOMER))
                .thenEvents(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null));
    }

    @Test
    void letsTheSystemCancelALargeConfirmedOrder() {
        order.given(PLACED_LARGE, CONFIRMED_LARGE)
                .when(saga().sends(new CancelOrder(CancellationReason.KITCHEN_TIMEOUT, null)))
                .thenEvents(new OrderCancelled(CancellationReason.KITCHEN_TIMEOUT, null));
    }

    @Test
    void keepsVersion1RulesForAnOrderCarriedOverFromVersion1() {
        OrderState carriedOver = version1State(PLACED_LARGE, CONFIRMED_LARGE);

        Decision decision = new OrderDeciderV2().decide(
                order.given().envelope(customer("ada").sends(CANCEL_BY_CUSTOMER)), carriedOver);

        assertThat(carriedOver.getPizzaCount()).isZero();
        assertThat(decision).isEqualTo(Decision.accept(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null)));
    }

    /** The state version 1 folded from these events: it knows no pizzaCount, so the count is 0. */
    static OrderState version1State(SpecificRecord... history) {
        OrderDecider v1 = new OrderDecider(Menu.standard());
        OrderState state = null;
        for (SpecificRecord event : history) {
            state = v1.evolve(state, event);
        }
        return state;
    }
}
