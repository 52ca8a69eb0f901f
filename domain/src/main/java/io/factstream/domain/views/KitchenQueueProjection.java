package io.factstream.domain.views;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.kernel.view.Projection;
import io.factstream.views.KitchenQueueRow;

/**
 * The kitchen-queue view, keyed by ticket id (the order id): one row per ticket waiting or in preparation, deleted
 * when the ticket is prepared or cancelled. A row per ticket, rather than one row for the whole queue, keeps each
 * change small and lets the compacted topic drop finished tickets; the queue is a scan of the view, oldest first,
 * and a ticket's age is the reader's now minus {@code openedAt}.
 */
public final class KitchenQueueProjection implements Projection<KitchenQueueRow> {


    /** The ticket a kitchen event concerns; null for other events. */
    public static String keyOf(EventEnvelope event) {
        return EventCatalog.get().eventType(event.getEventType()).context() == BoundedContext.KITCHEN
                ? event.getAggregateId() : null;
    }

    @Override
    public KitchenQueueRow project(String ticketId, KitchenQueueRow row, EventEnvelope event) {
        Object data = event.getEventData();
        if (data instanceof TicketOpened opened) {
            return new KitchenQueueRow(ticketId, "WAITING", opened.getLines(), event.getCreationTimestamp(), null,
                    null);
        }
        if (data instanceof PreparationStarted started && row != null) {
            return KitchenQueueRow.newBuilder(row).setStatus("IN_PREPARATION")
                    .setStartedAt(event.getCreationTimestamp()).setStaffId(started.getStaffId()).build();
        }
        if (data instanceof TicketPrepared || data instanceof TicketCancelled) {
            return null; // off the queue
        }
        return row;
    }
}
