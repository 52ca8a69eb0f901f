package io.factstream.jobs.saga;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaEngine;
import io.factstream.state.SagaSnapshot;

/**
 * The Flink shell around a {@link SagaEngine}: keyed by correlation id, it keeps each saga's {@link SagaSnapshot}
 * in one Avro value state and at most one event-time timer (at the saga's next due input or deadline), feeds the
 * engine with inputs and with the watermark, and emits the commands. A finished saga's state and timer are removed.
 *
 * <p>A bounded run (replay, backfill) ends its time at a horizon: deadlines after it do not fire, as they would not
 * have fired live by then. (At the end of a bounded input the watermark jumps to the end of time.)
 *
 * <p>Metrics (group {@code factstream}): {@code sagasStarted}, {@code sagasFinished} per {@code outcome} (its
 * first word), {@code commandsSent}, and {@code lateInputs} (inputs that arrived after the watermark had passed
 * them: each one may make a replay differ).
 *
 * @param <S> the saga's Avro state record
 */
public final class SagaProcessor<S extends SpecificRecord>
        extends KeyedProcessFunction<String, Either<EventEnvelope, CommandRejected>, CommandEnvelope> {

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "saga";

    private final SerializableSupplier<SagaDefinition<S>> definition;
    private final long horizon;

    private transient SagaEngine<S> engine;
    private transient ValueState<SagaSnapshot> snapshot;
    private transient MetricGroup metrics;
    private transient Counter started;
    private transient Counter sent;
    private transient Counter late;
    private transient Map<String, Counter> finished;

    /** A processor whose time has no end: a live saga. */
    public SagaProcessor(SerializableSupplier<SagaDefinition<S>> definition) {
        this(definition, Long.MAX_VALUE);
    }

    /** @param horizon where time ends for this run, in epoch milliseconds: no deadline after it fires */
    public SagaProcessor(SerializableSupplier<SagaDefinition<S>> definition, long horizon) {
        this.definition = definition;
        this.horizon = horizon;
    }

    /** The descriptor of the saga state: one Avro snapshot per saga. */
    public static ValueStateDescriptor<SagaSnapshot> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(SagaSnapshot.class));
    }

    @Override
    public void open(OpenContext openContext) {
        engine = new SagaEngine<>(definition.get());
        snapshot = getRuntimeContext().getState(stateDescriptor());
        metrics = getRuntimeContext().getMetricGroup().addGroup("factstream");
        started = metrics.counter("sagasStarted");
        sent = metrics.counter("commandsSent");
        late = metrics.counter("lateInputs");
        finished = new HashMap<>();
    }

    @Override
    public void processElement(Either<EventEnvelope, CommandRejected> input, Context context,
                               Collector<CommandEnvelope> out) throws Exception {
        SagaSnapshot before = snapshot.value();
        SpecificRecord record = input.isLeft() ? input.left() : input.right();
        TimerService timers = context.timerService();
        apply(before, before == null || before.getWakeUpAt() == null ? null : before.getWakeUpAt().toEpochMilli(),
                engine.onInput(context.getCurrentKey(), before, record, now(timers)), timers, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<CommandEnvelope> out) throws Exception {
        SagaSnapshot before = snapshot.value();
        if (before != null) {
            // The timer that fired is gone: nothing to delete.
            apply(before, null, engine.onTime(context.getCurrentKey(), before, now(context.timerService())),
                    context.timerService(), out);
        }
    }

    /** The watermark, up to the horizon. */
    private long now(TimerService timers) {
        return Math.min(timers.currentWatermark(), horizon);
    }

    private void apply(SagaSnapshot before, Long registered, SagaEngine.Result result, TimerService timers,
                       Collector<CommandEnvelope> out) throws Exception {
        result.commands().forEach(out::collect);
        sent.inc(result.commands().size());
        if (result.started()) {
            started.inc();
        }
        if (result.late()) {
            late.inc();
        }
        SagaSnapshot after = result.snapshot();
        Long wakeUp = after == null ? null : engine.nextWakeUp(after);
        if (wakeUp != null && wakeUp > horizon) {
            wakeUp = null;
        }
        if (!Objects.equals(registered, wakeUp)) {
            if (registered != null) {
                timers.deleteEventTimeTimer(registered);
            }
            if (wakeUp != null) {
                timers.registerEventTimeTimer(wakeUp);
            }
        }
        if (after == null) {
            if (before != null) {
                snapshot.clear();
            }
            if (result.finished()) {
                finished.computeIfAbsent(result.outcome().split(" ")[0],
                        outcome -> metrics.addGroup("outcome", outcome).counter("sagasFinished")).inc();
            }
            return;
        }
        after.setWakeUpAt(wakeUp == null ? null : Instant.ofEpochMilli(wakeUp));
        snapshot.update(after);
    }
}
