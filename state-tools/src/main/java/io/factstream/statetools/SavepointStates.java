package io.factstream.statetools;

import java.io.IOException;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.wire.AvroJson;
import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.log.KeyedSnapshot;
import io.factstream.state.AggregateSnapshot;

/** The keyed state of the factstream jobs, read from a savepoint under the uids and state names the jobs use. */
final class SavepointStates {

    private SavepointStates() {
    }

    /** Every aggregate snapshot the aggregate job of a context holds. */
    static DataStream<KeyedSnapshot> aggregates(SavepointReader savepoint, BoundedContext context) throws IOException {
        return savepoint.readKeyedState(OperatorIdentifier.forUid(new AggregateUids(context).processor()),
                new AggregateReader(), Types.STRING, new AvroTypeInfo<>(KeyedSnapshot.class));
    }

    /**
     * One value state of a keyed operator, each key's value printed as a line of JSON:
     * {@code {"key": "...", "state": {...}}}.
     *
     * @param key only this key, or null for all
     */
    static <T> DataStream<String> asJson(SavepointReader savepoint, String uid, ValueStateDescriptor<T> state,
                                         String key) throws IOException {
        // The reader emits a line for every key and the filter picks one: a reader that emits nothing for a key
        // ends the key iteration of its split (State Processor API 2.2).
        DataStream<Tuple2<String, String>> lines = savepoint.readKeyedState(OperatorIdentifier.forUid(uid),
                new JsonReader<>(state), Types.STRING, Types.TUPLE(Types.STRING, Types.STRING));
        if (key != null) {
            lines = lines.filter(line -> line.f0.equals(key)).name("key " + key);
        }
        return lines.map(line -> line.f1, Types.STRING).name("json");
    }

    /** A line of JSON for one key's value. */
    static String json(String key, Object value) {
        return "{\"key\": " + AvroJson.of(key) + ", \"state\": " + AvroJson.of(value) + "}";
    }

    private static final class AggregateReader extends KeyedStateReaderFunction<String, KeyedSnapshot> {
        private transient ValueState<AggregateSnapshot> snapshot;

        @Override
        public void open(OpenContext openContext) {
            snapshot = getRuntimeContext().getState(AggregateProcessor.stateDescriptor());
        }

        @Override
        public void readKey(String key, Context context, Collector<KeyedSnapshot> out) throws Exception {
            out.collect(new KeyedSnapshot(key, snapshot.value()));
        }
    }

    private static final class JsonReader<T> extends KeyedStateReaderFunction<String, Tuple2<String, String>> {
        private final ValueStateDescriptor<T> descriptor;
        private transient ValueState<T> state;

        JsonReader(ValueStateDescriptor<T> descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(descriptor);
        }

        @Override
        public void readKey(String key, Context context, Collector<Tuple2<String, String>> out) throws Exception {
            out.collect(Tuple2.of(key, json(key, state.value())));
        }
    }
}
