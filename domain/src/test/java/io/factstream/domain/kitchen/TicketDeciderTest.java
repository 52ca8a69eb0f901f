package io.factstream.domain.kitchen;

import static io.factstream.catalog.RejectionReason.BUSINESS_RULE_VIOLATION;
import static io.factstream.catalog.RejectionReason.INVALID_COMMAND;
import static io.factstream.catalog.RejectionReason.UNAUTHORIZED;
import static io.factstream.catalog.RejectionReason.UNKNOWN_AGGREGATE;
import static io.factstream.kernel.aggregate.Sender.cook;
import static io.factstream.kernel.aggregate.Sender.courier;
import static io.factstream.kernel.aggregate.Sender.saga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.kitchen.CancelTicket;
import io.factstream.catalog.kitchen.MarkTicketPrepared;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.StartPreparation;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.kernel.aggregate.DeciderFixture;
import io.factstream.state.TicketState;
import io.factstream.state.TicketStatus;

class TicketDeciderTest {

    static final List<OrderLine> LINES = List.of(new OrderLine("DIAVOLA", PizzaSize.SMALL, 3));
    static final TicketOpened OPENED = new TicketOpened(LINES);
    static final PreparationStarted STARTED = new PreparationStarted("carlo");

    private final DeciderFixture<TicketState> ticket = DeciderFixture.of(new TicketDecider(), "order-1");

    @Nested
    class OpenTicketCommand {

        @Test
        void queuesTheOrder() {
            ticket.given().when(saga().sends(new OpenTicket(LINES))).thenEvents(OPENED)
                    .thenState(state -> assertThat(state.getStatus()).isEqualTo(TicketStatus.OPEN));
        }

        @Test
        void opensOnceWithValidLines() {
            ticket.given(OPENED).when(saga().sends(new OpenTicket(LINES)))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "order order-1 already has a ticket");
            ticket.given().when(saga().sends(new OpenTicket(List.of())))
                    .thenRejected(INVALID_COMMAND, "an order has 1 to 20 lines, not 0");
        }

        @Test
        void isOnlyForTheSystem() {
            ticket.given().when(cook("carlo").sends(new OpenTicket(LINES)))
                    .thenRejected(UNAUTHORIZED, "OpenTicket needs one of the roles [SYSTEM]");
        }
    }

    @Nested
    class StartPreparationCommand {

        @Test
        void startsAnOpenTicket() {
            ticket.given(OPENED).when(cook("carlo").sends(new StartPreparation())).thenEvents(STARTED)
                    .thenState(state -> assertThat(state.getStaffId()).isEqualTo("carlo"));
        }

        @Test
        void startsOnlyAnOpenTicket() {
            ticket.given(OPENED, STARTED).when(cook("maria").sends(new StartPreparation()))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the ticket is IN_PREPARATION; only an open ticket");
            ticket.given().when(cook("maria").sends(new StartPreparation()))
                    .thenRejected(UNKNOWN_AGGREGATE, "there is no ticket for order order-1");
        }

        @Test
        void isOnlyForKitchenStaff() {
            ticket.given(OPENED).when(courier("carla").sends(new StartPreparation()))
                    .thenRejected(UNAUTHORIZED, "StartPreparation needs one of the roles [KITCHEN_STAFF]");
        }
    }

    @Nested
    class MarkTicketPreparedCommand {

        @Test
        void finishesATicketInPreparation() {
            ticket.given(OPENED, STARTED).when(cook("carlo").sends(new MarkTicketPrepared()))
                    .thenEvents(new TicketPrepared("carlo"));
        }

        @Test
        void needsTheTicketInPreparation() {
            ticket.given(OPENED).when(cook("carlo").sends(new MarkTicketPrepared()))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the ticket is OPEN; only a ticket in preparation");
        }
    }

    @Nested
    class CancelTicketCommand {

        @Test
        void cancelsAnUnpreparedTicket() {
            ticket.given(OPENED).when(saga().sends(new CancelTicket("order cancelled")))
                    .thenEvents(new TicketCancelled("order cancelled"));
            ticket.given(OPENED, STARTED).when(saga().sends(new CancelTicket("kitchen timeout")))
                    .thenEvents(new TicketCancelled("kitchen timeout"));
        }

        @Test
        void refusesAPreparedTicketAndNeedsAReason() {
            ticket.given(OPENED, STARTED, new TicketPrepared("carlo")).when(saga().sends(new CancelTicket("late")))
                    .thenRejected(BUSINESS_RULE_VIOLATION, "the ticket is PREPARED and cannot be cancelled");
            ticket.given(OPENED).when(saga().sends(new CancelTicket("")))
                    .thenRejected(INVALID_COMMAND, "a cancellation needs a reason");
        }
    }
}
