package io.factstream.runtime;

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

import io.factstream.serde.DeadLetter;
import picocli.CommandLine.Option;

/**
 * How a job that works in business time tells time. Inputs are timed by their {@code creationTimestamp}; the
 * watermark allows them to be {@code --max-out-of-orderness} apart and ignores a topic partition that has been
 * quiet for {@code --idle-timeout}. Live, a clock (a wall-clock tick every {@code --clock-interval}) moves the
 * watermark on when no input comes. It carries no records, only time, so what the job computes depends on its
 * inputs alone. A bounded run (replay, backfill) has no clock: its time is its inputs'.
 */
public final class EventTime {

    @Option(names = "--max-out-of-orderness", defaultValue = "PT5S",
            description = "How far inputs may come out of time order; above the aggregate jobs' end-to-end latency, "
                    + "or inputs come late (default: ${DEFAULT-VALUE}).")
    public Duration maxOutOfOrderness;

    @Option(names = "--idle-timeout", defaultValue = "PT5S",
            description = "A topic partition quiet this long no longer holds the watermark back "
                    + "(default: ${DEFAULT-VALUE}).")
    public Duration idleTimeout;

    @Option(names = "--clock-interval", defaultValue = "PT1S",
            description = "How often the clock ticks (default: ${DEFAULT-VALUE}).")
    public Duration clockInterval;

    /** The defaults of the command line. */
    public static EventTime standard() {
        return of(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    public static EventTime of(Duration maxOutOfOrderness, Duration idleTimeout, Duration clockInterval) {
        EventTime time = new EventTime();
        time.maxOutOfOrderness = maxOutOfOrderness;
        time.idleTimeout = idleTimeout;
        time.clockInterval = clockInterval;
        return time;
    }

    /** Watermarks for decoded inputs timed by {@code timeOf}; a dead letter keeps its Kafka timestamp. */
    public <T> WatermarkStrategy<Either<DeadLetter, T>> watermarks(SerializableFunction<T, Long> timeOf) {
        return WatermarkStrategy.<Either<DeadLetter, T>>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? timeOf.apply(record.right()) : kafkaTime)
                .withIdleness(idleTimeout);
    }

    /** The inputs, joined live by the clock's watermarks; in a bounded run, the inputs alone. */
    public <T> DataStream<T> withClock(DataStream<T> inputs, JobOptions options, String clockUid) {
        if (options.isBounded()) {
            return inputs;
        }
        return inputs.union(clock(inputs.getExecutionEnvironment(), clockUid)
                .flatMap(new WatermarksOnly<Long, T>(), inputs.getType())
                .name("time"));
    }

    /** A wall-clock tick every interval, timed by itself. */
    private DataStream<Long> clock(StreamExecutionEnvironment env, String uid) {
        GeneratorFunction<Long, Long> now = index -> System.currentTimeMillis();
        DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(now, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(1_000.0 / clockInterval.toMillis()), Types.LONG);
        return env.fromSource(ticks, WatermarkStrategy.<Long>forBoundedOutOfOrderness(maxOutOfOrderness)
                        .withTimestampAssigner((tick, ignored) -> tick), "clock")
                .uid(uid)
                .setParallelism(1);
    }
}
