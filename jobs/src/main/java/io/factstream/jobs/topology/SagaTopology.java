package io.factstream.jobs.topology;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.jobs.saga.SagaProcessor;
import io.factstream.jobs.saga.SagaUids;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.log.DeadLetter;
import io.factstream.log.ParkedInput;
import io.factstream.log.RedriveRequest;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The dataflow of a saga job, apart from where its records come from and go to: decoded events and rejections of
 * every context, and time, in; the commands the saga sends, and dead letters, out.
 *
 * <pre>
 * events or dead letters     ─► route ─┐
 * rejections or dead letters ─► route ─┼─► key by correlation id ─► saga ─┬─► commands
 * clock (live runs only)     ─► time ──┘                             ▲    └─► parked inputs
 * redrive requests (live)    ─► decode ─────────────────────────────┘
 * </pre>
 *
 * <p>Time is an input: the inputs are timed by their {@code creationTimestamp} ({@link #eventsTime},
 * {@link #rejectionsTime}), and a live run adds a clock whose ticks carry only watermarks, so that timeouts fire
 * when no input comes. What the saga decides depends on its inputs alone (see
 * {@link io.factstream.kernel.saga.SagaEngine}), so a bounded run without a clock sends the commands the live job
 * sent.
 *
 * @param <S> the saga's Avro state record
 */
public final class SagaTopology<S extends SpecificRecord> {

    /** What the job writes. */
    public record Outputs(DataStream<CommandEnvelope> commands, DataStream<DeadLetter> deadLetters,
                          DataStream<ParkedInput> parked) {
    }

    private static final TypeInformation<Either<EventEnvelope, CommandRejected>> INPUT =
            new EitherTypeInfo<>(new AvroRecordTypeInfo<>(EventEnvelope.class), new AvroRecordTypeInfo<>(CommandRejected.class));

    private final SerializableSupplier<SagaDefinition<S>> definition;
    private final long horizon;

    /**
     * @param definition makes the saga's definition on each parallel instance
     * @param horizon    where time ends for this run, in epoch milliseconds ({@code Long.MAX_VALUE} live): no
     *                   deadline after it fires
     */
    public SagaTopology(SerializableSupplier<SagaDefinition<S>> definition, long horizon) {
        this.definition = definition;
        this.horizon = horizon;
    }

    /** The uids of the saga's operators, its sources' and sinks' included. */
    public SagaUids uids() {
        return new SagaUids(definition.get().name());
    }

    /** Events timed by their creation. */
    public static WatermarkStrategy<Either<DeadLetter, EventEnvelope>> eventsTime(EventTime time) {
        return time.watermarks(event -> event.getCreationTimestamp().toEpochMilli());
    }

    /** Rejections timed by their creation, which is their command's. */
    public static WatermarkStrategy<Either<DeadLetter, CommandRejected>> rejectionsTime(EventTime time) {
        return time.watermarks(rejection -> rejection.getCreationTimestamp().toEpochMilli());
    }

    /** Redrive requests timed by their writing, marked idle between requests so as not to hold up time. */
    public static WatermarkStrategy<Either<DeadLetter, RedriveRequest>> redrivesTime(EventTime time) {
        return time.watermarks(request -> request.getRequestedAt().toEpochMilli());
    }

    /**
     * Adds the saga's operators behind its inputs.
     *
     * @param clock          wall-clock ticks with their watermarks (see {@link EventTime#clock}), or null for a
     *                       bounded run
     * @param redriveRecords the decoded records of {@code factstream.redrive}, or null for a bounded run
     */
    public Outputs apply(DataStream<Either<DeadLetter, EventEnvelope>> events,
                         DataStream<Either<DeadLetter, CommandRejected>> rejections, DataStream<Long> clock,
                         DataStream<Either<DeadLetter, RedriveRequest>> redriveRecords) {
        SagaUids uids = uids();
        SingleOutputStreamOperator<EventEnvelope> decodedEvents = events
                .process(new DeadLetterRouter<EventEnvelope>(), new AvroRecordTypeInfo<>(EventEnvelope.class))
                .uid(uids.eventsDecoder())
                .name("decode EventEnvelope");
        SingleOutputStreamOperator<CommandRejected> decodedRejections = rejections
                .process(new DeadLetterRouter<CommandRejected>(), new AvroRecordTypeInfo<>(CommandRejected.class))
                .uid(uids.rejectionsDecoder())
                .name("decode CommandRejected");
        DataStream<Either<EventEnvelope, CommandRejected>> inputs = decodedEvents
                .map(Either::<EventEnvelope, CommandRejected>Left, INPUT).name("events")
                .union(decodedRejections.map(Either::<EventEnvelope, CommandRejected>Right, INPUT).name("rejections"));
        if (clock != null) {
            inputs = inputs.union(clock.flatMap(new WatermarksOnly<Long, Either<EventEnvelope, CommandRejected>>(),
                    INPUT).name("time"));
        }
        String saga = definition.get().name();
        DataStream<RedriveRequest> redrives = Redrives.of(redriveRecords, inputs, uids.redriveDecoder())
                .filter(request -> request.getScope().equals(saga)).name("redrives");
        SingleOutputStreamOperator<CommandEnvelope> commands = inputs
                .keyBy(SagaTopology::correlationId, Types.STRING)
                .connect(redrives.keyBy(RedriveRequest::getKey, Types.STRING))
                .process(new SagaProcessor<>(definition, horizon), new AvroRecordTypeInfo<>(CommandEnvelope.class))
                .uid(uids.processor())
                .name(saga + " saga");
        return new Outputs(commands, decodedEvents.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                .union(decodedRejections.getSideOutput(DeadLetterRouter.DEAD_LETTERS)),
                commands.getSideOutput(KeyQuarantine.PARKED));
    }

    private static String correlationId(Either<EventEnvelope, CommandRejected> input) {
        return input.isLeft() ? input.left().getCorrelationId() : input.right().getCorrelationId();
    }
}
