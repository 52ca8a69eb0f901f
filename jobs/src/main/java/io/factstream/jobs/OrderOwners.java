package io.factstream.jobs;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.orders.OrderCancelled;
import io.factstream.catalog.orders.OrderCompleted;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.orders.OrderRejected;
import io.factstream.views.ViewInput;

/**
 * Keys order events by their customer for the customer-orders view: keyed by order id, it remembers the customer
 * from {@code OrderPlaced} (an order's events come in order: one aggregate, one partition) and forgets it when the
 * order ends. The correlation is done once, when the event is written, so that reading the view is a lookup.
 */
public final class OrderOwners extends KeyedProcessFunction<String, EventEnvelope, ViewInput> {

    private transient ValueState<String> customer;

    @Override
    public void open(OpenContext openContext) {
        customer = getRuntimeContext().getState(new ValueStateDescriptor<>("customer", Types.STRING));
    }

    @Override
    public void processElement(EventEnvelope event, Context context, Collector<ViewInput> out) throws Exception {
        Object data = event.getEventData();
        if (data instanceof OrderPlaced placed) {
            customer.update(placed.getCustomerId());
        }
        String owner = customer.value();
        if (owner != null) {
            out.collect(new ViewInput(owner, event));
        }
        if (data instanceof OrderCompleted || data instanceof OrderRejected || data instanceof OrderCancelled) {
            customer.clear();
        }
    }
}
