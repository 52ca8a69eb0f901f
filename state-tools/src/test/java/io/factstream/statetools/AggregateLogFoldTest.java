package io.factstream.statetools;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.catalog.Role;
import io.factstream.catalog.payments.AuthorizePayment;
import io.factstream.catalog.payments.OpenWallet;
import io.factstream.catalog.payments.TopUpWallet;
import io.factstream.domain.Deciders;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.log.AggregateLogEntry;
import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;

/**
 * The fold of one wallet's log, fed as a batch run feeds it (sorted by log position, rejections of one version in
 * any order): it ends with the snapshot the live handler kept, starts from a snapshot when given one, and stops at
 * a time.
 */
class AggregateLogFoldTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final AggregateSettings SETTINGS = AggregateSettings.standard().withDedupWindow(3);

    private final CommandHandler<?> handler = new CommandHandler<>(Deciders.forContext(BoundedContext.PAYMENTS), SETTINGS);
    private final List<AggregateLogEntry> log = new ArrayList<>();
    private final List<AggregateSnapshot> snapshots = new ArrayList<>();

    /** The live handler's run: events and rejections with their offsets, and the snapshot after each command. */
    @BeforeEach
    void handleCommands() {
        List<CommandEnvelope> commands = List.of(
                command(0, new OpenWallet(), null),
                command(1, new TopUpWallet(5_000L), null),
                command(2, new TopUpWallet(100L), 9L),            // rejected at version 2
                command(3, new AuthorizePayment("o-1", 100L), 9L), // rejected at version 2
                command(4, new AuthorizePayment("o-1", 1_000L), null),
                command(5, new AuthorizePayment("o-1", 500L), null), // rejected: o-1 has an authorization
                command(6, new TopUpWallet(200L), null));
        AggregateSnapshot current = null;
        long offset = 0;
        for (CommandEnvelope command : commands) {
            CommandOutcome outcome = handler.handle(current, command, command.getCreationTimestamp());
            if (outcome instanceof CommandOutcome.Accepted accepted) {
                for (var event : accepted.events()) {
                    log.add(new AggregateLogEntry("ada", offset++, event));
                }
                current = accepted.snapshot();
            } else {
                CommandOutcome.Rejected rejected = (CommandOutcome.Rejected) outcome;
                log.add(new AggregateLogEntry("ada", offset++, rejected.rejection()));
                current = rejected.snapshot();
            }
            snapshots.add(current);
        }
    }

    @Test
    void endsWithTheSnapshotTheLiveHandlerKeptWhateverOrderOneVersionsRejectionsComeIn() throws Exception {
        List<AggregateLogEntry> batchOrder = new ArrayList<>(log);
        batchOrder.sort(Comparator.comparingLong(AggregateLogFold::logPosition)
                .thenComparing(e -> -e.getOffset())); // ties the wrong way round
        assertThat(fold(batchOrder, null, Long.MAX_VALUE)).isEqualTo(last());
    }

    @Test
    void startsFromASnapshotAndSkipsWhatItHolds() throws Exception {
        AggregateSnapshot afterThree = snapshots.get(3);
        List<AggregateLogEntry> tail = new ArrayList<>(log.subList(2, log.size())); // overlaps the snapshot
        tail.sort(Comparator.comparingLong(AggregateLogFold::logPosition));
        assertThat(fold(tail, afterThree, Long.MAX_VALUE)).isEqualTo(last());
    }

    @Test
    void stopsAtTheFirstEntryCreatedAfterATime() throws Exception {
        List<AggregateLogEntry> sorted = new ArrayList<>(log);
        sorted.sort(Comparator.comparingLong(AggregateLogFold::logPosition));
        long between = T0.plusSeconds(4).toEpochMilli() + 500;
        assertThat(fold(sorted, null, between)).isEqualTo(snapshots.get(4));
    }

    private AggregateSnapshot last() {
        return snapshots.get(snapshots.size() - 1);
    }

    private static AggregateSnapshot fold(List<AggregateLogEntry> entries, AggregateSnapshot start, long asOf)
            throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new AggregateLogFold(() -> Deciders.forContext(BoundedContext.PAYMENTS), SETTINGS, asOf)),
                AggregateLogEntry::getAggregateId, Types.STRING)) {
            harness.open();
            if (start != null) {
                harness.processElement(new StreamRecord<>(new AggregateLogEntry("ada", -1L, start), 0L));
            }
            for (AggregateLogEntry entry : entries) {
                harness.processElement(new StreamRecord<>(entry, AggregateLogFold.logPosition(entry)));
            }
            harness.processWatermark(Long.MAX_VALUE); // a batch run's end of the key
            List<KeyedSnapshot> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).as("nothing left behind").isZero();
            return out.get(0).getSnapshot();
        }
    }

    private static CommandEnvelope command(int second, SpecificRecord data, Long expectedVersion) {
        boolean system = data instanceof AuthorizePayment;
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes(("c" + second).getBytes()).toString())
                .setSubjectId("ada")
                .setUserId(system ? "order-fulfilment" : "ada")
                .setRoles(List.of(system ? Role.SYSTEM.name() : Role.CUSTOMER.name()))
                .setCreationTimestamp(T0.plusSeconds(second))
                .setCorrelationId("ada")
                .setExpectedVersion(expectedVersion)
                .build();
    }
}
