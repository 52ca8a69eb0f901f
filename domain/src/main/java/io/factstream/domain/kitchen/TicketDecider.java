package io.factstream.domain.kitchen;

import static io.factstream.kernel.aggregate.Decision.accept;
import static io.factstream.kernel.aggregate.Decision.invalid;
import static io.factstream.kernel.aggregate.Decision.refused;
import static io.factstream.kernel.aggregate.Decision.unknown;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.kitchen.CancelTicket;
import io.factstream.catalog.kitchen.MarkTicketPrepared;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.StartPreparation;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.domain.shared.Checks;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.TicketState;
import io.factstream.state.TicketStatus;

/**
 * The Ticket aggregate, one per order (its id is the order id): opened by the saga, started and finished by a cook,
 * or cancelled while not yet prepared.
 */
public final class TicketDecider implements Decider<TicketState> {

    @Override
    public BoundedContext context() {
        return BoundedContext.KITCHEN;
    }

    @Override
    public Decision decide(CommandEnvelope command, TicketState ticket) {
        Object data = command.getCommandData();
        if (data instanceof OpenTicket open) {
            if (ticket != null) {
                return refused("order %s already has a ticket", command.getSubjectId());
            }
            String problem = Checks.linesProblem(open.getLines());
            return problem != null ? invalid(problem) : accept(new TicketOpened(open.getLines()));
        }
        if (ticket == null) {
            return unknown("there is no ticket for order %s", command.getSubjectId());
        }
        if (data instanceof StartPreparation) {
            return ticket.getStatus() != TicketStatus.OPEN
                    ? refused("the ticket is %s; only an open ticket can be started", ticket.getStatus())
                    : accept(new PreparationStarted(command.getUserId()));
        }
        if (data instanceof MarkTicketPrepared) {
            return ticket.getStatus() != TicketStatus.IN_PREPARATION
                    ? refused("the ticket is %s; only a ticket in preparation can be prepared", ticket.getStatus())
                    : accept(new TicketPrepared(command.getUserId()));
        }
        if (data instanceof CancelTicket cancel) {
            if (Checks.isBlank(cancel.getReason())) {
                return invalid("a cancellation needs a reason");
            }
            return ticket.getStatus() == TicketStatus.PREPARED || ticket.getStatus() == TicketStatus.CANCELLED
                    ? refused("the ticket is %s and cannot be cancelled", ticket.getStatus())
                    : accept(new TicketCancelled(cancel.getReason()));
        }
        throw new IllegalArgumentException("not a kitchen command: " + command.getCommandType());
    }

    @Override
    public TicketState evolve(TicketState ticket, SpecificRecord event) {
        if (event instanceof TicketOpened opened) {
            return new TicketState(TicketStatus.OPEN, opened.getLines(), null);
        }
        if (event instanceof PreparationStarted started) {
            return new TicketState(TicketStatus.IN_PREPARATION, ticket.getLines(), started.getStaffId());
        }
        if (event instanceof TicketPrepared prepared) {
            return new TicketState(TicketStatus.PREPARED, ticket.getLines(), prepared.getStaffId());
        }
        if (event instanceof TicketCancelled) {
            return new TicketState(TicketStatus.CANCELLED, ticket.getLines(), ticket.getStaffId());
        }
        throw new IllegalArgumentException("not a kitchen event: " + event.getSchema().getName());
    }
}
