package io.factstream.jobs;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.runtime.DeadLetterRouter;
import io.factstream.runtime.JobOptions;
import io.factstream.runtime.KafkaEndpoints;
import io.factstream.runtime.WatermarksOnly;
import io.factstream.runtime.saga.SagaDefinition;
import io.factstream.runtime.saga.SagaProcessor;
import io.factstream.runtime.saga.SagaUids;
import io.factstream.serde.CatalogRecordSerializer;
import io.factstream.serde.DeadLetter;
import io.factstream.serde.DeadLetterSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The order-fulfilment saga job: the four {@code <ctx>.events} and {@code <ctx>.rejections} topics and a clock in,
 * keyed by correlation id, commands out to the right {@code <ctx>.commands} topic, exactly once.
 *
 * <p>Time: inputs are timed by their {@code creationTimestamp}; the watermark allows them to be
 * {@code --max-out-of-orderness} apart and ignores a topic partition that has been quiet for {@code --idle-timeout}.
 * The clock (a wall-clock tick every {@code --clock-interval}) moves the watermark on when no event comes, so timeouts
 * fire live. It carries no records, only time: what the saga decides depends on the inputs alone (see
 * {@link io.factstream.runtime.saga.SagaEngine}). A {@code --bounded} run (replay, backfill) has no clock.
 */
@Command(name = "saga-job", mixinStandardHelpOptions = true,
        description = "Runs the order-fulfilment saga: events and rejections in, commands out.")
public final class SagaJob implements Callable<Integer> {

    @Option(names = "--kitchen-timeout", defaultValue = "PT20M",
            description = "Time the kitchen has from the ticket's opening (default: ${DEFAULT-VALUE}).")
    Duration kitchenTimeout;

    @Option(names = "--delivery-timeout", defaultValue = "PT45M",
            description = "Time the delivery has from its request (default: ${DEFAULT-VALUE}).")
    Duration deliveryTimeout;

    @Mixin
    Timing timing;

    @Mixin
    JobOptions options;

    /** How the saga job tells time. */
    public static final class Timing {
        @Option(names = "--max-out-of-orderness", defaultValue = "PT5S",
                description = "How far inputs may come out of time order; above the aggregate jobs' end-to-end "
                        + "latency, or inputs come late (default: ${DEFAULT-VALUE}).")
        public Duration maxOutOfOrderness;

        @Option(names = "--idle-timeout", defaultValue = "PT5S",
                description = "A topic partition quiet this long no longer holds the watermark back "
                        + "(default: ${DEFAULT-VALUE}).")
        public Duration idleTimeout;

        @Option(names = "--clock-interval", defaultValue = "PT1S",
                description = "How often the clock ticks (default: ${DEFAULT-VALUE}).")
        public Duration clockInterval;

        public static Timing standard() {
            Timing timing = new Timing();
            timing.maxOutOfOrderness = Duration.ofSeconds(5);
            timing.idleTimeout = Duration.ofSeconds(5);
            timing.clockInterval = Duration.ofSeconds(1);
            return timing;
        }
    }

