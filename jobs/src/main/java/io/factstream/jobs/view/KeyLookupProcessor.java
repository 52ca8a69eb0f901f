package io.factstream.jobs.view;

import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.state.DeclaresKeyedState;
import io.factstream.kernel.view.KeyLookup;
import io.factstream.views.ViewInput;

/**
 * The Flink shell around a {@link KeyLookup}: keyed by aggregate id, it keeps the row key the aggregate's events
 * made known in one value state (named as the lookup says), and sends each event on with it. An aggregate's events
 * come in order (one aggregate, one partition), so an event finds the key its predecessors made known.
 */
public final class KeyLookupProcessor extends KeyedProcessFunction<String, EventEnvelope, ViewInput>
        implements DeclaresKeyedState {

    private final KeyLookup lookup;

    private transient ValueState<String> rowKey;

    public KeyLookupProcessor(KeyLookup lookup) {
        this.lookup = lookup;
    }

    /** The descriptor of the row key the aggregate's events made known, named as the lookup says. */
    private ValueStateDescriptor<String> rowKeyDescriptor() {
        return new ValueStateDescriptor<>(lookup.stateName(), Types.STRING);
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStates() {
        return List.of(rowKeyDescriptor());
    }

    @Override
    public void open(OpenContext openContext) {
        rowKey = getRuntimeContext().getState(rowKeyDescriptor());
    }

    @Override
    public void processElement(EventEnvelope event, Context context, Collector<ViewInput> out) throws Exception {
        String learnt = lookup.learns(event);
        if (learnt != null) {
            rowKey.update(learnt);
        }
        String key = rowKey.value();
        if (key != null) {
            out.collect(new ViewInput(key, event));
        }
        if (lookup.forgets(event)) {
            rowKey.clear();
        }
    }
}
