package io.factstream.statetools;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.log.AggregateLogEntry;
import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;

/**
 * Folds one aggregate's log into the {@link AggregateSnapshot} the aggregate operator would hold after it: events
 * through {@link CommandHandler#apply(AggregateSnapshot, EventEnvelope)}, rejections through
 * {@link CommandHandler#apply(AggregateSnapshot, CommandRejected)}, so version, dedup memory and state come out as
 * the live operator kept them. Runs in BATCH mode and emits each aggregate's snapshot at the end of its key.
 *
 * <p>Log order: entries are timed by {@link #logPosition}, so that Flink's batch sort, by key and time, hands over
 * event 1, the rejections made at version 1, event 2, and so on. The rejections made at one version share a time;
 * they wait until the next event, or the end, and go in offset order.
 *
 * <p>A snapshot entry (from a savepoint) comes first, and the entries it already holds are skipped. With
 * an {@code asOf} time, the fold stops at the first entry created after it: the aggregate as it was at that time.
 */
final class AggregateLogFold extends KeyedProcessFunction<String, AggregateLogEntry, KeyedSnapshot> {

    private final SerializableSupplier<Decider<?>> decider;
    private final AggregateSettings settings;
    private final long asOf;

    private transient CommandHandler<?> handler;
    private transient ValueState<AggregateSnapshot> snapshot;
    private transient ValueState<Boolean> ended;
    private transient ListState<AggregateLogEntry> rejections;

    /**
     * @param settings the aggregate job's settings: its dedup window is how many command ids the snapshot remembers
     * @param asOf        where the fold stops, in epoch milliseconds of creation time; {@code Long.MAX_VALUE}: never
     */
    AggregateLogFold(SerializableSupplier<Decider<?>> decider, AggregateSettings settings, long asOf) {
        this.decider = decider;
        this.settings = settings;
        this.asOf = asOf;
    }

    /** The time that puts an entry in its place in its aggregate's log. */
    static long logPosition(AggregateLogEntry entry) {
        Object what = entry.getEntry();
        if (what instanceof EventEnvelope event) {
            return event.getSequenceNumber() * 2;
        }
        if (what instanceof CommandRejected rejection) {
            return rejection.getAggregateVersion() * 2 + 1;
        }
        return 0; // a snapshot to start from comes before everything it may already hold
    }

    @Override
    public void open(OpenContext openContext) {
        handler = new CommandHandler<>(decider.get(), settings);
        snapshot = getRuntimeContext().getState(
                new ValueStateDescriptor<>("snapshot", new AvroTypeInfo<>(AggregateSnapshot.class)));
        ended = getRuntimeContext().getState(new ValueStateDescriptor<>("ended", Types.BOOLEAN));
        rejections = getRuntimeContext().getListState(
                new ListStateDescriptor<>("rejections", new AvroTypeInfo<>(AggregateLogEntry.class)));
    }

    @Override
    public void processElement(AggregateLogEntry entry, Context context, Collector<KeyedSnapshot> out)
            throws Exception {
        context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        if (Boolean.TRUE.equals(ended.value())) {
            return;
        }
        Object what = entry.getEntry();
        if (what instanceof CommandRejected) {
            rejections.add(entry);
            return;
        }
        applyRejections();
        if (Boolean.TRUE.equals(ended.value())) {
            return;
        }
        if (what instanceof AggregateSnapshot start) {
            snapshot.update(start);
            return;
        }
        EventEnvelope event = (EventEnvelope) what;
        AggregateSnapshot current = snapshot.value();
        if (current != null && event.getSequenceNumber() <= current.getVersion()) {
            return; // in the snapshot already
        }
        if (after(event.getCreationTimestamp())) {
            ended.update(true);
            return;
        }
        snapshot.update(handler.apply(current, event));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<KeyedSnapshot> out) throws Exception {
        applyRejections();
        AggregateSnapshot folded = snapshot.value();
        if (folded != null) {
            out.collect(new KeyedSnapshot(context.getCurrentKey(), folded));
        }
        snapshot.clear();
        ended.clear();
    }

    /** Applies the waiting rejections, all made at the current version, in offset order. */
    private void applyRejections() throws Exception {
        List<AggregateLogEntry> waiting = new ArrayList<>();
        rejections.get().forEach(waiting::add);
        if (waiting.isEmpty()) {
            return;
        }
        rejections.clear();
        waiting.sort(Comparator.comparingLong(AggregateLogEntry::getOffset));
        AggregateSnapshot current = snapshot.value();
        for (AggregateLogEntry entry : waiting) {
            CommandRejected rejection = (CommandRejected) entry.getEntry();
            if (after(rejection.getCreationTimestamp())) {
                ended.update(true);
                break;
            }
            if (!alreadyHeld(current, rejection)) {
                current = handler.apply(current, rejection);
            }
        }
        snapshot.update(current);
    }

    /** Whether a snapshot taken from a savepoint holds this rejection already. */
    private static boolean alreadyHeld(AggregateSnapshot current, CommandRejected rejection) {
        return current != null && (rejection.getAggregateVersion() < current.getVersion()
                || current.getRecentCommandIds().contains(rejection.getCommandId()));
    }

    private boolean after(Instant time) {
        return time.toEpochMilli() > asOf;
    }
}
