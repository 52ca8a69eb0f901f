package io.factstream.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaFixture;
import io.factstream.state.FulfilmentPhase;
import io.factstream.state.OrderFulfilmentState;

class OrderFulfilmentV2Test {

    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");
    private static final OrderFulfilment.Timeouts TIMEOUTS =
            new OrderFulfilment.Timeouts(Duration.ofMinutes(20), Duration.ofMinutes(45));
    private static final OrderPlaced PLACED = new OrderPlaced("ada",
            List.of(new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 2, 1300L, 2600L)), 2600L,
            new Address("Via Roma 1", "Napoli", "80100"), null);
    private static final PaymentAuthorized AUTHORIZED =
            new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L));

    @Test
    void aNewSagaConfirmsTheOrderBeforeItOpensTheTicket() {
        saga(new OrderFulfilmentV2(TIMEOUTS)).receive(PLACED, T0).advanceTo(T0).thenRunsVersion(2)
                .thenSent("AuthorizePayment")
                .answer("AuthorizePayment", AUTHORIZED).thenSent("ConfirmOrder").thenDeadlines()
                .answer("ConfirmOrder", new OrderConfirmed(2600L)).thenSent("OpenTicket")
                .thenDeadlines("kitchen@" + T0.plus(TIMEOUTS.kitchen()))
                .answer("OpenTicket", new TicketOpened(List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2))))
                .thenRunsVersion(2);
    }

    @Test
    void aCustomerWhoCancelsBeforeTheConfirmationGetsThePaymentReleasedAndNoTicket() {
        saga(new OrderFulfilmentV2(TIMEOUTS)).receive(PLACED, T0).advanceTo(T0)
                .answer("AuthorizePayment", AUTHORIZED)
                .reject("ConfirmOrder", "the order is cancelled").thenSent()
                .receive(new OrderCancelled(CancellationReason.CUSTOMER_REQUEST, null), T0.plusSeconds(1))
                .advanceTo(T0.plusSeconds(1)).thenSent("ReleasePayment")
                .answer("ReleasePayment", new PaymentReleased("order-1", 2600L, 3000L))
                .thenFinished("CANCELLED CUSTOMER_REQUEST");
    }

    @Test
    void aSagaThatStartedUnderVersion1FinishesItsPaymentStepUnderVersion1() {
        saga(new OrderFulfilment(TIMEOUTS)).receive(PLACED, T0).advanceTo(T0).thenRunsVersion(1)
                .upgradedTo(new OrderFulfilmentV2(TIMEOUTS))
                .answer("AuthorizePayment", AUTHORIZED).thenSent("ConfirmOrder", "OpenTicket")
                .thenDeadlines("kitchen@" + T0.plus(TIMEOUTS.kitchen())).thenRunsVersion(1);
    }

    @Test
    void anExplicitMappingMovesASagaInFlightToVersion2() {
        // Version 2 with a mapping: sagas of version 1 still waiting for their payment move to version 2.
        SagaDefinition<OrderFulfilmentState> moving = new OrderFulfilmentV2(TIMEOUTS) {
            @Override
            public Optional<OrderFulfilmentState> moveToCurrent(int fromVersion, OrderFulfilmentState state) {
                return state.getPhase() == FulfilmentPhase.AWAITING_PAYMENT ? Optional.of(state) : Optional.empty();
            }
        };

        saga(new OrderFulfilment(TIMEOUTS)).receive(PLACED, T0).advanceTo(T0).upgradedTo(moving)
                .answer("AuthorizePayment", AUTHORIZED).thenSent("ConfirmOrder").thenRunsVersion(2);
    }

    @Test
    void version1CannotRunASagaThatStartedUnderVersion2() {
        SagaFixture<OrderFulfilmentState> saga = saga(new OrderFulfilmentV2(TIMEOUTS)).receive(PLACED, T0)
                .advanceTo(T0).upgradedTo(new OrderFulfilment(TIMEOUTS));

        assertThatThrownBy(() -> saga.answer("AuthorizePayment", AUTHORIZED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the order-fulfilment saga at version 1 does not run version 2");
    }

    @Test
    void version2RunsEveryTransitionOfVersion1ButThePaymentStep() {
        var version1 = new OrderFulfilment(TIMEOUTS).table().transitions();
        var version2 = new OrderFulfilmentV2(TIMEOUTS).table().transitions();

        assertThat(version2)
                .containsAll(version1.stream().filter(row -> !row.on().equals("PaymentAuthorized")).toList())
                .hasSize(version1.size() + 2);
        assertThat(version2).filteredOn(row -> row.from().contains(FulfilmentPhase.CONFIRMING))
                .extracting(row -> row.on()).containsExactlyInAnyOrder("OrderConfirmed", "OrderCancelled");
    }

    private static SagaFixture<OrderFulfilmentState> saga(SagaDefinition<OrderFulfilmentState> definition) {
        return new SagaFixture<>(definition, "order-1");
    }
}
