package io.factstream.jobs;

import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.domain.Deciders;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.jobs.io.CatalogRecordSerializer;
import io.factstream.jobs.io.DeadLetterSerializer;
import io.factstream.jobs.io.KafkaOutput;
import io.factstream.jobs.io.LoggedCommandDecoder;
import io.factstream.jobs.topology.AggregateTopology;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.log.ParkedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The command-processing job of one bounded context: {@link AggregateTopology} between {@code <ctx>.commands} and
 * {@code <ctx>.events}, {@code <ctx>.rejections} and {@code <ctx>.dlq}, every sink exactly-once.
 *
 * <p>The same wiring runs live and as a backfill ({@code --mode BATCH}, a range of the commands topic or a topic
 * dump). Outputs carry the command's {@code creationTimestamp} as Kafka timestamp (never one ahead of the clock), so
 * a backfill writes the records the live job wrote.
 */
@Command(name = "aggregate-job", mixinStandardHelpOptions = true,
        description = "Runs the aggregate of one bounded context: commands in, events or rejections out.")
public final class AggregateJob implements Callable<Integer> {

    @Option(names = "--context", required = true,
            description = "The bounded context: orders, payments, kitchen or delivery.")
    BoundedContext context;

    @Mixin
    AggregateOptions aggregate;

    @Mixin
    JobOptions options;

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new AggregateJob()).registerConverter(BoundedContext.class, BoundedContext::byId),
                args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        BoundedContext handled = context; // the decider supplier is shipped to the cluster: it must not capture this
        define(env, options, handled, aggregate.settings(), () -> Deciders.forContext(handled));
        options.execute(env, PlatformJob.byId(context.id()));
        return 0;
    }

    /** Adds the job's sources, topology and sinks to the environment. */
    public static <S extends SpecificRecord> void define(StreamExecutionEnvironment env, JobOptions options,
                                                         BoundedContext context, AggregateSettings settings,
                                                         SerializableSupplier<Decider<S>> decider) {
        AggregateUids uids = new AggregateUids(context);
        String name = context.id() + "-aggregate";
        AggregateTopology.Outputs outputs = new AggregateTopology<>(context, settings, decider).apply(
                options.fenced(options.input(name).read(env, new LoggedCommandDecoder(),
                        List.of(context.commandsTopic()), AggregateTopology.LOG_ORDER, uids.source()),
                        PlatformJob.byId(context.id()), uids.fence()));

        KafkaOutput kafka = options.output(PlatformJob.byId(context.id()));
        kafka.write(outputs.events(), CatalogRecordSerializer.builder(EventEnvelope.class)
                        .topic(context.eventsTopic())
                        .key(EventEnvelope::getAggregateId)
                        .timestamp(event -> KafkaOutput.recordTimestamp(event.getCreationTimestamp()))
                        .build(),
                uids.eventsSink(), context.eventsTopic());
        kafka.write(outputs.rejections(), CatalogRecordSerializer.builder(CommandRejected.class)
                        .topic(context.rejectionsTopic())
                        .key(CommandRejected::getSubjectId)
                        .timestamp(rejection -> KafkaOutput.recordTimestamp(rejection.getCreationTimestamp()))
                        .build(),
                uids.rejectionsSink(), context.rejectionsTopic());
        kafka.write(outputs.deadLetters(), new DeadLetterSerializer(name, context.deadLetterTopic()),
                uids.deadLetterSink(), context.deadLetterTopic());
        kafka.write(outputs.parked(), CatalogRecordSerializer.builder(ParkedRecord.class)
                        .topic(context.parkedTopic())
                        .key(ParkedRecord::getAggregateId)
                        .timestamp(parked -> KafkaOutput.recordTimestamp(parked.getWrittenAt()))
                        .build(),
                uids.parkedSink(), context.parkedTopic());
    }
}
