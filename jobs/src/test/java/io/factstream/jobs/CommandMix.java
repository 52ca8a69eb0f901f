package io.factstream.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.factstream.catalog.Address;
import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.delivery.CancelDelivery;
import io.factstream.catalog.delivery.CompleteDelivery;
import io.factstream.catalog.delivery.PickUpDelivery;
import io.factstream.catalog.delivery.ReportDeliveryFailure;
import io.factstream.catalog.delivery.RequestDelivery;
import io.factstream.catalog.kitchen.CancelTicket;
import io.factstream.catalog.kitchen.MarkTicketPrepared;
import io.factstream.catalog.kitchen.OpenTicket;
import io.factstream.catalog.kitchen.StartPreparation;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.CompleteOrder;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.MarkOrderDispatched;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.orders.RejectOrder;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.CapturePayment;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.RefundPayment;
import io.factstream.catalog.payments.ReleasePayment;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.shared.Menu;

/**
 * A seeded mix of records for one context's commands topic: lifecycles of many aggregates interleaved (each
 * aggregate's commands in order), sprinkled with resent duplicates, invalid, unauthorized, version-conflicting and
 * unknown-aggregate commands, and undecodable garbage.
 */
public final class CommandMix {

    /** One record to send: a command, or garbage bytes ({@code command} null). */
    public record Sent(String key, byte[] value, CommandEnvelope command) {
    }

    private static final Address ADDRESS = new Address("Via Roma 1", "Napoli", "80100");
    private static final SingleObjectCodec<CommandEnvelope> CODEC = SingleObjectCodec.forType(CommandEnvelope.class);

    private final BoundedContext context;
    private final Random random;
    /** Commands are created now, as a client would, a millisecond apart: the aggregates check the clock skew. */
    private final Instant start = Instant.now();
    private final List<Sent> sends = new ArrayList<>();
    /** What clients sent so far: they may resend it; a saga's exactly-once output never repeats a command. */
    private final List<CommandEnvelope> sentByClients = new ArrayList<>();
    private int counter;

    private CommandMix(BoundedContext context, long seed) {
        this.context = context;
        this.random = new Random(seed);
    }

    /** A mix over {@code aggregates} lifecycles of the context. */
    public static CommandMix generate(BoundedContext context, long seed, int aggregates) {
        CommandMix mix = new CommandMix(context, seed);
        List<List<CommandEnvelope>> lifecycles = new ArrayList<>();
        for (int i = 0; i < aggregates; i++) {
            lifecycles.add(mix.lifecycle(i));
        }
        mix.interleave(lifecycles);
        // At least one command for an aggregate nobody created: the last one sent ends a lifecycle, it creates none.
        CommandEnvelope last = mix.sends.get(mix.sends.size() - 1).command();
        mix.send(mix.fresh(last).setSubjectId("ghost-last").setCorrelationId("ghost-last").build());
        return mix;
    }

    public List<Sent> sends() {
        return sends;
    }

    /** The records to produce, in order. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return sends.stream().map(s -> new ProducerRecord<>(context.commandsTopic(), s.key().getBytes(UTF_8),
                s.value())).toList();
    }

    /** The decodable commands in the order sent, resent ones included. */
    public List<CommandEnvelope> commands() {
        return sends.stream().filter(s -> s.command() != null).map(Sent::command).toList();
    }

    public long garbage() {
        return sends.stream().filter(s -> s.command() == null).count();
    }

