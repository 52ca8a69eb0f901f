package io.factstream.testdata;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.Role;
import io.factstream.catalog.delivery.CompleteDelivery;
import io.factstream.catalog.delivery.PickUpDelivery;
import io.factstream.catalog.delivery.ReportDeliveryFailure;
import io.factstream.catalog.kitchen.MarkTicketPrepared;
import io.factstream.catalog.kitchen.StartPreparation;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.domain.payments.WalletDecider;
import io.factstream.domain.shared.Menu;

/**
 * Generates a simulated pizza world from a seed: customers open and top up wallets, place orders over a span of
 * time, and sometimes cancel; cooks and couriers act on the tickets and deliveries the saga creates, or fail to.
 * Every order has a planned outcome, and the plan holds whatever the timing: customers who can pay are given
 * enough money for all their orders, so only the broke ones (no money) and the walletless ones are declined.
 *
 * <p>People react to what they see: a cook starts a ticket some time after it is opened, a courier picks up a
 * delivery some time after it is requested. The script says so ({@code afterEventType}), and the feeder sends
 * such a command only then.
 */
public final class WorldGenerator {

    /** The planned outcomes, as the saga reports them. */
    /** How many cooks ({@code cook-0} ...) and couriers ({@code courier-0} ...) a world has. */
    public static final int COOKS = 8;
    public static final int COURIERS = 20;

    public static final String COMPLETED = "COMPLETED";
    public static final String REJECTED = "REJECTED";

    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    private static final SingleObjectCodec<CommandEnvelope> CODEC = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final List<String> STREETS = List.of("Via Roma", "Via Toledo", "Corso Umberto", "Via Chiaia",
            "Via dei Tribunali", "Spaccanapoli", "Via Caracciolo");

    /**
     * What to generate.
     *
     * @param seed      the randomness
     * @param customers how many customers
     * @param orders    how many orders
     * @param span      the time over which orders are placed
     */
    public record Parameters(long seed, int customers, int orders, Duration span) {

        /** A world of {@code orders} orders: a customer for every three, placed at about 15 per second. */
        public static Parameters ofOrders(int orders, long seed) {
            return new Parameters(seed, Math.max(10, orders / 3), orders, Duration.ofSeconds(Math.max(10, orders / 15)));
        }

        Map<String, String> asMap() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("seed", Long.toString(seed));
            map.put("customers", Integer.toString(customers));
            map.put("orders", Integer.toString(orders));
            map.put("span", span.toString());
            return map;
        }

