package io.factstream.jobs;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Deciders;
import io.factstream.log.LoggedCommand;
import io.factstream.runtime.DeadLetterRouter;
import io.factstream.runtime.JobInput;
import io.factstream.runtime.JobMain;
import io.factstream.runtime.JobOptions;
import io.factstream.runtime.KafkaEndpoints;
import io.factstream.runtime.aggregate.AggregateProcessor;
import io.factstream.runtime.aggregate.AggregateUids;
import io.factstream.runtime.aggregate.Decider;
import io.factstream.runtime.aggregate.LoggedCommandDecoder;
import io.factstream.serde.CatalogRecordSerializer;
import io.factstream.serde.DeadLetter;
import io.factstream.serde.DeadLetterSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The command-processing job of one bounded context:
 * {@code <ctx>.commands} → decode (undecodable → {@code <ctx>.dlq}) → key by aggregate id → aggregate →
 * {@code <ctx>.events}, with rejections to {@code <ctx>.rejections}; every sink exactly-once.
 *
 * <p>The same wiring runs live and as a backfill ({@code --mode BATCH}, a range of the commands topic or a topic
 * dump): each command is timed by its offset, so that a batch run, which sorts each aggregate's commands by time,
 * sees them in log order, as the live job does. Outputs carry the command's {@code creationTimestamp} as Kafka
 * timestamp (never one ahead of the clock), so a backfill writes the records the live job wrote.
 */
@Command(name = "aggregate-job", mixinStandardHelpOptions = true,
        description = "Runs the aggregate of one bounded context: commands in, events or rejections out.")
public final class AggregateJob implements Callable<Integer> {

    @Option(names = "--context", required = true,
            description = "The bounded context: orders, payments, kitchen or delivery.")
    BoundedContext context;

    @Option(names = "--dedup-window", defaultValue = "100",
            description = "Recent command ids each aggregate remembers to drop duplicates (default: ${DEFAULT-VALUE}).")
    int dedupWindow;

    @Option(names = "--max-clock-skew", defaultValue = "PT5M",
            description = "How far a command's creationTimestamp may be from the time it was written to Kafka "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration maxClockSkew;

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new AggregateJob())
                .registerConverter(BoundedContext.class, BoundedContext::byId)
                , args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        BoundedContext handled = context; // the decider supplier is shipped to the cluster: it must not capture this
        define(env, options, handled, dedupWindow, maxClockSkew, () -> Deciders.forContext(handled));
        env.execute("factstream aggregate " + context.id());
        return 0;
    }

    /** Adds the job's sources, operators and sinks to the environment. */
    public static <S extends SpecificRecord> void define(StreamExecutionEnvironment env, JobOptions options,
                                                         BoundedContext context, int dedupWindow,
                                                         Duration maxClockSkew,
                                                         SerializableSupplier<Decider<S>> decider) {
        AggregateUids uids = new AggregateUids(context);
        WatermarkStrategy<Either<DeadLetter, LoggedCommand>> logOrder = WatermarkStrategy
                .<Either<DeadLetter, LoggedCommand>>noWatermarks()
                .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? record.right().getOffset() : kafkaTime);
        SingleOutputStreamOperator<LoggedCommand> commands = JobInput
                .read(env, options, new LoggedCommandDecoder(), options.groupIdOr(context.id() + "-aggregate"),
                        List.of(context.commandsTopic()), logOrder, uids.source())
                .process(new DeadLetterRouter<LoggedCommand>(), new AvroTypeInfo<>(LoggedCommand.class))
                .uid(uids.decoder())
                .name("decode commands");

        SingleOutputStreamOperator<EventEnvelope> events = commands
                .keyBy(logged -> logged.getCommand().getSubjectId(), Types.STRING)
                .process(new AggregateProcessor<>(decider, dedupWindow, maxClockSkew),
                        new AvroTypeInfo<>(EventEnvelope.class))
                .uid(uids.processor())
                .name(context.aggregateType() + " aggregate");

        KafkaEndpoints.write(events, options, CatalogRecordSerializer.builder(EventEnvelope.class)
                        .topic(context.eventsTopic())
                        .key(EventEnvelope::getAggregateId)
                        .timestamp(event -> KafkaEndpoints.recordTimestamp(event.getCreationTimestamp()))
                        .build(),
                uids.eventsSink(), context.eventsTopic());
        KafkaEndpoints.write(events.getSideOutput(AggregateProcessor.REJECTIONS), options,
                CatalogRecordSerializer.builder(CommandRejected.class)
                        .topic(context.rejectionsTopic())
                        .key(CommandRejected::getSubjectId)
                        .timestamp(rejection -> KafkaEndpoints.recordTimestamp(rejection.getCreationTimestamp()))
                        .build(),
                uids.rejectionsSink(), context.rejectionsTopic());
        KafkaEndpoints.write(commands.getSideOutput(DeadLetterRouter.DEAD_LETTERS), options,
                new DeadLetterSerializer(context.deadLetterTopic()), uids.deadLetterSink(), context.deadLetterTopic());
    }
}
