package io.factstream.jobs.topology;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** A topology on the test's mini cluster, fed from collections and collected into lists: no broker anywhere. */
final class InMemory {

    private InMemory() {
    }

    /**
     * An environment configured as the jobs are (Avro types only, no Kryo fallback), in this mode. A collection
     * source has one subtask: at a parallelism of 1 its elements keep their order per key, as a partition's do
     * behind a Kafka source.
     */
    static StreamExecutionEnvironment environment(RuntimeExecutionMode mode) {
        Configuration config = new Configuration();
        config.set(ExecutionOptions.RUNTIME_MODE, mode);
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        return env;
    }

    /** A stream's elements once the job has run; call {@link Collected#get} after {@code execute}. */
    static <T> Collected<T> collect(DataStream<T> stream) {
        return new Collected<>(stream.collectAsync());
    }

    /** The elements a stream will have produced. */
    static final class Collected<T> {
        private final CloseableIterator<T> iterator;

        Collected(CloseableIterator<T> iterator) {
            this.iterator = iterator;
        }

        List<T> get() throws Exception {
            List<T> elements = new ArrayList<>();
            try (iterator) {
                iterator.forEachRemaining(elements::add);
            }
            return elements;
        }
    }
}
