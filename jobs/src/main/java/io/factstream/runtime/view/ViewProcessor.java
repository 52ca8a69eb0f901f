package io.factstream.runtime.view;

import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.EventEnvelope;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;

/**
 * The Flink shell around a {@link Projection}: keyed by view key, it keeps the row's latest version (a
 * {@link ViewRow}) in one Avro value state, folds each event into it as it arrives, and emits every change as the
 * next version: 1, 2, 3, ... per key. An event that changes nothing makes no version. A deleted row leaves no state
 * behind; its last version carries a null row (a tombstone on the latest topic).
 *
 * <p>Each aggregate's events must arrive in sequence order: live they do (one aggregate, one partition); a batch run
 * sorts each key's events by timestamp, which the view job sets to the sequence number. The events of different
 * aggregates may arrive in any order: the projections and the version's {@code updatedAt} and {@code eventId} (the
 * latest event folded so far) come out the same, so a rebuild or a backfill ends with the rows the live job wrote.
 * The versions in between show the order the events arrived in.
 *
 * <p>Metrics (group {@code factstream}): {@code rowVersions}, {@code rowsDeleted}.
 *
 * @param <R> the view's Avro row record
 */
public final class ViewProcessor<R extends SpecificRecord> extends KeyedProcessFunction<String, ViewInput, ViewRow> {

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "row";

    private final SerializableSupplier<Projection<R>> projection;

    private transient Projection<R> fold;
    private transient ValueState<ViewRow> latest;
    private transient Counter versions;
    private transient Counter deleted;

    public ViewProcessor(SerializableSupplier<Projection<R>> projection) {
        this.projection = projection;
    }

    /** The descriptor of the view state: the latest version of each row. */
    public static ValueStateDescriptor<ViewRow> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(ViewRow.class));
    }

    @Override
    public void open(OpenContext openContext) {
        fold = projection.get();
        latest = getRuntimeContext().getState(stateDescriptor());
        versions = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowVersions");
        deleted = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowsDeleted");
    }

    @Override
    public void processElement(ViewInput input, Context context, Collector<ViewRow> out) throws Exception {
        ViewRow current = latest.value();
        @SuppressWarnings("unchecked")
        R row = current == null ? null : (R) current.getRow();
        R next = fold.project(input.getKey(), row, input.getEvent());
        if (Objects.equals(next, row)) {
            return;
        }
        EventEnvelope event = input.getEvent();
        boolean newest = current == null || isLater(event, current);
        ViewRow version = new ViewRow(fold.view(), input.getKey(), current == null ? 1 : current.getVersion() + 1,
                newest ? event.getCreationTimestamp() : current.getUpdatedAt(),
                newest ? event.getEventId() : current.getEventId(), next);
        out.collect(version);
        versions.inc();
        if (next == null) {
            latest.clear();
            deleted.inc();
        } else {
            latest.update(version);
        }
    }

    /** Whether an event is later than the latest one folded into a row: by time, then by id. */
    private static boolean isLater(EventEnvelope event, ViewRow row) {
        int byTime = event.getCreationTimestamp().compareTo(row.getUpdatedAt());
        return byTime > 0 || byTime == 0 && event.getEventId().compareTo(row.getEventId()) > 0;
    }
}
