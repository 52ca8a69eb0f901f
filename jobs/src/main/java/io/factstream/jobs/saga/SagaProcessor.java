package io.factstream.jobs.saga;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.jobs.quarantine.KeyQuarantine;
import io.factstream.jobs.state.DeclaresKeyedState;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.saga.SagaEngine;
import io.factstream.log.RedriveRequest;
import io.factstream.state.QuarantinedKey;
import io.factstream.state.SagaSnapshot;

/**
 * The Flink shell around a {@link SagaEngine}: keyed by correlation id, it keeps each saga's {@link SagaSnapshot}
 * in one Avro value state and at most one event-time timer (at the saga's next due input or deadline), feeds the
 * engine with inputs and with the watermark, and emits the commands. A finished saga's state and timer are removed.
 *
 * <p>A bounded run (replay, backfill) ends its time at a horizon: deadlines after it do not fire, as they would not
 * have fired live by then. (At the end of a bounded input the watermark jumps to the end of time.)
 *
 * <p>Quarantine: when the saga's code throws for a saga, on an input or as time passes, the saga is parked
 * ({@link KeyQuarantine}): its snapshot stays as it was before, its timer fires nothing, and the input and every
 * later one are held, in order, and written to {@code sagas.parked}; every other saga flows. A
 * {@link RedriveRequest} for the saga (the second input) hands the held inputs to the engine again, all at once
 * ({@link SagaEngine#onInputs}), so that deadlines fall between them in business time as they would have without the
 * bug, and unparks the saga.
 *
 * <p>Metrics (group {@code factstream}): {@code sagasStarted}, {@code sagasFinished} per {@code outcome} (its
 * first word), {@code commandsSent}, {@code lateInputs} (inputs that arrived after the watermark had passed
 * them: each one may make a replay differ), and the quarantine's.
 *
 * @param <S> the saga's Avro state record
 */
public final class SagaProcessor<S extends SpecificRecord> extends
        KeyedCoProcessFunction<String, Either<EventEnvelope, CommandRejected>, RedriveRequest, CommandEnvelope>
        implements DeclaresKeyedState {

    /** The name of the value state, as state-tools read it. */
    public static final String STATE_NAME = "saga";

    private final SerializableSupplier<SagaDefinition<S>> definition;
    private final long horizon;
    private final KeyQuarantine quarantine;

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
        this.quarantine = new KeyQuarantine(definition.get().name());
    }

    /** The descriptor of the saga state: one Avro snapshot per saga. */
    public static ValueStateDescriptor<SagaSnapshot> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(SagaSnapshot.class));
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStates() {
        return List.of(stateDescriptor(), KeyQuarantine.stateDescriptor());
    }

    @Override
    public void open(OpenContext openContext) {
        engine = new SagaEngine<>(definition.get());
        snapshot = getRuntimeContext().getState(stateDescriptor());
        quarantine.open(getRuntimeContext());
        metrics = getRuntimeContext().getMetricGroup().addGroup("factstream");
        started = metrics.counter("sagasStarted");
        sent = metrics.counter("commandsSent");
        late = metrics.counter("lateInputs");
        finished = new HashMap<>();
    }

    @Override
    public void processElement1(Either<EventEnvelope, CommandRejected> input, Context context,
                                Collector<CommandEnvelope> out) throws Exception {
        SpecificRecord record = input.isLeft() ? input.left() : input.right();
        Instant at = input.isLeft() ? input.left().getCreationTimestamp() : input.right().getCreationTimestamp();
        String sagaId = context.getCurrentKey();
        KeyQuarantine.Output parked = record(context);
        if (quarantine.current() != null) {
            quarantine.hold(sagaId, record, at, parked);
            return;
        }
        SagaSnapshot before = snapshot.value();
        TimerService timers = context.timerService();
        SagaEngine.Result result;
        try {
            result = engine.onInput(sagaId, before, record, now(timers));
        } catch (RuntimeException failure) {
            quarantine.park(sagaId, record, at, failure, parked);
            return;
        }
        apply(before, registered(before), result, timers, out);
    }

    /** A redrive of the saga: its held inputs, handed to the engine again; nothing when it is not parked. */
    @Override
    public void processElement2(RedriveRequest request, Context context, Collector<CommandEnvelope> out)
            throws Exception {
        QuarantinedKey parked = quarantine.current();
        if (parked == null) {
            return;
        }
        SagaSnapshot before = snapshot.value();
        TimerService timers = context.timerService();
        List<SpecificRecord> held = parked.getHeld().stream().map(SpecificRecord.class::cast).toList();
        SagaEngine.Result result;
        try {
            result = engine.onInputs(context.getCurrentKey(), before, held, now(timers));
        } catch (RuntimeException failure) {
            quarantine.stillParked(parked.getHeld(), failure);
            return;
        }
        quarantine.unpark(context.getCurrentKey(), record(context));
        apply(before, registered(before), result, timers, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<CommandEnvelope> out) throws Exception {
        SagaSnapshot before = snapshot.value();
        if (before == null) {
            return;
        }
        if (quarantine.current() != null) {
            timerGone(before); // a parked saga waits for its redrive, which lets time pass
            return;
        }
        long now = now(context.timerService());
        SagaEngine.Result result;
        try {
            result = engine.onTime(context.getCurrentKey(), before, now);
        } catch (RuntimeException failure) {
            quarantine.park(context.getCurrentKey(), null, Instant.ofEpochMilli(now), failure, record(context));
            timerGone(before);
            return;
        }
        // The timer that fired is gone: nothing to delete.
        apply(before, null, result, context.timerService(), out);
    }

    /** Notes in the snapshot that its timer fired without a step: the redrive registers the next one. */
    private void timerGone(SagaSnapshot before) throws Exception {
        if (before.getWakeUpAt() != null) {
            before.setWakeUpAt(null);
            snapshot.update(before);
        }
    }

    /** The event-time timer a snapshot says is registered. */
    private static Long registered(SagaSnapshot snapshot) {
        return snapshot == null || snapshot.getWakeUpAt() == null ? null : snapshot.getWakeUpAt().toEpochMilli();
    }

    /** Where the quarantine writes: the parked side output. */
    private KeyQuarantine.Output record(Context context) {
        return parked -> context.output(KeyQuarantine.PARKED, parked);
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