    private void interleave(List<List<CommandEnvelope>> lifecycles) {
        int[] next = new int[lifecycles.size()];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < lifecycles.size(); i++) {
            open.add(i);
        }
        while (!open.isEmpty()) {
            int pick = open.get(random.nextInt(open.size()));
            CommandEnvelope command = lifecycles.get(pick).get(next[pick]++);
            if (next[pick] == lifecycles.get(pick).size()) {
                open.remove(Integer.valueOf(pick));
            }
            sprinkle(command);
            send(command);
        }
    }

    /** Before a valid command, sometimes one of the bad kinds of record. */
    private void sprinkle(CommandEnvelope next) {
        int dice = random.nextInt(100);
        if (dice < 8 && !sentByClients.isEmpty()) {
            send(sentByClients.get(random.nextInt(sentByClients.size()))); // resent: a duplicate
        } else if (dice < 13) {
            send(fresh(next).setCommandType("Bogus").build()); // invalid envelope
        } else if (dice < 18) {
            send(fresh(next).setRoles(List.of(roleNotAllowed(next))).build()); // unauthorized
        } else if (dice < 23) {
            send(fresh(next).setExpectedVersion(999L).build()); // concurrency conflict
        } else if (dice < 26) {
            String ghost = "ghost-" + random.nextInt(1_000);
            send(fresh(next).setSubjectId(ghost).setCorrelationId(ghost).build()); // likely unknown aggregate
        } else if (dice < 31) {
            byte[] garbage = new byte[1 + random.nextInt(40)];
            random.nextBytes(garbage);
            sends.add(new Sent(next.getSubjectId(), garbage, null));
        }
    }

    private void send(CommandEnvelope command) {
        sends.add(new Sent(command.getSubjectId(), CODEC.encode(command), command));
        if (!command.getRoles().contains(Role.SYSTEM.name())) {
            sentByClients.add(command);
        }
    }

    private CommandEnvelope.Builder fresh(CommandEnvelope template) {
        return CommandEnvelope.newBuilder(template).setCommandId(commandId());
    }

    private String roleNotAllowed(CommandEnvelope command) {
        EnumSet<Role> others = EnumSet.allOf(Role.class);
        others.removeAll(EventCatalog.get().commandTypeOf((SpecificRecord) command.getCommandData()).allowedRoles());
        return others.iterator().next().name();
    }

    private List<CommandEnvelope> lifecycle(int index) {
        return switch (context) {
            case ORDERS -> order("order-" + index, "customer-" + index % 7);
            case PAYMENTS -> wallet("customer-" + index);
            case KITCHEN -> ticket("order-" + index);
            case DELIVERY -> delivery("order-" + index, "customer-" + index % 7);
        };
    }

    private List<CommandEnvelope> order(String orderId, String customer) {
        List<OrderLine> lines = lines();
        long total = lines.stream().mapToLong(l ->
                Menu.standard().priceCents(l.getPizza(), l.getSize()).orElseThrow() * l.getQuantity()).sum();
        List<CommandEnvelope> steps = new ArrayList<>();
        steps.add(command(orderId, customer, Role.CUSTOMER, new PlaceOrder(customer, lines, ADDRESS, null)));
        switch (random.nextInt(4)) {
            case 0 -> {
                steps.add(command(orderId, "saga", Role.SYSTEM, new ConfirmOrder(total)));
                steps.add(command(orderId, "saga", Role.SYSTEM, new MarkOrderDispatched("courier-1")));
                steps.add(command(orderId, "saga", Role.SYSTEM, new CompleteOrder(total)));
            }
            case 1 -> steps.add(command(orderId, customer, Role.CUSTOMER,
                    new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind")));
            case 2 -> steps.add(command(orderId, "saga", Role.SYSTEM, new RejectOrder("insufficient funds")));
            default -> {
                steps.add(command(orderId, "saga", Role.SYSTEM, new ConfirmOrder(total)));
                steps.add(command(orderId, "saga", Role.SYSTEM,
                        new CancelOrder(CancellationReason.KITCHEN_TIMEOUT, null)));
            }
        }
        return steps;
    }

    private List<CommandEnvelope> wallet(String customer) {
        List<CommandEnvelope> steps = new ArrayList<>();
        steps.add(command(customer, customer, Role.CUSTOMER, new OpenWallet()));
        steps.add(command(customer, customer, Role.CUSTOMER, new TopUpWallet(1_000L + random.nextInt(20_000))));
        for (int order = 0; order < 3; order++) {
            String orderId = customer + "-order-" + order;
            steps.add(command(customer, "saga", Role.SYSTEM,
                    new AuthorizePayment(orderId, 500L + random.nextInt(12_000))));
            if (random.nextBoolean()) {
                steps.add(command(customer, "saga", Role.SYSTEM, new CapturePayment(orderId)));
                if (random.nextInt(4) == 0) {
                    steps.add(command(customer, "support-1", Role.SUPPORT, new RefundPayment(orderId, "cold pizza")));
                }
            } else {
                steps.add(command(customer, "saga", Role.SYSTEM, new ReleasePayment(orderId)));
            }
        }
        return steps;
    }

    private List<CommandEnvelope> ticket(String orderId) {
        List<CommandEnvelope> steps = new ArrayList<>();
        steps.add(command(orderId, "saga", Role.SYSTEM, new OpenTicket(lines())));
        String cook = "cook-" + random.nextInt(3);
        if (random.nextInt(4) == 0) {
            steps.add(command(orderId, "saga", Role.SYSTEM, new CancelTicket("order cancelled")));
        } else {
            steps.add(command(orderId, cook, Role.KITCHEN_STAFF, new StartPreparation()));
            steps.add(command(orderId, cook, Role.KITCHEN_STAFF, new MarkTicketPrepared()));
        }
        return steps;
    }

    private List<CommandEnvelope> delivery(String orderId, String customer) {
        List<CommandEnvelope> steps = new ArrayList<>();
        steps.add(command(orderId, "saga", Role.SYSTEM, new RequestDelivery(customer, ADDRESS, null)));
        String courier = "courier-" + random.nextInt(3);
        switch (random.nextInt(4)) {
            case 0 -> steps.add(command(orderId, "saga", Role.SYSTEM, new CancelDelivery("order cancelled")));
            case 1 -> {
                steps.add(command(orderId, courier, Role.COURIER, new PickUpDelivery()));
                steps.add(command(orderId, courier, Role.COURIER, new ReportDeliveryFailure("nobody home")));
            }
            default -> {
                steps.add(command(orderId, courier, Role.COURIER, new PickUpDelivery()));
                steps.add(command(orderId, courier, Role.COURIER, new CompleteDelivery()));
            }
        }
        return steps;
    }

    private List<OrderLine> lines() {
        List<OrderLine> lines = new ArrayList<>();
        List<Map.Entry<String, Map<PizzaSize, Long>>> menu = new ArrayList<>(Menu.standard().pizzas().entrySet());
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            Map.Entry<String, Map<PizzaSize, Long>> pizza = menu.get(random.nextInt(menu.size()));
            List<PizzaSize> sizes = Arrays.stream(PizzaSize.values()).filter(pizza.getValue()::containsKey).toList();
            lines.add(new OrderLine(pizza.getKey(), sizes.get(random.nextInt(sizes.size())), 1 + random.nextInt(3)));
        }
        return lines;
    }

    private CommandEnvelope command(String subjectId, String userId, Role role, SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(commandId())
                .setSubjectId(subjectId)
                .setUserId(userId)
                .setCreationTimestamp(start.plusMillis(counter))
                .setRoles(List.of(role.name()))
                .setCorrelationId(subjectId)
                .build();
    }

    private String commandId() {
        return UUID.nameUUIDFromBytes((context.id() + "/" + counter++ + "/" + random.nextLong()).getBytes(UTF_8))
                .toString();
    }
}
