package io.factstream.domain.views;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderDispatched;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentRefunded;
import io.factstream.catalog.payments.WalletOpened;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.kernel.view.Projection;
import io.factstream.views.CustomerOrdersRow;

/**
 * The customer-orders view, keyed by customer id: each order's status, the active ones, how many ended each way,
 * lifetime spend and the wallet balance. Order events reach it keyed by their customer (the view job looks up each
 * order's customer); wallet events carry the customer as their aggregate id. Order statuses come from order events
 * only (in order), spend adds up, and the balance is taken from the wallet's latest event by sequence number, so the
 * row does not depend on how the contexts' events interleave.
 */
public final class CustomerOrdersProjection implements Projection<CustomerOrdersRow> {


    private static final Set<String> FINAL = Set.of("COMPLETED", "REJECTED", "CANCELLED");

    /** The customer a wallet event concerns; null for other events (order events are keyed by the view job). */
    public static String keyOfWalletEvent(EventEnvelope event) {
        return EventCatalog.get().eventType(event.getEventType()).context() == BoundedContext.PAYMENTS
                ? event.getAggregateId() : null;
    }

    @Override
    public CustomerOrdersRow project(String customerId, CustomerOrdersRow current, EventEnvelope event) {
        // The orders sorted by id, so that the row's bytes do not depend on the order its orders' events came in
        // (a map read back from state or copied is a hash map).
        CustomerOrdersRow.Builder row = current != null
                ? CustomerOrdersRow.newBuilder(current).setOrders(new TreeMap<>(current.getOrders()))
                : CustomerOrdersRow.newBuilder().setCustomerId(customerId).setOrders(new TreeMap<>())
                        .setActiveOrders(List.of());
        Object data = event.getEventData();
        String status = orderStatus(data);
        if (status != null) {
            Map<String, String> orders = new TreeMap<>(row.getOrders());
            orders.put(event.getAggregateId(), status);
            return counted(row.setOrders(orders)).build();
        }
        if (data instanceof PaymentCaptured captured) {
            row.setLifetimeSpendCents(row.getLifetimeSpendCents() + captured.getAmountCents());
            return balance(row, event, captured.getBalanceCents()).build();
        }
        if (data instanceof PaymentRefunded refunded) {
            row.setLifetimeSpendCents(row.getLifetimeSpendCents() - refunded.getAmountCents());
            return balance(row, event, refunded.getBalanceCents()).build();
        }
        if (data instanceof WalletToppedUp toppedUp) {
            return balance(row, event, toppedUp.getBalanceCents()).build();
        }
        if (data instanceof WalletOpened) {
            return balance(row, event, 0L).build();
        }
        return current; // holds and releases leave the balance as it is
    }

    private static String orderStatus(Object data) {
        if (data instanceof OrderPlaced) {
            return "PLACED";
        }
        if (data instanceof OrderConfirmed) {
            return "CONFIRMED";
        }
        if (data instanceof OrderDispatched) {
            return "DISPATCHED";
        }
        if (data instanceof OrderCompleted) {
            return "COMPLETED";
        }
        if (data instanceof OrderRejected) {
            return "REJECTED";
        }
        if (data instanceof OrderCancelled) {
            return "CANCELLED";
        }
        return null;
    }

    private static CustomerOrdersRow.Builder counted(CustomerOrdersRow.Builder row) {
        Map<String, String> orders = row.getOrders();
        return row.setActiveOrders(orders.entrySet().stream().filter(o -> !FINAL.contains(o.getValue()))
                        .map(Map.Entry::getKey).sorted().toList())
                .setCompleted(count(orders, "COMPLETED"))
                .setRejected(count(orders, "REJECTED"))
                .setCancelled(count(orders, "CANCELLED"));
    }

    private static int count(Map<String, String> orders, String status) {
        return (int) orders.values().stream().filter(status::equals).count();
    }

    private static CustomerOrdersRow.Builder balance(CustomerOrdersRow.Builder row, EventEnvelope event,
                                                     long balance) {
        if (event.getSequenceNumber() > row.getWalletVersion()) {
            row.setWalletBalanceCents(balance).setWalletVersion(event.getSequenceNumber());
        }
        return row;
    }
}
