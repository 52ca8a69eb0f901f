package io.factstream.statetools;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;

/**
 * Compares, per aggregate, the snapshot a savepoint holds (first input) with the one its log folds to (second
 * input), at the end of each key of a batch run, and emits a line for each aggregate where they differ.
 */
final class SnapshotComparison extends KeyedCoProcessFunction<String, KeyedSnapshot, KeyedSnapshot, String> {

    /** Aggregates compared; the tool runs the job in its own JVM, so it counts here. */
    static final AtomicLong COMPARED = new AtomicLong();

    private transient ValueState<AggregateSnapshot> saved;
    private transient ValueState<AggregateSnapshot> folded;

    @Override
    public void open(OpenContext openContext) {
        saved = getRuntimeContext().getState(
                new ValueStateDescriptor<>("saved", new AvroTypeInfo<>(AggregateSnapshot.class)));
        folded = getRuntimeContext().getState(
                new ValueStateDescriptor<>("folded", new AvroTypeInfo<>(AggregateSnapshot.class)));
    }

    @Override
    public void processElement1(KeyedSnapshot snapshot, Context context, Collector<String> out) throws Exception {
        saved.update(snapshot.getSnapshot());
        context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void processElement2(KeyedSnapshot snapshot, Context context, Collector<String> out) throws Exception {
        folded.update(snapshot.getSnapshot());
        context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<String> out) throws Exception {
        COMPARED.incrementAndGet();
        String difference = difference(context.getCurrentKey(), saved.value(), folded.value());
        if (difference != null) {
            out.collect(difference);
        }
        saved.clear();
        folded.clear();
    }

    /** How the savepoint's snapshot of an aggregate differs from its log's, in one line; null when they agree. */
    static String difference(String aggregateId, AggregateSnapshot saved, AggregateSnapshot folded) {
        if (saved == null) {
            return aggregateId + ": not in the savepoint; its log folds to version " + folded.getVersion();
        }
        if (folded == null) {
            return aggregateId + ": at version " + saved.getVersion() + " in the savepoint, but not in the log";
        }
        if (saved.getVersion() != folded.getVersion()) {
            return aggregateId + ": at version " + saved.getVersion() + " in the savepoint, " + folded.getVersion()
                    + " in the log";
        }
        if (!Objects.equals(saved.getState(), folded.getState())) {
            return aggregateId + ": state at version " + saved.getVersion() + " is " + saved.getState()
                    + " in the savepoint, " + folded.getState() + " in the log";
        }
        if (!saved.getRecentCommandIds().equals(folded.getRecentCommandIds())) {
            return aggregateId + ": remembers the command ids " + saved.getRecentCommandIds()
                    + " in the savepoint, " + folded.getRecentCommandIds() + " in the log";
        }
        return null;
    }
}
