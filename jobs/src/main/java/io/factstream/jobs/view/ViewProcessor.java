package io.factstream.jobs.view;

import java.util.List;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.jobs.state.DeclaresKeyedState;
import io.factstream.kernel.view.RowVersions;
import io.factstream.kernel.view.ViewDefinition;
import io.factstream.log.RedriveRequest;
import io.factstream.state.QuarantinedKey;
import io.factstream.views.ViewInput;
import io.factstream.views.ViewRow;

/**
 * The Flink shell around a view's {@link RowVersions}: keyed by view key, it keeps the row's latest version (a
 * {@link ViewRow}) in one Avro value state, folds each event into it as it arrives, and emits every change as the
 * next version. A deleted row leaves no state behind; its last version carries a null row (a tombstone on the
 * latest topic).
 *
 * <p>Each aggregate's events must arrive in sequence order: live they do (one aggregate, one partition); a batch run
 * sorts each key's events by timestamp, which the view job sets to the sequence number. The events of different
 * aggregates may arrive in any order: the rows come out the same, so a rebuild or a backfill ends with the rows the
 * live job wrote. The versions in between show the order the events arrived in.
 *
 * <p>Quarantine: when the projection throws for a row, the row is parked ({@link KeyQuarantine}): the event and
 * every later one for the row are held, in order, and written to {@code views.parked}; every other row flows. A
 * {@link RedriveRequest} for the row (the second input) folds the held events again, in order, with the projection
 * that runs by then, and unparks the row, so that it gets exactly the versions a projection without the bug gives.
 *
 * <p>Metrics (group {@code factstream}): {@code rowVersions}, {@code rowsDeleted}, and the quarantine's.
 *
 * @param <R> the view's Avro row record
 */
public final class ViewProcessor<R extends SpecificRecord>
        extends KeyedCoProcessFunction<String, ViewInput, RedriveRequest, ViewRow> implements DeclaresKeyedState {

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "row";

    private final ViewDefinition<R> view;
    private final KeyQuarantine quarantine;

    private transient RowVersions<R> versions;
    private transient ValueState<ViewRow> latest;
    private transient Counter written;
    private transient Counter deleted;

    public ViewProcessor(ViewDefinition<R> view) {
        this.view = view;
        this.quarantine = new KeyQuarantine(view.name());
    }

    /** The descriptor of the view state: the latest version of each row. */
    public static ValueStateDescriptor<ViewRow> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(ViewRow.class));
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStates() {
        return List.of(stateDescriptor(), KeyQuarantine.stateDescriptor());
    }

    @Override
    public void open(OpenContext openContext) {
        versions = new RowVersions<>(view.name(), view.projection().create());
        latest = getRuntimeContext().getState(stateDescriptor());
        quarantine.open(getRuntimeContext());
        written = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowVersions");
        deleted = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowsDeleted");
    }

    @Override
    public void processElement1(ViewInput input, Context context, Collector<ViewRow> out) throws Exception {
        EventEnvelope event = input.getEvent();
        if (quarantine.current() != null) {
            quarantine.hold(input.getKey(), event, event.getCreationTimestamp(), parked -> context.output(
                    KeyQuarantine.PARKED, parked));
            return;
        }
        try {
            fold(input.getKey(), event, out);
        } catch (RuntimeException failure) {
            quarantine.park(input.getKey(), event, event.getCreationTimestamp(), failure,
                    parked -> context.output(KeyQuarantine.PARKED, parked));
        }
    }

    /** A redrive of the row: its held events, folded again in order; nothing when the row is not parked. */
    @Override
    public void processElement2(RedriveRequest request, Context context, Collector<ViewRow> out) throws Exception {
        QuarantinedKey parked = quarantine.current();
        if (parked == null) {
            return;
        }
        List<Object> held = parked.getHeld();
        for (int index = 0; index < held.size(); index++) {
            try {
                fold(request.getKey(), (EventEnvelope) held.get(index), out);
            } catch (RuntimeException failure) {
                quarantine.stillParked(held.subList(index, held.size()), failure);
                return;
            }
        }
        quarantine.unpark(request.getKey(), unparked -> context.output(KeyQuarantine.PARKED, unparked));
    }

    /** Folds one event into the row and emits the next version, if it changes anything. */
    private void fold(String key, EventEnvelope event, Collector<ViewRow> out) throws Exception {
        Optional<ViewRow> next = versions.next(latest.value(), key, event);
        if (next.isEmpty()) {
            return;
        }
        ViewRow version = next.get();
        out.collect(version);
        written.inc();
        if (version.getRow() == null) {
            latest.clear();
            deleted.inc();
        } else {
            latest.update(version);
        }
    }
}
