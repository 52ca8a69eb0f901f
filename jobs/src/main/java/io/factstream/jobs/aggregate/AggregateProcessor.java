package io.factstream.jobs.aggregate;

import java.util.EnumMap;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
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
import io.factstream.kernel.aggregate.AggregateSettings;
import io.factstream.kernel.aggregate.CommandHandler;
import io.factstream.kernel.aggregate.CommandOutcome;
import io.factstream.kernel.aggregate.Decider;
import io.factstream.log.LoggedCommand;
import io.factstream.state.AggregateSnapshot;

/**
 * The Flink shell around a {@link CommandHandler}: keyed by aggregate id, it loads the aggregate's
 * {@link AggregateSnapshot} from one Avro value state, handles the command, stores the new snapshot, emits the
 * stamped events, and sends rejections to the {@link #REJECTIONS} side output. One class serves every aggregate.
 *
 * <p>It must see each aggregate's commands in log order. Live, they come in that order (one aggregate, one
 * partition). In a batch run Flink sorts each key's records by timestamp, and by nothing else, so the aggregate job
 * times each command by its offset, which grows along the partition.
 *
 * <p>Metrics (group {@code factstream}): {@code commandsAccepted}, {@code commandsDeduplicated},
 * {@code commandsRejected} per {@code reason}, and the histogram {@code commandToEventLatencyMs}, from a command's
 * creation to its events leaving this operator.
 *
 * @param <S> the aggregate's Avro state record
 */
public final class AggregateProcessor<S extends SpecificRecord>
        extends KeyedProcessFunction<String, LoggedCommand, EventEnvelope> {

    public static final OutputTag<CommandRejected> REJECTIONS =
            new OutputTag<>("rejections", new AvroTypeInfo<>(CommandRejected.class));

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "aggregate";

    private final SerializableSupplier<Decider<S>> decider;
    private final AggregateSettings settings;

    private transient CommandHandler<S> handler;
    private transient ValueState<AggregateSnapshot> snapshot;
    private transient Counter accepted;
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

    @Override
    public void open(OpenContext openContext) {
        handler = new CommandHandler<>(decider.get(), settings);
        snapshot = getRuntimeContext().getState(stateDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("factstream");
        accepted = metrics.counter("commandsAccepted");
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
        CommandOutcome outcome = handler.handle(snapshot.value(), command, logged.getWrittenAt());
        if (outcome instanceof CommandOutcome.Accepted acceptance) {
            snapshot.update(acceptance.snapshot());
            acceptance.events().forEach(out::collect);
            accepted.inc();
            latency.update(System.currentTimeMillis() - command.getCreationTimestamp().toEpochMilli());
        } else if (outcome instanceof CommandOutcome.Rejected rejection) {
            snapshot.update(rejection.snapshot());
            context.output(REJECTIONS, rejection.rejection());
            rejected.get(rejection.rejection().getReason()).inc();
        } else {
            deduplicated.inc();
        }
    }
}
