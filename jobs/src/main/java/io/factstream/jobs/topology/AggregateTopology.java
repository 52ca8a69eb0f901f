package io.factstream.jobs.topology;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.aggregate.AggregateProcessor;
import io.factstream.jobs.aggregate.AggregateUids;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.log.DeadLetter;
import io.factstream.log.LoggedCommand;
import io.factstream.log.ParkedRecord;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The dataflow of one bounded context's aggregate job, apart from where its records come from and go to: decoded
 * command records in; events, rejections, dead letters and parked commands out.
 *
 * <pre>
 * commands or dead letters ─► route ─► key by aggregate id ─► aggregate ─► events
 *                                 │                                    ├─► rejections
 *                                 │                                    └─► parked (quarantine)
 *                                 └─► dead letters
 * </pre>
 *
 * <p>The input is timed by {@link #LOG_ORDER}: each command by its offset, so that a batch run, which sorts each
 * aggregate's commands by time, sees them in log order, as the live job does.
 *
 * @param <S> the aggregate's Avro state record
 */
public final class AggregateTopology<S extends SpecificRecord> {

    /** Commands timed by their offset, which grows along a partition (one aggregate, one partition). */
    public static final WatermarkStrategy<Either<DeadLetter, LoggedCommand>> LOG_ORDER = WatermarkStrategy
            .<Either<DeadLetter, LoggedCommand>>noWatermarks()
            .withTimestampAssigner((record, kafkaTime) -> record.isRight() ? record.right().getOffset() : kafkaTime);

    /** What the job writes. */
    public record Outputs(DataStream<EventEnvelope> events, DataStream<CommandRejected> rejections,
                          DataStream<DeadLetter> deadLetters, DataStream<ParkedRecord> parked) {
    }

    private final BoundedContext context;
    private final AggregateSettings settings;
    private final SerializableSupplier<Decider<S>> decider;

    /** @param decider makes the context's decider on each parallel instance */
    public AggregateTopology(BoundedContext context, AggregateSettings settings,
                             SerializableSupplier<Decider<S>> decider) {
        this.context = context;
        this.settings = settings;
        this.decider = decider;
    }

    /** Adds the job's operators behind the decoded command records. */
    public Outputs apply(DataStream<Either<DeadLetter, LoggedCommand>> records) {
        AggregateUids uids = new AggregateUids(context);
        SingleOutputStreamOperator<LoggedCommand> commands = records
                .process(new DeadLetterRouter<LoggedCommand>(), new AvroRecordTypeInfo<>(LoggedCommand.class))
                .uid(uids.decoder())
                .name("decode commands");
        SingleOutputStreamOperator<EventEnvelope> events = commands
                .keyBy(logged -> logged.getCommand().getSubjectId(), Types.STRING)
                .process(new AggregateProcessor<>(decider, settings), new AvroRecordTypeInfo<>(EventEnvelope.class))
                .uid(uids.processor())
                .name(context.aggregateType() + " aggregate");
        return new Outputs(events, events.getSideOutput(AggregateProcessor.REJECTIONS),
                commands.getSideOutput(DeadLetterRouter.DEAD_LETTERS), events.getSideOutput(AggregateProcessor.PARKED));
    }
}
