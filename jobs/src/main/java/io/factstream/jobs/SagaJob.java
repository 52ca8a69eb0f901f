package io.factstream.jobs;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.domain.fulfilment.OrderFulfilment;
import io.factstream.jobs.io.CatalogRecordDeserializer;
import io.factstream.jobs.io.CatalogRecordSerializer;
import io.factstream.jobs.io.DeadLetterSerializer;
import io.factstream.jobs.io.JobInput;
import io.factstream.jobs.io.KafkaOutput;
import io.factstream.jobs.io.ParkedInputs;
import io.factstream.jobs.saga.SagaUids;
import io.factstream.jobs.topology.EventTime;
import io.factstream.jobs.topology.SagaTopology;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.log.RedriveRequest;
import io.factstream.state.OrderFulfilmentState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * The order-fulfilment saga job: {@link SagaTopology} between the four {@code <ctx>.events} and
 * {@code <ctx>.rejections} topics (and, live, a clock) and the {@code <ctx>.commands} topic of each command sent,
 * exactly once. A bounded run (replay, backfill, {@code --mode BATCH}) has no clock; its time ends at
 * {@code --until} when that is a time, else at the moment the job is defined: deadlines after it do not fire, as
 * they would not have fired live by then.
 */
@Command(name = "saga-job", mixinStandardHelpOptions = true,
        description = "Runs the order-fulfilment saga: events and rejections in, commands out.")
public final class SagaJob implements Callable<Integer> {

    @Mixin
    FulfilmentOptions fulfilment;

    @Mixin
    EventTimeOptions time;

    @Mixin
    JobOptions options;

    private final SerializableFunction<OrderFulfilment.Timeouts, SagaDefinition<OrderFulfilmentState>> definition;

    /** The job of the reference domain's order-fulfilment saga. */
    public SagaJob() {
        this(OrderFulfilment::new);
    }

    /**
     * The job of another definition of the order-fulfilment saga, e.g. a later version of it, with the same
     * arguments, operators and uids.
     */
    public SagaJob(SerializableFunction<OrderFulfilment.Timeouts, SagaDefinition<OrderFulfilmentState>> definition) {
        this.definition = definition;
    }

    public static void main(String[] args) {
        JobMain.run(new CommandLine(new SagaJob()), args);
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = options.environment();
        OrderFulfilment.Timeouts timeouts = fulfilment.timeouts();
        SerializableFunction<OrderFulfilment.Timeouts, SagaDefinition<OrderFulfilmentState>> version = definition;
        define(env, options, time.eventTime(), () -> version.apply(timeouts));
        options.execute(env, PlatformJob.byId("saga"));
        return 0;
    }

    /** Adds the saga job's sources, topology and sinks to the environment. */
    public static <S extends SpecificRecord> void define(StreamExecutionEnvironment env, JobOptions options,
                                                         EventTime time,
                                                         SerializableSupplier<SagaDefinition<S>> definition) {
        SagaTopology<S> topology = new SagaTopology<>(definition, options.timeHorizon());
        SagaUids uids = topology.uids();
        String name = definition.get().name() + "-saga";
        JobInput input = options.input(name);
        SagaTopology.Outputs outputs = topology.apply(
                options.fenced(input.read(env, CatalogRecordDeserializer.events(),
                        Arrays.stream(BoundedContext.values()).map(BoundedContext::eventsTopic).toList(),
                        SagaTopology.eventsTime(time), uids.eventsSource()), PlatformJob.byId("saga"), uids.fence()),
                input.read(env, CatalogRecordDeserializer.rejections(),
                        Arrays.stream(BoundedContext.values()).map(BoundedContext::rejectionsTopic).toList(),
                        SagaTopology.rejectionsTime(time), uids.rejectionsSource()),
                input.bounded() ? null : time.clock(env, uids.clock()),
                input.bounded() ? null : input.read(env, CatalogRecordDeserializer.forType(RedriveRequest.class),
                        List.of(TopicCatalog.REDRIVE), SagaTopology.redrivesTime(time), uids.redriveSource()));

        KafkaOutput kafka = options.output(PlatformJob.byId("saga"));
        kafka.write(outputs.commands(), CatalogRecordSerializer.builder(CommandEnvelope.class)
                        .topicSelector(c -> EventCatalog.get().commandType(c.getCommandType()).context().commandsTopic())
                        .key(CommandEnvelope::getSubjectId)
                        .timestamp(c -> KafkaOutput.recordTimestamp(c.getCreationTimestamp()))
                        .build(),
                uids.commandsSink(), "commands");
        kafka.write(outputs.deadLetters(),
                new DeadLetterSerializer(name,
                        letter -> BoundedContext.ofTopic(letter.getSourceTopic()).deadLetterTopic()),
                uids.deadLetterSink(), "dead letters");
        kafka.write(outputs.parked(), ParkedInputs.serializer(TopicCatalog.SAGAS_PARKED), uids.parkedSink(),
                TopicCatalog.SAGAS_PARKED);
    }
}