        static Parameters of(Map<String, String> map) {
            return new Parameters(Long.parseLong(map.get("seed")), Integer.parseInt(map.get("customers")),
                    Integer.parseInt(map.get("orders")), Duration.parse(map.get("span")));
        }
    }

    private final Parameters parameters;
    private final Random random;
    private final List<ScriptedCommand> script = new ArrayList<>();
    private int commands;

    private WorldGenerator(Parameters parameters) {
        this.parameters = parameters;
        this.random = new Random(parameters.seed());
    }

    /** The world of these parameters; the same parameters always give the same world. */
    public static World generate(Parameters parameters) {
        return new WorldGenerator(parameters).world();
    }

    /** The world a log's parameters describe. */
    public static World generate(Map<String, String> parameters) {
        return generate(Parameters.of(parameters));
    }

    private World world() {
        int customers = parameters.customers();
        String[] kinds = new String[customers];
        for (int c = 0; c < customers; c++) {
            int dice = random.nextInt(100);
            kinds[c] = dice < 4 ? "walletless" : dice < 10 ? "broke" : "funded";
        }
        List<Order> orders = new ArrayList<>();
        Map<Integer, Long> owed = new HashMap<>();
        for (int o = 0; o < parameters.orders(); o++) {
            int customer = random.nextInt(customers);
            List<OrderLine> lines = lines();
            long total = lines.stream().mapToLong(l ->
                    Menu.standard().priceCents(l.getPizza(), l.getSize()).orElseThrow() * l.getQuantity()).sum();
            String outcome = kinds[customer].equals("funded") ? scenario() : REJECTED;
            long offset = 2_000 + (long) (random.nextDouble() * parameters.span().toMillis());
            orders.add(new Order("order-" + o, customer, lines, offset, outcome));
            owed.merge(customer, total, Long::sum);
        }
        for (int c = 0; c < customers; c++) {
            openWallet(c, kinds[c], owed.getOrDefault(c, 0L));
        }
        orders.forEach(this::order);
        return new World(parameters.asMap(), script);
    }

    private void openWallet(int customer, String kind, long owed) {
        String id = customerId(customer);
        if (kind.equals("walletless")) {
            return;
        }
        long offset = customer % 1_000; // the wallets open in the first second
        add(offset, null, null, command(id, id, Role.CUSTOMER, new OpenWallet(), id), null);
        if (kind.equals("funded")) {
            long due = Math.min(WalletDecider.MAX_BALANCE_CENTS, owed + owed / 10 + random.nextInt(2_000));
            while (due > 0) {
                long amount = Math.min(due, WalletDecider.MAX_TOP_UP_CENTS);
                // Same key, same partition, sent right after: the wallet is open when the top-up is handled.
                add(offset, null, null, command(id, id, Role.CUSTOMER, new TopUpWallet(amount), id), null);
                due -= amount;
            }
        }
    }

    private void order(Order order) {
        String customer = customerId(order.customer());
        String id = order.id();
        add(order.offset(), null, null, command(id, customer, Role.CUSTOMER, new PlaceOrder(customer, order.lines(),
                new Address(STREETS.get(random.nextInt(STREETS.size())) + " " + (1 + random.nextInt(120)), "Napoli",
                        "801" + (10 + random.nextInt(90))), random.nextInt(4) == 0 ? "ring twice" : null), id),
                order.outcome());
        String cook = "cook-" + random.nextInt(COOKS);
        String courier = "courier-" + random.nextInt(COURIERS);
        switch (order.outcome()) {
            case COMPLETED -> {
                prepare(id, cook);
                deliver(id, courier, new CompleteDelivery());
            }
            case "CANCELLED CUSTOMER_REQUEST" -> add(react(), "TicketOpened", id, command(id, customer, Role.CUSTOMER,
                    new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind"), id), null);
            case "CANCELLED KITCHEN_TIMEOUT" -> add(react(), "TicketOpened", id,
                    command(id, cook, Role.KITCHEN_STAFF, new StartPreparation(), id), null);
            case "CANCELLED DELIVERY_TIMEOUT" -> prepare(id, cook);
            case "CANCELLED DELIVERY_FAILED" -> {
                prepare(id, cook);
                deliver(id, courier, new ReportDeliveryFailure("nobody home"));
            }
            default -> {
                // REJECTED: the payment fails, nobody else acts
            }
        }
    }

    private void prepare(String orderId, String cook) {
        add(react(), "TicketOpened", orderId, command(orderId, cook, Role.KITCHEN_STAFF, new StartPreparation(),
                orderId), null);
        add(react(), "PreparationStarted", orderId, command(orderId, cook, Role.KITCHEN_STAFF,
                new MarkTicketPrepared(), orderId), null);
    }

    private void deliver(String orderId, String courier, SpecificRecord ending) {
        add(react(), "DeliveryRequested", orderId, command(orderId, courier, Role.COURIER, new PickUpDelivery(),
                orderId), null);
        add(react(), "DeliveryPickedUp", orderId, command(orderId, courier, Role.COURIER, ending, orderId), null);
    }

    /** How a funded customer's order goes. */
    private String scenario() {
        int dice = random.nextInt(100);
        if (dice < 64) {
            return COMPLETED;
        }
        CancellationReason[] reasons = {CancellationReason.CUSTOMER_REQUEST, CancellationReason.KITCHEN_TIMEOUT,
                CancellationReason.DELIVERY_TIMEOUT, CancellationReason.DELIVERY_FAILED};
        return "CANCELLED " + reasons[(dice - 64) / 9 % reasons.length];
    }

    /** A person's reaction time to what they see. */
    private long react() {
        return 300 + random.nextInt(1_200);
    }

    private List<OrderLine> lines() {
        List<Map.Entry<String, Map<PizzaSize, Long>>> menu = new ArrayList<>(Menu.standard().pizzas().entrySet());
        List<OrderLine> lines = new ArrayList<>();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            Map.Entry<String, Map<PizzaSize, Long>> pizza = menu.get(random.nextInt(menu.size()));
            List<PizzaSize> sizes = Arrays.stream(PizzaSize.values()).filter(pizza.getValue()::containsKey).toList();
            lines.add(new OrderLine(pizza.getKey(), sizes.get(random.nextInt(sizes.size())), 1 + random.nextInt(3)));
        }
        return lines;
    }

    private CommandEnvelope command(String subjectId, String userId, Role role, SpecificRecord data,
                                    String correlationId) {
        String id = "world/" + parameters.seed() + "/" + commands++;
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes(id.getBytes(UTF_8)).toString())
                .setSubjectId(subjectId)
                .setUserId(userId)
                .setCreationTimestamp(BASE)
                .setRoles(List.of(role.name()))
                .setCorrelationId(correlationId)
                .build();
    }

    private void add(long offset, String afterEventType, String afterAggregateId, CommandEnvelope command,
                     String plannedOutcome) {
        script.add(new ScriptedCommand(offset, afterEventType, afterAggregateId,
                ByteBuffer.wrap(CODEC.encode(command)), plannedOutcome));
    }

    private static String customerId(int customer) {
        return "customer-" + customer;
    }

    private record Order(String id, int customer, List<OrderLine> lines, long offset, String outcome) {
    }
}