    public static void main(String[] args) throws Exception {
        int exitCode = new CommandLine(new SagaJob()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        OrderFulfilment.Timeouts timeouts = new OrderFulfilment.Timeouts(kitchenTimeout, deliveryTimeout);
        define(env, options, timing, () -> new OrderFulfilment(timeouts));
        env.execute("factstream saga " + OrderFulfilment.NAME);
        return 0;
    }

    /** Adds the saga job's sources, operators and sinks to the environment. */
    public static <S extends SpecificRecord> void define(StreamExecutionEnvironment env, JobOptions options,
                                                         Timing timing,
                                                         SerializableSupplier<SagaDefinition<S>> definition) {
        String name = definition.get().name();
        SagaUids uids = new SagaUids(name);
        String group = options.groupIdOr(name + "-saga");
        TypeInformation<Either<EventEnvelope, CommandRejected>> inputType = new EitherTypeInfo<>(
                new AvroTypeInfo<>(EventEnvelope.class), new AvroTypeInfo<>(CommandRejected.class));

        SingleOutputStreamOperator<EventEnvelope> events = decoded(env, options, timing, EventEnvelope.class, group,
                BoundedContext::eventsTopic, e -> e.getCreationTimestamp().toEpochMilli(), uids.eventsSource(),
                uids.eventsDecoder());
        SingleOutputStreamOperator<CommandRejected> rejections = decoded(env, options, timing, CommandRejected.class,
                group, BoundedContext::rejectionsTopic, r -> r.getCreationTimestamp().toEpochMilli(),
                uids.rejectionsSource(), uids.rejectionsDecoder());
        DataStream<Either<EventEnvelope, CommandRejected>> inputs = events
                .map(Either::<EventEnvelope, CommandRejected>Left, inputType).name("events")
                .union(rejections.map(Either::<EventEnvelope, CommandRejected>Right, inputType).name("rejections"));
        if (!options.bounded) {
            inputs = inputs.union(clock(env, timing, uids).flatMap(new WatermarksOnly<>(), inputType).name("time"));
        }

        inputs.keyBy(SagaJob::correlationId, Types.STRING)
                .process(new SagaProcessor<>(definition), new AvroTypeInfo<>(CommandEnvelope.class))
                .uid(uids.processor())
                .name(name + " saga")
                .sinkTo(KafkaEndpoints.exactlyOnceSink(options,
                        CatalogRecordSerializer.builder(CommandEnvelope.class)
                                .topicSelector(c -> EventCatalog.get().commandType(c.getCommandType()).context()
                                        .commandsTopic())
                                .key(CommandEnvelope::getSubjectId)
                                .timestamp(SagaJob::recordTimestamp)
                                .build(),
                        uids.commandsSink()))
                .uid(uids.commandsSink())
                .name("commands");
        events.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                .union(rejections.getSideOutput(DeadLetterRouter.DEAD_LETTERS))
                .sinkTo(KafkaEndpoints.exactlyOnceSink(options, new DeadLetterSerializer(
                                letter -> BoundedContext.ofTopic(letter.getSourceTopic()).deadLetterTopic()),
                        uids.deadLetterSink()))
                .uid(uids.deadLetterSink())
                .name("dead letters");
    }

    private static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decoded(
            StreamExecutionEnvironment env, JobOptions options, Timing timing, Class<T> type, String group,
            SerializableFunction<BoundedContext, String> topic, SerializableFunction<T, Long> time, String sourceUid,
            String decoderUid) {
        List<String> topics = Arrays.stream(BoundedContext.values()).map(topic).toList();
        WatermarkStrategy<Either<DeadLetter, T>> eventTime = WatermarkStrategy
                .<Either<DeadLetter, T>>forBoundedOutOfOrderness(timing.maxOutOfOrderness)
                .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? time.apply(record.right()) : kafkaTime)
                .withIdleness(timing.idleTimeout);
        return env.fromSource(KafkaEndpoints.source(options, type, group, topics), eventTime, sourceUid)
                .uid(sourceUid)
                .process(new DeadLetterRouter<T>(), new AvroTypeInfo<>(type))
                .uid(decoderUid)
                .name("decode " + type.getSimpleName());
    }

    /** A wall-clock tick every interval, timed by itself. */
    private static DataStream<Long> clock(StreamExecutionEnvironment env, Timing timing, SagaUids uids) {
        GeneratorFunction<Long, Long> now = index -> System.currentTimeMillis();
        DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(now, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(1_000.0 / timing.clockInterval.toMillis()), Types.LONG);
        return env.fromSource(ticks, WatermarkStrategy.<Long>forBoundedOutOfOrderness(timing.maxOutOfOrderness)
                        .withTimestampAssigner((tick, ignored) -> tick), "clock")
                .uid(uids.clock())
                .setParallelism(1);
    }

    /**
     * A command's Kafka timestamp: its creation time, the time of the input that caused it, so that a replay writes
     * the same record. Never ahead of this clock, though: the broker refuses timestamps too far in its future.
     */
    private static Long recordTimestamp(CommandEnvelope command) {
        return Math.min(command.getCreationTimestamp().toEpochMilli(), System.currentTimeMillis());
    }

    private static String correlationId(Either<EventEnvelope, CommandRejected> input) {
        return input.isLeft() ? input.left().getCorrelationId() : input.right().getCorrelationId();
    }
}
