package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.ConfirmOrder;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.WalletOpened;
import io.factstream.catalog.payments.WalletToppedUp;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.payments.WalletDecider;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.OrderState;
import io.factstream.state.WalletState;

/**
 * decide + evolve of the deciders, and the whole command handler (checks, dedup, stamping) around them: what an
 * aggregate costs per command before Flink and Kafka add theirs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeciderBenchmark {

    private final OrderDecider orders = new OrderDecider(Menu.standard());
    private final WalletDecider wallets = new WalletDecider();
    private final CommandHandler<OrderState> orderHandler = new CommandHandler<>(orders, AggregateSettings.standard());

    private CommandEnvelope placeOrder;
    private CommandEnvelope confirmOrder;
    private OrderState placedOrder;
    private CommandEnvelope authorizePayment;
    private WalletState busyWallet;
    private AggregateSnapshot placedSnapshot;

    @Setup
    public void setUp() {
        placeOrder = command("order-1", "ada", "CUSTOMER", new PlaceOrder("ada", List.of(
                new OrderLine("MARGHERITA", PizzaSize.LARGE, 2), new OrderLine("DIAVOLA", PizzaSize.SMALL, 1)),
                new Address("Via Roma 1", "Napoli", "80100"), null));
        Decision.Accepted placed = (Decision.Accepted) orders.decide(placeOrder, null);
        placedOrder = orders.evolve(null, placed.events().get(0));
        confirmOrder = command("order-1", "saga", "SYSTEM", new ConfirmOrder(placedOrder.getTotalCents()));

        // A wallet that paid for 50 orders, and the handler's memory full of 100 command ids.
        busyWallet = wallets.evolve(null, new WalletOpened("ada"));
        busyWallet = wallets.evolve(busyWallet, new WalletToppedUp(500_000L, 500_000L));
        for (int i = 0; i < 50; i++) {
            busyWallet = wallets.evolve(busyWallet, new PaymentAuthorized("old-" + i, Menu.amount(100L), Menu.amount(0L)));
        }
        authorizePayment = command("ada", "saga", "SYSTEM", new AuthorizePayment("order-1", 3900L));
        List<String> recent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            recent.add(UUID.nameUUIDFromBytes(("old-" + i).getBytes(UTF_8)).toString());
        }
        placedSnapshot = AggregateSnapshot.newBuilder().setVersion(1L).setRecentCommandIds(recent)
                .setState(placedOrder).build();
    }

    @Benchmark
    public OrderState placeOrder() {
        Decision.Accepted decision = (Decision.Accepted) orders.decide(placeOrder, null);
        return orders.evolve(null, decision.events().get(0));
    }

    @Benchmark
    public OrderState confirmOrder() {
        Decision.Accepted decision = (Decision.Accepted) orders.decide(confirmOrder, placedOrder);
        return orders.evolve(placedOrder, decision.events().get(0));
    }

    @Benchmark
    public WalletState authorizePaymentOnABusyWallet() {
        Decision.Accepted decision = (Decision.Accepted) wallets.decide(authorizePayment, busyWallet);
        return wallets.evolve(busyWallet, decision.events().get(0));
    }

    @Benchmark
    public CommandOutcome handleConfirmOrderWithFullDedupMemory() {
        return orderHandler.handle(placedSnapshot, confirmOrder, confirmOrder.getCreationTimestamp());
    }

    private static CommandEnvelope command(String subject, String user, String role, SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes((subject + data).getBytes(UTF_8)).toString())
                .setSubjectId(subject)
                .setUserId(user)
                .setCreationTimestamp(Instant.parse("2026-11-26T12:00:00Z"))
                .setRoles(List.of(role))
                .setCorrelationId("order-1")
                .build();
    }
}
