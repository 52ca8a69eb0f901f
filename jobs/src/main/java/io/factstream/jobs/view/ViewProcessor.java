package io.factstream.jobs.view;

import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.factstream.kernel.view.RowVersions;
import io.factstream.kernel.view.ViewDefinition;
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
 * <p>Metrics (group {@code factstream}): {@code rowVersions}, {@code rowsDeleted}.
 *
 * @param <R> the view's Avro row record
 */
public final class ViewProcessor<R extends SpecificRecord> extends KeyedProcessFunction<String, ViewInput, ViewRow> {

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "row";

    private final ViewDefinition<R> view;

    private transient RowVersions<R> versions;
    private transient ValueState<ViewRow> latest;
    private transient Counter written;
    private transient Counter deleted;

    public ViewProcessor(ViewDefinition<R> view) {
        this.view = view;
    }

    /** The descriptor of the view state: the latest version of each row. */
    public static ValueStateDescriptor<ViewRow> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(ViewRow.class));
    }

    @Override
    public void open(OpenContext openContext) {
        versions = new RowVersions<>(view.name(), view.projection().create());
        latest = getRuntimeContext().getState(stateDescriptor());
        written = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowVersions");
        deleted = getRuntimeContext().getMetricGroup().addGroup("factstream").counter("rowsDeleted");
    }

    @Override
    public void processElement(ViewInput input, Context context, Collector<ViewRow> out) throws Exception {
        Optional<ViewRow> next = versions.next(latest.value(), input.getKey(), input.getEvent());
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
