package io.factstream.jobs.aggregate;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.RejectionReason;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.jobs.state.DeclaresKeyedState;
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.log.LoggedCommand;
import io.factstream.log.ParkStatus;
import io.factstream.log.ParkedRecord;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.ParkedAggregate;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The Flink shell around a {@link CommandHandler}: keyed by aggregate id, it loads the aggregate's
 * {@link AggregateSnapshot} from one Avro value state, handles the command, stores the new snapshot, emits the
 * stamped events, and sends rejections to the {@link #REJECTIONS} side output. One class serves every aggregate.
 *
 * <p>It must see each aggregate's commands in log order. Live, they come in that order (one aggregate, one
 * partition). In a batch run Flink sorts each key's records by timestamp, and by nothing else, so the aggregate job
 * times each command by its offset, which grows along the partition.
 *
 * <p>Quarantine: when the aggregate's code throws on a command (a bug, or an input nobody foresaw), the job does not
 * fail, which would read the same command again forever and hold up every aggregate of the context. The aggregate is
 * parked instead ({@link ParkedAggregate} in a second value state): the command and every later one for it go to
 * the {@link #PARKED} side output ({@code <ctx>.parked}), in order, each answered with a {@code QUARANTINED}
 * rejection, while every other aggregate flows. Once a fixed version runs, {@code redrive} writes the parked
 * commands again, under ids of their own and marked with their index ({@code LoggedCommand.redriveOf}); they are
 * handled in that order, and when the last one has been the aggregate is unparked ({@code UNPARKED} on
 * {@code <ctx>.parked}). A redriven command that fails again is rejected and keeps its place.
 *
 * <p>Metrics (group {@code factstream}): {@code commandsAccepted}, {@code commandsDeduplicated},
 * {@code commandsRejected} per {@code reason}, {@code commandsParked}, {@code aggregatesParked},
 * {@code aggregatesUnparked}, and the histogram {@code commandToEventLatencyMs}, from a command's creation to its
 * events leaving this operator.
 *
 * @param <S> the aggregate's Avro state record
 */
public final class AggregateProcessor<S extends SpecificRecord>
        extends KeyedProcessFunction<String, LoggedCommand, EventEnvelope> implements DeclaresKeyedState {

    public static final OutputTag<CommandRejected> REJECTIONS =
            new OutputTag<>("rejections", new AvroRecordTypeInfo<>(CommandRejected.class));

    /** Parked commands and the end of quarantines, for {@code <ctx>.parked}. */
    public static final OutputTag<ParkedRecord> PARKED =
            new OutputTag<>("parked", new AvroRecordTypeInfo<>(ParkedRecord.class));

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "aggregate";
    /** The name of the value state that holds an aggregate's quarantine. */
    public static final String QUARANTINE_STATE_NAME = "quarantine";

    private final SerializableSupplier<Decider<S>> decider;
    private final AggregateSettings settings;

    private transient CommandHandler<S> handler;
    private transient ValueState<AggregateSnapshot> snapshot;
    private transient ValueState<ParkedAggregate> quarantine;
    private transient Counter accepted;
    private transient Counter commandsParked;
    private transient Counter aggregatesParked;
    private transient Counter aggregatesUnparked;
    private transient Counter deduplicated;
    private transient Map<RejectionReason, Counter> rejected;
    private transient Histogram latency;

    /**
     * @param decider  makes the aggregate's decider on each parallel instance
     * @param settings the dedup window and the clock skew allowed (see {@link CommandHandler})
     */
    public AggregateProcessor(SerializableSupplier<Decider<S>> decider, AggregateSettings settings) {
        this.decider = decider;
        this.settings = settings;
    }

    /** The descriptor of the aggregate state: one Avro snapshot per aggregate id. */
    public static ValueStateDescriptor<AggregateSnapshot> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(AggregateSnapshot.class));
    }

    /** The descriptor of the quarantine: whether the aggregate is parked, since which command. */
    static ValueStateDescriptor<ParkedAggregate> quarantineDescriptor() {
        return new ValueStateDescriptor<>(QUARANTINE_STATE_NAME, new AvroTypeInfo<>(ParkedAggregate.class));
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStates() {
        return List.of(stateDescriptor(), quarantineDescriptor());
    }

    @Override
    public void open(OpenContext openContext) {
        handler = new CommandHandler<>(decider.get(), settings);
        snapshot = getRuntimeContext().getState(stateDescriptor());
        quarantine = getRuntimeContext().getState(quarantineDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("factstream");
        accepted = metrics.counter("commandsAccepted");
        commandsParked = metrics.counter("commandsParked");
        aggregatesParked = metrics.counter("aggregatesParked");
        aggregatesUnparked = metrics.counter("aggregatesUnparked");
        deduplicated = metrics.counter("commandsDeduplicated");
        rejected = new EnumMap<>(RejectionReason.class);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, metrics.addGroup("reason", reason.name()).counter("commandsRejected"));
        }
        latency = metrics.histogram("commandToEventLatencyMs", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(LoggedCommand logged, Context context, Collector<EventEnvelope> out)
            throws Exception {
        CommandEnvelope command = logged.getCommand();
        Instant writtenAt = logged.getWrittenAt();
        ParkedAggregate parked = quarantine.value();
        Long redriveOf = logged.getRedriveOf();
        if (!command.getSubjectId().equals(logged.getRecordKey())) {
            // Keyed by another aggregate: rejected by the handler before any of the aggregate's code runs.
            answer(handler.handle(snapshot.value(), command, writtenAt, logged.getRecordKey()), context, out);
            return;
        }
        if (redriveOf == null && parked != null) {
            CommandOutcome waits = handler.reject(snapshot.value(), command, writtenAt, RejectionReason.QUARANTINED,
                    command.getSubjectId() + " is parked since " + parked.getSince() + " (" + parked.getError()
                            + "); this command waits as parked command #" + parked.getParked()
                            + " until a fixed version redrives it");
            answer(waits, context, out);
            if (!(waits instanceof CommandOutcome.Duplicate)) {
                park(logged, parked, null, context);
            }
            return;
        }
        if (redriveOf != null && (parked == null || redriveOf != parked.getRedriven())) {
            answer(handler.reject(snapshot.value(), command, writtenAt, RejectionReason.INVALID_COMMAND,
                    parked == null ? "nothing of " + command.getSubjectId() + " is parked: parked command #" + redriveOf
                            + " was redriven already"
                    : "parked command #" + redriveOf + " of " + command.getSubjectId() + " is redriven out of turn: #"
                            + parked.getRedriven() + " is next"), context, out);
            return;
        }
        CommandOutcome outcome;
        try {
            outcome = handler.handle(snapshot.value(), command, writtenAt, logged.getRecordKey());
        } catch (RuntimeException failure) {
            String error = KeyQuarantine.describe(failure);
            if (parked == null) {
                answer(handler.reject(snapshot.value(), command, writtenAt, RejectionReason.QUARANTINED, "the "
                        + handler.context().id() + " code failed on this command (" + error + "); "
                        + command.getSubjectId() + " is parked until a fixed version redrives its commands"),
                        context, out);
                aggregatesParked.inc();
                park(logged, new ParkedAggregate(0L, 0L, command.getCreationTimestamp(), error), failure, context);
            } else {
                answer(handler.reject(snapshot.value(), command, writtenAt, RejectionReason.QUARANTINED,
                        "redriving parked command #" + redriveOf + " of " + command.getSubjectId() + " failed again ("
                                + error + "); it keeps its place"), context, out);
            }
            return;
        }
        answer(outcome, context, out);
        if (redriveOf != null) {
            redriven(logged, parked, context);
        }
    }

    /** Emits a command's outcome and keeps the snapshot it leaves. */
    private void answer(CommandOutcome outcome, Context context, Collector<EventEnvelope> out) throws Exception {
        if (outcome instanceof CommandOutcome.Accepted acceptance) {
            snapshot.update(acceptance.snapshot());
            acceptance.events().forEach(out::collect);
            accepted.inc();
            latency.update(System.currentTimeMillis()
                    - acceptance.events().get(0).getCreationTimestamp().toEpochMilli());
        } else if (outcome instanceof CommandOutcome.Rejected rejection) {
            snapshot.update(rejection.snapshot());
            context.output(REJECTIONS, rejection.rejection());
            rejected.get(rejection.rejection().getReason()).inc();
        } else {
            deduplicated.inc();
        }
    }

    /** Parks a command as the aggregate's next parked one, with the stack trace of the failure that parked it. */
    private void park(LoggedCommand logged, ParkedAggregate parked, RuntimeException failure, Context context)
            throws Exception {
        String stackTrace = failure == null ? null : KeyQuarantine.stackTrace(failure);
        context.output(PARKED, new ParkedRecord(logged.getCommand().getSubjectId(), ParkStatus.PARKED,
                parked.getParked(), logged.getCommand(), logged.getWrittenAt(), parked.getError(), stackTrace));
        parked.setParked(parked.getParked() + 1);
        quarantine.update(parked);
        commandsParked.inc();
    }

    /** Counts a parked command as redriven; the last one ends the quarantine. */
    private void redriven(LoggedCommand logged, ParkedAggregate parked, Context context) throws Exception {
        parked.setRedriven(parked.getRedriven() + 1);
        if (parked.getRedriven() < parked.getParked()) {
            quarantine.update(parked);
            return;
        }
        quarantine.clear();
        aggregatesUnparked.inc();
        context.output(PARKED, new ParkedRecord(logged.getCommand().getSubjectId(), ParkStatus.UNPARKED,
                parked.getRedriven(), null, logged.getWrittenAt(), parked.getError(), null));
    }
}
