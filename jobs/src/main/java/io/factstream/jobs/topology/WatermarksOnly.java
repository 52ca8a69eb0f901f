package io.factstream.jobs.topology;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Lets a stream's watermarks through and none of its records: a clock joins a job's inputs this way, moving their
 * watermark forward without adding records.
 */
public final class WatermarksOnly<T, R> implements FlatMapFunction<T, R> {

    @Override
    public void flatMap(T value, Collector<R> out) {
        // the clock's ticks carry time in their watermarks only
    }
}
