package io.factstream.jobs.aggregate;

import static io.factstream.kernel.aggregate.Sender.customer;
import static io.factstream.kernel.aggregate.TestCommands.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.RejectionReason;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.domain.orders.OrderDecider;
import io.factstream.domain.shared.Menu;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.TestCommands;
import io.factstream.log.LoggedCommand;
import io.factstream.state.OrderState;

/** The aggregate operator in Flink's keyed operator test harness: state, outputs, side outputs, restore. */
class AggregateProcessorTest {

    private static final PlaceOrder PLACE = new PlaceOrder("ada",
            List.of(new OrderLine("FUNGHI", PizzaSize.MEDIUM, 2)), new Address("Via Roma 1", "Napoli", "80100"), null);
    private static final CancelOrder CANCEL = new CancelOrder(CancellationReason.CUSTOMER_REQUEST, null);

    /** The Kafka timestamps of the test's command records: written when created, a few milliseconds apart. */
    private static final long WRITTEN = TestCommands.CREATED.toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, LoggedCommand, EventEnvelope> harness;
    private long nextOffset;

    @BeforeEach
    void openHarness() throws Exception {
        harness = open(new HashMapStateBackend(), null);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void stampsContiguousSequenceNumbersPerAggregate() throws Exception {
        harness.processElement(logged(command("c-1", "order-1", customer("ada"), PLACE), WRITTEN + 1));
        harness.processElement(logged(command("c-2", "order-2", customer("ada"), PLACE), WRITTEN + 2));
        harness.processElement(logged(command("c-3", "order-1", customer("ada"), CANCEL), WRITTEN + 3));

        assertThat(harness.extractOutputValues())
                .extracting(e -> e.getAggregateId() + "#" + e.getSequenceNumber() + " " + e.getEventType())
                .containsExactly("order-1#1 OrderPlaced", "order-2#1 OrderPlaced", "order-1#2 OrderCancelled");
        assertThat(harness.numKeyedStateEntries()).as("one snapshot per aggregate").isEqualTo(2);
    }

    @Test
    void dropsDuplicatesWithoutAnyOutput() throws Exception {
        CommandEnvelope place = command("c-1", "order-1", customer("ada"), PLACE);
        harness.processElement(logged(place, WRITTEN + 1));
        harness.processElement(logged(place, WRITTEN + 2));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(rejections()).isEmpty();
    }

    @Test
    void sendsRejectionsToTheSideOutput() throws Exception {
        harness.processElement(logged(command("c-1", "order-1", customer("ada"), PLACE), WRITTEN + 1));
        harness.processElement(logged(CommandEnvelope.newBuilder(command("c-2", "order-1", customer("ada"), CANCEL))
                .setExpectedVersion(7L).build(), WRITTEN + 2));
        harness.processElement(logged(command("c-3", "order-9", customer("ada"), CANCEL), WRITTEN + 3));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(rejections())
                .extracting(r -> r.getSubjectId() + " " + r.getReason() + " at version " + r.getAggregateVersion())
                .containsExactly(
                        "order-1 CONCURRENCY_CONFLICT at version 1",
                        "order-9 UNKNOWN_AGGREGATE at version 0");
        assertThat(rejections().get(0).getCommandId()).isEqualTo(TestCommands.id("c-2"));
    }

    static Stream<StateBackend> stateBackends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateBackends")
    void stateSurvivesASnapshotAndRestore(StateBackend backend) throws Exception {
        harness.close();
        harness = open(backend, null);
        harness.processElement(logged(command("c-1", "order-1", customer("ada"), PLACE), WRITTEN + 1));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 10L);
        harness.close();

        harness = open(backend, snapshot);
        harness.processElement(logged(command("c-1", "order-1", customer("ada"), PLACE), WRITTEN + 2));
        harness.processElement(logged(command("c-2", "order-1", customer("ada"), CANCEL), WRITTEN + 3));

        assertThat(harness.extractOutputValues())
                .as("the duplicate is still recognised, and the sequence continues")
                .extracting(e -> e.getSequenceNumber() + " " + e.getEventType())
                .containsExactly("2 OrderCancelled");
        assertThat(rejections()).isEmpty();
    }

    @Test
    void checksTheCreationTimeAgainstTheLoggedWriteTimeNotTheStreamTimestamp() throws Exception {
        // The stream timestamp is the offset; the write time comes with the command.
        harness.processElement(new StreamRecord<>(new LoggedCommand(command("c-1", "order-1", customer("ada"), PLACE),
                Instant.ofEpochMilli(WRITTEN).plus(Duration.ofHours(1)), 0L), 0L));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejections()).extracting(CommandRejected::getReason)
                .containsExactly(RejectionReason.INVALID_COMMAND);
    }

    /** A command as the job reads it, written at a time, at the next offset, timed by its offset. */
    private StreamRecord<LoggedCommand> logged(CommandEnvelope command, long writtenAt) {
        long offset = nextOffset++;
        return new StreamRecord<>(new LoggedCommand(command, Instant.ofEpochMilli(writtenAt), offset), offset);
    }

    private List<CommandRejected> rejections() {
        var side = harness.getSideOutput(AggregateProcessor.REJECTIONS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static AggregateProcessor<OrderState> processor() {
        return new AggregateProcessor<>(() -> new OrderDecider(Menu.standard()), AggregateSettings.standard());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, LoggedCommand, EventEnvelope> open(
            StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        var opened = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(processor()),
                (LoggedCommand logged) -> logged.getCommand().getSubjectId(), Types.STRING);
        opened.setStateBackend(backend);
        opened.setup();
        if (restoreFrom != null) {
            opened.initializeState(restoreFrom);
        }
        opened.open();
        return opened;
    }
}
