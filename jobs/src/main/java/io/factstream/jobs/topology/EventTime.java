package io.factstream.jobs.topology;

import java.time.Duration;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

import io.factstream.log.DeadLetter;

/**
 * How a job that works in business time tells time. Inputs are timed by their {@code creationTimestamp}; the
 * watermark allows them to be {@code maxOutOfOrderness} apart and ignores a topic partition that has been quiet for
 * {@code idleTimeout}. Live, a {@link #clock clock} (a wall-clock tick every {@code clockInterval}) moves the
 * watermark on when no input comes. It carries no records, only time, so what the job computes depends on its inputs
 * alone. A bounded run (replay, backfill) has no clock: its time is its inputs'.
 */
public record EventTime(Duration maxOutOfOrderness, Duration idleTimeout, Duration clockInterval) {

    /** The jobs' defaults: 5 s out of order, 5 s to idleness, a tick a second. */
    public static EventTime standard() {
        return new EventTime(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    /** Watermarks for decoded inputs timed by {@code timeOf}; a dead letter keeps its Kafka timestamp. */
    public <T> WatermarkStrategy<Either<DeadLetter, T>> watermarks(SerializableFunction<T, Long> timeOf) {
        return WatermarkStrategy.<Either<DeadLetter, T>>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? timeOf.apply(record.right()) : kafkaTime)
                .withIdleness(idleTimeout);
    }

    /** A wall-clock tick every interval, timed by itself: the time of a live job. */
    public DataStream<Long> clock(StreamExecutionEnvironment env, String uid) {
        GeneratorFunction<Long, Long> now = index -> System.currentTimeMillis();
        DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(now, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(1_000.0 / clockInterval.toMillis()), Types.LONG);
        return env.fromSource(ticks, WatermarkStrategy.<Long>forBoundedOutOfOrderness(maxOutOfOrderness)
                        .withTimestampAssigner((tick, ignored) -> tick), "clock")
                .uid(uid)
                .setParallelism(1);
    }
}
