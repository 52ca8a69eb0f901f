package io.factstream.jobs.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.PricedOrderLine;
import io.factstream.catalog.kitchen.TicketOpened;
import io.factstream.catalog.orders.OrderConfirmed;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.v2.PaymentAuthorized;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.domain.shared.Menu;
import io.factstream.jobs.FlinkTestCluster;
import io.factstream.kernel.saga.SagaFixture;
import io.factstream.log.DeadLetter;
import io.factstream.state.OrderFulfilmentState;

/**
 * The saga topology in memory: the log of a saga that reached the kitchen (placed, paid, confirmed, ticket open, no
 * cook) in, from collections, with a record that does not decode. A bounded run whose time ends before the
 * kitchen's deadline sends what the pure engine sent up to then; a live run (a clock, no end of time) fires the
 * kitchen timeout and sends the compensation, exactly as the pure engine does.
 */
class SagaTopologyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final OrderFulfilment.Timeouts TIMEOUTS =
            new OrderFulfilment.Timeouts(Duration.ofMinutes(20), Duration.ofMinutes(45));
    private static final DeadLetter UNDECODABLE = DeadLetter.newBuilder().setSourceTopic("orders.rejections")
            .setSourcePartition(0).setSourceOffset(7L).setSourceTimestamp(T0).setKey(null).setValue(null)
            .setReason("no value (null) where a CommandRejected was expected").setErrorType("NO_VALUE").build();
    private static final EventTime TIME = new EventTime(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(1));

    @Test
    void sendsWhatTheEngineSentUpToTheEndOfTimeOfTheRun() throws Exception {
        SagaFixture<OrderFulfilmentState> saga = inTheKitchen();

        List<CommandEnvelope> sent = run(saga.inputs(), null, T0.plusSeconds(60).toEpochMilli());

        assertThat(sent).extracting(CommandEnvelope::getCommandType)
                .containsExactly("AuthorizePayment", "ConfirmOrder", "OpenTicket");
        assertThat(sent).isEqualTo(saga.allSent());
    }

    @Test
    void aLiveRunFiresTheKitchenTimeout() throws Exception {
        SagaFixture<OrderFulfilmentState> saga = inTheKitchen().advanceTo(T0.plus(TIMEOUTS.kitchen()));
        List<Long> ticks = List.of(T0.toEpochMilli(), T0.plus(TIMEOUTS.kitchen()).plusSeconds(10).toEpochMilli());

        List<CommandEnvelope> sent = run(saga.inputs(), ticks, Long.MAX_VALUE);

        assertThat(sent).extracting(CommandEnvelope::getCommandType).containsExactly("AuthorizePayment",
                "ConfirmOrder", "OpenTicket", "CancelOrder", "ReleasePayment", "CancelTicket");
        assertThat(sent).isEqualTo(saga.allSent());
    }

    /** Placed, paid, confirmed, ticket opened, as the pure engine sees it. */
    private static SagaFixture<OrderFulfilmentState> inTheKitchen() {
        Address address = new Address("Via Roma 1", "Napoli", "80100");
        OrderPlaced placed = new OrderPlaced("ada", List.of(new PricedOrderLine("MARGHERITA", PizzaSize.LARGE, 2,
                1300L, 2600L)), 2600L, address, null);
        return new SagaFixture<>(new OrderFulfilment(TIMEOUTS), "order-1")
                .receive(placed, T0).advanceTo(T0)
                .answer("AuthorizePayment", new PaymentAuthorized("order-1", Menu.amount(2600L), Menu.amount(400L)))
                .answer("ConfirmOrder", new OrderConfirmed(2600L))
                .answer("OpenTicket", new TicketOpened(List.of(new OrderLine("MARGHERITA", PizzaSize.LARGE, 2))));
    }

    /**
     * The commands the topology sends for these inputs.
     *
     * @param ticks   the clock's ticks, or null for a run without a clock
     * @param horizon where the run's time ends
     */
    private static List<CommandEnvelope> run(List<SpecificRecord> inputs, List<Long> ticks, long horizon)
            throws Exception {
        StreamExecutionEnvironment env = InMemory.environment(RuntimeExecutionMode.STREAMING);
        DataStream<Either<DeadLetter, EventEnvelope>> events = env.fromData(inputs.stream()
                        .filter(EventEnvelope.class::isInstance)
                        .map(e -> Either.<DeadLetter, EventEnvelope>Right((EventEnvelope) e)).toList(),
                new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(EventEnvelope.class)))
                .assignTimestampsAndWatermarks(SagaTopology.eventsTime(TIME));
        List<Either<DeadLetter, CommandRejected>> rejected = new ArrayList<>();
        inputs.stream().filter(CommandRejected.class::isInstance)
                .forEach(r -> rejected.add(Either.Right((CommandRejected) r)));
        rejected.add(Either.Left(UNDECODABLE));
        DataStream<Either<DeadLetter, CommandRejected>> rejections = env.fromData(rejected,
                new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(CommandRejected.class)))
                .assignTimestampsAndWatermarks(SagaTopology.rejectionsTime(TIME));
        DataStream<Long> clock = ticks == null ? null : env.fromData(ticks, Types.LONG)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                        .withTimestampAssigner((tick, ignored) -> tick));
        SagaTopology.Outputs outputs = new SagaTopology<>(() -> new OrderFulfilment(TIMEOUTS), horizon)
                .apply(events, rejections, clock, null);
        InMemory.Collected<CommandEnvelope> commands = InMemory.collect(outputs.commands());
        InMemory.Collected<DeadLetter> deadLetters = InMemory.collect(outputs.deadLetters());
        env.execute("saga topology in memory");
        assertThat(deadLetters.get()).containsExactly(UNDECODABLE);
        return commands.get();
    }
}
