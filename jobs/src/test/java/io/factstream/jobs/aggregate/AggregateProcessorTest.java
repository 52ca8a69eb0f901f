package io.factstream.jobs.aggregate;

import static io.factstream.kernel.aggregate.Sender.customer;
import static io.factstream.kernel.aggregate.TestCommands.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.specific.SpecificRecord;
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
import io.factstream.catalog.BoundedContext;
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
import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.aggregate.Decision;
import io.factstream.kernel.aggregate.TestCommands;
import io.factstream.log.LoggedCommand;
import io.factstream.log.ParkedRecord;
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
                Instant.ofEpochMilli(WRITTEN).plus(Duration.ofHours(1)), 0L, "order-1", null), 0L));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejections()).extracting(CommandRejected::getReason)
                .containsExactly(RejectionReason.INVALID_COMMAND);
    }

    @Test
    void aDeciderThatThrowsParksItsAggregateAloneAndAnswersEachOfItsCommandsQuarantined() throws Exception {
        CommandEnvelope cancel = parkOrder1ByCancellingIt();
        harness.processElement(logged(command("c-3", "order-2", customer("ada"), PLACE), WRITTEN + 3));
        harness.processElement(logged(command("c-4", "order-1", customer("ada"), CANCEL), WRITTEN + 4));
        harness.processElement(logged(cancel, WRITTEN + 5)); // resent: answered already

        assertThat(harness.extractOutputValues()).extracting(e -> e.getAggregateId() + "#" + e.getSequenceNumber())
                .containsExactly("order-1#1", "order-2#1");
        assertThat(rejections()).extracting(r -> r.getCommandId() + " " + r.getReason() + ": " + r.getMessage())
                .containsExactly(TestCommands.id("c-2") + " QUARANTINED: the orders code failed on this command "
                                + "(java.lang.IllegalStateException: bug); order-1 is parked until a fixed version "
                                + "redrives its commands",
                        TestCommands.id("c-4") + " QUARANTINED: order-1 is parked since "
                                + cancel.getCreationTimestamp() + " (java.lang.IllegalStateException: bug); this "
                                + "command waits as parked command #1 until a fixed version redrives it");
        assertThat(parked()).extracting(p -> p.getStatus() + " #" + p.getIndex() + " " + p.getCommand().getCommandId())
                .containsExactly("PARKED #0 " + TestCommands.id("c-2"), "PARKED #1 " + TestCommands.id("c-4"));
        assertThat(parked().get(0).getStackTrace()).startsWith("java.lang.IllegalStateException: bug")
                .contains("at io.factstream.kernel.aggregate.CommandHandler.handle");
        assertThat(parked().get(1).getStackTrace()).isNull();
        assertThat(harness.numKeyedStateEntries()).as("two snapshots and one quarantine").isEqualTo(3);
    }

    @Test
    void redrivenCommandsAreHandledInTheirTurnAndTheLastOneUnparksTheAggregate() throws Exception {
        CommandEnvelope cancel = parkOrder1ByCancellingIt();

        // Upgraded to the fixed decider through a snapshot of the state.
        OperatorSubtaskState state = harness.snapshot(1, 1);
        harness.close();
        harness = open(new HashMapStateBackend(), state, processor());
        harness.processElement(redriven(cancel, "r-3", 0));
        harness.processElement(redriven(cancel, "r-4", 0)); // a second redrive

        assertThat(harness.extractOutputValues()).extracting(e -> e.getSequenceNumber() + " " + e.getEventType()
                + " caused by " + e.getCausationId())
                .containsExactly("2 OrderCancelled caused by " + TestCommands.id("r-3"));
        assertThat(rejections()).extracting(r -> r.getCommandId() + " " + r.getReason() + ": " + r.getMessage())
                .containsExactly(TestCommands.id("r-4") + " INVALID_COMMAND: nothing of order-1 is parked: parked "
                        + "command #0 was redriven already");
        assertThat(parked()).extracting(p -> p.getStatus() + " #" + p.getIndex())
                .containsExactly("UNPARKED #1");
        assertThat(harness.numKeyedStateEntries()).as("the snapshot, and no quarantine left").isEqualTo(1);
    }

    @Test
    void aRedriveOutOfTurnOrOfACommandThatFailsAgainIsRejectedAndChangesNothing() throws Exception {
        CommandEnvelope cancel = parkOrder1ByCancellingIt();

        harness.processElement(redriven(cancel, "r-1", 1));
        harness.processElement(redriven(cancel, "r-2", 0));

        assertThat(rejections()).extracting(r -> r.getCommandId() + " " + r.getReason() + ": " + r.getMessage())
                .containsExactly(TestCommands.id("c-2") + " QUARANTINED: the orders code failed on this command "
                                + "(java.lang.IllegalStateException: bug); order-1 is parked until a fixed version "
                                + "redrives its commands",
                        TestCommands.id("r-1") + " INVALID_COMMAND: parked command #1 of order-1 is redriven out of "
                                + "turn: #0 is next",
                        TestCommands.id("r-2") + " QUARANTINED: redriving parked command #0 of order-1 failed again "
                                + "(java.lang.IllegalStateException: bug); it keeps its place");
        assertThat(parked()).hasSize(1);
    }

    @Test
    void rejectsACommandWhoseRecordIsKeyedByAnotherAggregateAndKeepsNothing() throws Exception {
        CommandEnvelope place = command("c-1", "order-1", customer("ada"), PLACE);
        harness.processElement(new StreamRecord<>(new LoggedCommand(place, Instant.ofEpochMilli(WRITTEN), 0L,
                "order-2", null), 0L));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejections()).singleElement().satisfies(rejection -> {
            assertThat(rejection.getReason()).isEqualTo(RejectionReason.INVALID_COMMAND);
            assertThat(rejection.getMessage()).isEqualTo("the record is keyed 'order-2': an aggregate's commands are "
                    + "keyed by their subjectId 'order-1', so that they share its partition and its order");
        });
    }

    /** A command as the job reads it, keyed by its subject, written at a time, at the next offset, timed by it. */
    private StreamRecord<LoggedCommand> logged(CommandEnvelope command, long writtenAt) {
        long offset = nextOffset++;
        return new StreamRecord<>(new LoggedCommand(command, Instant.ofEpochMilli(writtenAt), offset,
                command.getSubjectId(), null), offset);
    }

    private List<CommandRejected> rejections() {
        var side = harness.getSideOutput(AggregateProcessor.REJECTIONS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static AggregateProcessor<OrderState> processor() {
        return new AggregateProcessor<>(() -> new OrderDecider(Menu.standard()), AggregateSettings.standard());
    }

    /** The orders operator with a bug: cancelling order-1 throws. */
    private static AggregateProcessor<OrderState> failingToCancelOrder1() {
        return new AggregateProcessor<>(() -> new Decider<>() {
            private final OrderDecider decider = new OrderDecider(Menu.standard());

            @Override
            public BoundedContext context() {
                return decider.context();
            }

            @Override
            public Decision decide(CommandEnvelope command, OrderState state) {
                if (command.getSubjectId().equals("order-1") && command.getCommandData() instanceof CancelOrder) {
                    throw new IllegalStateException("bug");
                }
                return decider.decide(command, state);
            }

            @Override
            public OrderState evolve(OrderState state, SpecificRecord event) {
                return decider.evolve(state, event);
            }
        }, AggregateSettings.standard());
    }

    /** Opens the operator with the bug, places order-1 and cancels it, which parks it; returns the cancel. */
    private CommandEnvelope parkOrder1ByCancellingIt() throws Exception {
        harness.close();
        harness = open(new HashMapStateBackend(), null, failingToCancelOrder1());
        CommandEnvelope cancel = command("c-2", "order-1", customer("ada"), CANCEL);
        harness.processElement(logged(command("c-1", "order-1", customer("ada"), PLACE), WRITTEN + 1));
        harness.processElement(logged(cancel, WRITTEN + 2));
        return cancel;
    }

    private List<ParkedRecord> parked() {
        var side = harness.getSideOutput(AggregateProcessor.PARKED);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /** A copy of a parked command as redrive writes it: an id of its own, the index of the parked one. */
    private StreamRecord<LoggedCommand> redriven(CommandEnvelope parked, String copyId, long index) {
        long offset = nextOffset++;
        CommandEnvelope copy = CommandEnvelope.newBuilder(parked).setCommandId(TestCommands.id(copyId)).build();
        return new StreamRecord<>(new LoggedCommand(copy, copy.getCreationTimestamp(), offset, copy.getSubjectId(),
                index), offset);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, LoggedCommand, EventEnvelope> open(
            StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        return open(backend, restoreFrom, processor());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, LoggedCommand, EventEnvelope> open(
            StateBackend backend, OperatorSubtaskState restoreFrom, AggregateProcessor<OrderState> processor)
            throws Exception {
        var opened = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(processor),
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
