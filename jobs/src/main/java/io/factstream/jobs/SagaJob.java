package io.factstream.jobs;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
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
import io.factstream.runtime.EventTime;
import io.factstream.runtime.JobInput;
import io.factstream.runtime.JobMain;
import io.factstream.runtime.JobOptions;
import io.factstream.runtime.KafkaEndpoints;
import io.factstream.runtime.saga.SagaDefinition;
import io.factstream.runtime.saga.SagaProcessor;
import io.factstream.runtime.saga.SagaUids;
import io.factstream.serde.CatalogRecordDeserializer;
import io.factstream.serde.CatalogRecordSerializer;
import io.factstream.serde.DeadLetterSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The order-fulfilment saga job: the four {@code <ctx>.events} and {@code <ctx>.rejections} topics and a clock in,
 * keyed by correlation id, commands out to the right {@code <ctx>.commands} topic, exactly once. It tells time as
 * {@link EventTime} says; what the saga decides depends on its inputs alone (see
 * {@link io.factstream.runtime.saga.SagaEngine}), so a bounded run (replay, backfill, {@code --mode BATCH}) sends
 * the commands the live job sent. A bounded run's time ends at {@code --until} when that is a time, else at the
 * moment the job is defined: deadlines after it do not fire, as they would not have fired live by then.
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
    EventTime time;

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new SagaJob()), args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        OrderFulfilment.Timeouts timeouts = new OrderFulfilment.Timeouts(kitchenTimeout, deliveryTimeout);
        define(env, options, time, () -> new OrderFulfilment(timeouts));
        env.execute("factstream saga " + OrderFulfilment.NAME);
        return 0;
    }

    /** Adds the saga job's sources, operators and sinks to the environment. */
    public static <S extends SpecificRecord> void define(StreamExecutionEnvironment env, JobOptions options,
                                                         EventTime time,
                                                         SerializableSupplier<SagaDefinition<S>> definition) {
        String name = definition.get().name();
        SagaUids uids = new SagaUids(name);
        String group = options.groupIdOr(name + "-saga");
        TypeInformation<Either<EventEnvelope, CommandRejected>> inputType = new EitherTypeInfo<>(
                new AvroTypeInfo<>(EventEnvelope.class), new AvroTypeInfo<>(CommandRejected.class));

        SingleOutputStreamOperator<EventEnvelope> events = decoded(env, options, time, EventEnvelope.class, group,
                BoundedContext::eventsTopic, e -> e.getCreationTimestamp().toEpochMilli(), uids.eventsSource(),
                uids.eventsDecoder());
        SingleOutputStreamOperator<CommandRejected> rejections = decoded(env, options, time, CommandRejected.class,
                group, BoundedContext::rejectionsTopic, r -> r.getCreationTimestamp().toEpochMilli(),
                uids.rejectionsSource(), uids.rejectionsDecoder());
        DataStream<Either<EventEnvelope, CommandRejected>> inputs = time.withClock(events
                .map(Either::<EventEnvelope, CommandRejected>Left, inputType).name("events")
                .union(rejections.map(Either::<EventEnvelope, CommandRejected>Right, inputType).name("rejections")),
                options, uids.clock());

        DataStream<CommandEnvelope> commands = inputs.keyBy(SagaJob::correlationId, Types.STRING)
                .process(new SagaProcessor<>(definition, horizon(options)), new AvroTypeInfo<>(CommandEnvelope.class))
                .uid(uids.processor())
                .name(name + " saga");
        KafkaEndpoints.write(commands, options, CatalogRecordSerializer.builder(CommandEnvelope.class)
                        .topicSelector(c -> EventCatalog.get().commandType(c.getCommandType()).context().commandsTopic())
                        .key(CommandEnvelope::getSubjectId)
                        .timestamp(c -> KafkaEndpoints.recordTimestamp(c.getCreationTimestamp()))
                        .build(),
                uids.commandsSink(), "commands");
        KafkaEndpoints.write(events.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                        .union(rejections.getSideOutput(DeadLetterRouter.DEAD_LETTERS)), options,
                new DeadLetterSerializer(letter -> BoundedContext.ofTopic(letter.getSourceTopic()).deadLetterTopic()),
                uids.deadLetterSink(), "dead letters");
    }

    /** Where the run's time ends: nowhere live; at the end of a bounded input, or now. */
    private static long horizon(JobOptions options) {
        if (!options.isBounded()) {
            return Long.MAX_VALUE;
        }
        return options.end().time() != null ? options.end().time().toEpochMilli() : System.currentTimeMillis();
    }

    private static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> decoded(
            StreamExecutionEnvironment env, JobOptions options, EventTime time, Class<T> type, String group,
            SerializableFunction<BoundedContext, String> topic, SerializableFunction<T, Long> timeOf,
            String sourceUid, String decoderUid) {
        List<String> topics = Arrays.stream(BoundedContext.values()).map(topic).toList();
        return JobInput.read(env, options, CatalogRecordDeserializer.forType(type), group, topics,
                        time.watermarks(timeOf), sourceUid)
                .process(new DeadLetterRouter<T>(), new AvroTypeInfo<>(type))
                .uid(decoderUid)
                .name("decode " + type.getSimpleName());
    }

    private static String correlationId(Either<EventEnvelope, CommandRejected> input) {
        return input.isLeft() ? input.left().getCorrelationId() : input.right().getCorrelationId();
    }
}
