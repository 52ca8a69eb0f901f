package io.factstream.domain.views;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.delivery.DeliveryCancelled;
import io.factstream.catalog.delivery.DeliveryCompleted;
import io.factstream.catalog.delivery.DeliveryFailed;
import io.factstream.catalog.delivery.DeliveryPickedUp;
import io.factstream.catalog.delivery.DeliveryRequested;
import io.factstream.catalog.kitchen.PreparationStarted;
import io.factstream.catalog.kitchen.TicketCancelled;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.kitchen.TicketPrepared;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentDeclined;
import io.factstream.catalog.payments.PaymentRefunded;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.kernel.view.Projection;
import io.factstream.views.OrderStatusRow;
import io.factstream.views.PaymentView;
import io.factstream.views.StepView;
import io.factstream.views.TimelineEntry;

/**
 * The order-status view, keyed by order id: the order, its payment, its kitchen ticket and its delivery, and the
 * timeline of everything that happened to it, joined across the four contexts by order id. The order's fields come
 * from order events only, the payment from payment events only, and so on; the timeline is kept in time order; so
 * the row is the same whatever order the contexts' events arrive in.
 */
public final class OrderStatusProjection implements Projection<OrderStatusRow> {


    private static final Comparator<TimelineEntry> TIMELINE =
            Comparator.comparing(TimelineEntry::getAt).thenComparing(TimelineEntry::getEventId);

    /** The order an event concerns: the aggregate of order, ticket and delivery events, the order of payments. */
    public static String keyOf(EventEnvelope event) {
        Object data = event.getEventData();
        if (data instanceof PaymentAuthorized p) {
            return p.getOrderId();
        }
        if (data instanceof PaymentDeclined p) {
            return p.getOrderId();
        }
        if (data instanceof PaymentCaptured p) {
            return p.getOrderId();
        }
        if (data instanceof PaymentReleased p) {
            return p.getOrderId();
        }
        if (data instanceof PaymentRefunded p) {
            return p.getOrderId();
        }
        BoundedContext context = EventCatalog.get().eventType(event.getEventType()).context();
        return context == BoundedContext.PAYMENTS ? null : event.getAggregateId();
    }

    @Override
    public OrderStatusRow project(String orderId, OrderStatusRow current, EventEnvelope event) {
        OrderStatusRow.Builder row = current == null ? empty(orderId) : OrderStatusRow.newBuilder(current);
        Object data = event.getEventData();
        if (data instanceof OrderPlaced placed) {
            row.setCustomerId(placed.getCustomerId()).setStatus("PLACED").setLines(placed.getLines())
                    .setTotalCents(placed.getTotalCents());
        } else if (data instanceof OrderConfirmed) {
            row.setStatus("CONFIRMED");
        } else if (data instanceof OrderRejected) {
            row.setStatus("REJECTED");
        } else if (data instanceof OrderCancelled cancelled) {
            row.setStatus("CANCELLED").setCancellationReason(cancelled.getReason().name());
        } else if (data instanceof OrderDispatched) {
            row.setStatus("DISPATCHED");
        } else if (data instanceof OrderCompleted) {
            row.setStatus("COMPLETED");
        } else if (data instanceof PaymentAuthorized p) {
            row.setPayment(new PaymentView("AUTHORIZED", p.getAmount().getMinorUnits(), null));
        } else if (data instanceof PaymentDeclined p) {
            row.setPayment(new PaymentView("DECLINED", p.getAmountCents(), p.getReason()));
        } else if (data instanceof PaymentCaptured p) {
            row.setPayment(new PaymentView("CAPTURED", p.getAmountCents(), null));
        } else if (data instanceof PaymentReleased p) {
            row.setPayment(new PaymentView("RELEASED", p.getAmountCents(), null));
        } else if (data instanceof PaymentRefunded p) {
            row.setPayment(new PaymentView("REFUNDED", p.getAmountCents(), p.getReason()));
        } else if (data instanceof TicketOpened) {
            row.setKitchen(new StepView("OPEN", null));
        } else if (data instanceof PreparationStarted started) {
            row.setKitchen(new StepView("IN_PREPARATION", started.getStaffId()));
        } else if (data instanceof TicketPrepared prepared) {
            row.setKitchen(new StepView("PREPARED", prepared.getStaffId()));
        } else if (data instanceof TicketCancelled) {
            row.setKitchen(new StepView("CANCELLED", row.getKitchen().getBy()));
        } else if (data instanceof DeliveryRequested) {
            row.setDelivery(new StepView("REQUESTED", null));
        } else if (data instanceof DeliveryPickedUp pickedUp) {
            row.setDelivery(new StepView("PICKED_UP", pickedUp.getCourierId()));
        } else if (data instanceof DeliveryCompleted completed) {
            row.setDelivery(new StepView("COMPLETED", completed.getCourierId()));
        } else if (data instanceof DeliveryFailed failed) {
            row.setDelivery(new StepView("FAILED", failed.getCourierId()));
        } else if (data instanceof DeliveryCancelled) {
            row.setDelivery(new StepView("CANCELLED", row.getDelivery().getBy()));
        } else {
            return current; // not an event about the order itself
        }
        List<TimelineEntry> timeline = new ArrayList<>(row.getTimeline());
        timeline.add(new TimelineEntry(event.getCreationTimestamp(),
                EventCatalog.get().eventType(event.getEventType()).context().id(), event.getEventType(),
                event.getEventId()));
        timeline.sort(TIMELINE);
        return row.setTimeline(timeline).build();
    }

    private static OrderStatusRow.Builder empty(String orderId) {
        return OrderStatusRow.newBuilder()
                .setOrderId(orderId)
                .setLines(List.of())
                .setTimeline(List.of())
                .setPayment(new PaymentView(null, null, null))
                .setKitchen(new StepView(null, null))
                .setDelivery(new StepView(null, null));
    }
}
