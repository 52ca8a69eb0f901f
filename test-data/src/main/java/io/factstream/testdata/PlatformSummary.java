package io.factstream.testdata;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.catalog.payments.PaymentCaptured;
import io.factstream.catalog.payments.PaymentRefunded;
import io.factstream.catalog.payments.PaymentReleased;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.kafka.read.CommittedReader;

/**
 * What the platform did, read from its topics: every order's outcome, which sagas are still at work, and the money
 * that moved. An order's saga has finished when the order is completed, rejected or cancelled and every command the
 * saga sent for it has its answer (invariant 1 of {@code docs/architecture.md} makes one arrive for each).
 *
 * @param outcomes      each placed order's outcome (COMPLETED, REJECTED, CANCELLED &lt;reason&gt;), or OPEN
 * @param openSagas     the orders whose saga has not finished, each with the business time of the latest record
 *                      about it (an event, a command the saga sent, a rejection)
 * @param toppedUpCents money put into wallets
 * @param balanceCents  money in wallets now, as the wallets last reported their balances
 * @param capturedCents money taken for orders
 * @param releasedCents held money given back
 * @param refundedCents captured money paid back
 * @param heldCents     money still held for orders
 */
public record PlatformSummary(Map<String, String> outcomes, Map<String, Instant> openSagas, long toppedUpCents,
                              long balanceCents,
                              long capturedCents, long releasedCents, long refundedCents, long heldCents) {

    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<CommandRejected> REJECTIONS =
            SingleObjectCodec.forType(CommandRejected.class);

    /**
     * Waits until {@code orders} orders were placed and every one of their sagas has finished, and returns the
     * summary; fails with the last summary when the deadline passes first.
     */
    public static PlatformSummary await(String bootstrapServers, int orders, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        PlatformSummary summary = read(bootstrapServers);
        while (summary.outcomes().size() < orders || summary.sagasOpen() > 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("sagas still at work after " + timeout + ": "
                        + String.join("; ", summary.lines()));
            }
            Thread.sleep(500); // back-off between reads of the topics
            summary = read(bootstrapServers);
        }
        return summary;
    }

    /** Reads the platform's topics, committed records only. */
    public static PlatformSummary read(String bootstrapServers) {
        CommittedReader reader = new CommittedReader(bootstrapServers, Duration.ofSeconds(60));
        List<String> events = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        List<String> rejections = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            events.add(context.eventsTopic());
            commands.add(context.commandsTopic());
            rejections.add(context.rejectionsTopic());
        }
        Set<String> answered = new HashSet<>();
        Map<String, String> outcomes = new TreeMap<>();
        long toppedUp = 0;
        long captured = 0;
        long released = 0;
        long refunded = 0;
        long authorized = 0;
        Map<String, long[]> balances = new HashMap<>(); // wallet -> {sequence number, balance it reported}
        Map<String, Instant> latest = new HashMap<>(); // order id or correlation id -> latest business time
        for (EventEnvelope event : decode(reader.readAll(events), EVENTS)) {
            answered.add(event.getCausationId());
            latest.merge(event.getCorrelationId(), event.getCreationTimestamp(), PlatformSummary::later);
            latest.merge(event.getAggregateId(), event.getCreationTimestamp(), PlatformSummary::later);
            Object data = event.getEventData();
            if (data instanceof OrderPlaced) {
                outcomes.putIfAbsent(event.getAggregateId(), "OPEN");
            } else if (data instanceof OrderCompleted) {
                outcomes.put(event.getAggregateId(), "COMPLETED");
            } else if (data instanceof OrderRejected) {
                outcomes.put(event.getAggregateId(), "REJECTED");
            } else if (data instanceof OrderCancelled cancelled) {
                outcomes.put(event.getAggregateId(), "CANCELLED " + cancelled.getReason());
            } else if (data instanceof WalletToppedUp topUp) {
                toppedUp += topUp.getAmountCents();
                reportBalance(balances, event, topUp.getBalanceCents());
            } else if (data instanceof PaymentAuthorized payment) {
                authorized += payment.getAmount().getMinorUnits();
            } else if (data instanceof PaymentCaptured payment) {
                captured += payment.getAmountCents();
                reportBalance(balances, event, payment.getBalanceCents());
            } else if (data instanceof PaymentReleased payment) {
                released += payment.getAmountCents();
            } else if (data instanceof PaymentRefunded payment) {
                refunded += payment.getAmountCents();
                reportBalance(balances, event, payment.getBalanceCents());
            }
        }
        for (CommandRejected rejection : decode(reader.readAll(rejections), REJECTIONS)) {
            answered.add(rejection.getCommandId());
            latest.merge(rejection.getCorrelationId(), rejection.getCreationTimestamp(), PlatformSummary::later);
        }
        Set<String> sagaWaiting = new HashSet<>();
        for (CommandEnvelope command : decode(reader.readAll(commands), COMMANDS)) {
            if (command.getUserId().equals(OrderFulfilment.NAME)) {
                latest.merge(command.getCorrelationId(), command.getCreationTimestamp(), PlatformSummary::later);
                if (!answered.contains(command.getCommandId())) {
                    sagaWaiting.add(command.getCorrelationId());
                }
            }
        }
        Map<String, Instant> open = new TreeMap<>();
        outcomes.forEach((order, outcome) -> {
            if (outcome.equals("OPEN") || sagaWaiting.contains(order)) {
                open.put(order, latest.get(order));
            }
        });
        long inWallets = balances.values().stream().mapToLong(b -> b[1]).sum();
        return new PlatformSummary(outcomes, open, toppedUp, inWallets, captured, released, refunded,
                authorized - captured - released);
    }

    /** How many orders' sagas have not finished. */
    public int sagasOpen() {
        return openSagas.size();
    }

    /**
     * The orders whose saga has not finished and about which nothing happened for longer than {@code deadline}
     * before {@code now}: with every wait of the saga bounded by a timeout, one of them is stuck.
     */
    public List<String> sagasPastDeadline(Instant now, Duration deadline) {
        return openSagas.entrySet().stream().filter(open -> open.getValue().plus(deadline).isBefore(now))
                .map(Map.Entry::getKey).toList();
    }

    /** Whether the books balance: nothing held any more, and every cent topped up is in a wallet or was paid. */
    public boolean moneyConserved() {
        return heldCents == 0 && booksBalance();
    }

    /**
     * Whether the books balance while sagas may still be at work: every cent topped up is in a wallet or was paid,
     * and money is held only for orders whose saga has not finished.
     */
    public boolean booksBalance() {
        return toppedUpCents == balanceCents + capturedCents - refundedCents
                && heldCents >= 0 && (heldCents == 0 || !openSagas.isEmpty());
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static void reportBalance(Map<String, long[]> balances, EventEnvelope event, long balance) {
        long[] last = balances.get(event.getAggregateId());
        if (last == null || last[0] < event.getSequenceNumber()) {
            balances.put(event.getAggregateId(), new long[] {event.getSequenceNumber(), balance});
        }
    }

    /** How many orders ended each way. */
    public Map<String, Long> outcomeCounts() {
        Map<String, Long> counts = new TreeMap<>();
        outcomes.values().forEach(o -> counts.merge(o, 1L, Long::sum));
        return counts;
    }

    /** The summary for people. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%d orders, %d sagas still at work", outcomes.size(), sagasOpen()));
        outcomeCounts().forEach((outcome, count) -> lines.add(String.format("  %-28s %6d", outcome, count)));
        lines.add(String.format("money: %s topped up, %s in wallets, %s captured, %s refunded, %s released, %s still "
                        + "held: %s", euros(toppedUpCents), euros(balanceCents), euros(capturedCents),
                euros(refundedCents), euros(releasedCents), euros(heldCents),
                booksBalance() ? "the books balance" : "THE BOOKS DO NOT BALANCE"));
        return lines;
    }

    private static String euros(long cents) {
        return String.format("EUR %d.%02d", cents / 100, cents % 100);
    }

    private static <T extends SpecificRecord> List<T> decode(List<ConsumerRecord<byte[], byte[]>> records,
                                                             SingleObjectCodec<T> codec) {
        List<T> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                decoded.add(codec.decode(record.value()));
            } catch (UndecodableRecordException e) {
                // Undecodable records are the DLQ's and the auditor's business, not the summary's.
            }
        }
        return decoded;
    }
}
