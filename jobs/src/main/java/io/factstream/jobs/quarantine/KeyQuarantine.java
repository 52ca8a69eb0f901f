package io.factstream.jobs.quarantine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.log.ParkStatus;
import io.factstream.log.ParkedInput;
import io.factstream.state.QuarantinedKey;
import io.factstream.jobs.io.AvroRecordTypeInfo;

/**
 * The quarantine of one key of a saga or view operator, kept next to the key's own state: when the operator's code
 * throws for the key (a bug, or an input nobody foresaw), the job does not fail, which would read the same input
 * again forever and hold up every key behind it. The key is parked instead: the input it failed on and every later
 * one are held, in order, in a {@link QuarantinedKey} value state, and each is written to the {@link #PARKED} side
 * output ({@code sagas.parked}, {@code views.parked}) for people and the redrive tool, while every other key flows.
 * A redrive (a {@code RedriveRequest}, once a fixed version runs) hands the held inputs to the code again; when it
 * handles them all the key is unparked ({@code UNPARKED}), and when it fails again the rest stay held.
 *
 * <p>Metrics (group {@code factstream}): {@code keysParked}, {@code inputsParked}, {@code keysUnparked}.
 */
public final class KeyQuarantine implements Serializable {

    /** The name of the value state that holds a key's quarantine, as state-tools read it. */
    public static final String STATE_NAME = "quarantine";

    /** Held inputs and the end of quarantines, for the parked topic. */
    public static final OutputTag<ParkedInput> PARKED = new OutputTag<>("parked",
            new AvroRecordTypeInfo<>(ParkedInput.class));

    /** How much of a stack trace a parked record keeps. */
    private static final int STACK_TRACE_LIMIT = 16 * 1024;

    /** Where parked records go: the operator's side output. */
    @FunctionalInterface
    public interface Output {
        void write(ParkedInput parked);
    }

    private final String scope;

    private transient ValueState<QuarantinedKey> state;
    private transient Counter keysParked;
    private transient Counter inputsParked;
    private transient Counter keysUnparked;

    /** @param scope whose keys these are: the saga's name, or the view's */
    public KeyQuarantine(String scope) {
        this.scope = scope;
    }

    /** The descriptor of the quarantine state. */
    public static ValueStateDescriptor<QuarantinedKey> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, new AvroTypeInfo<>(QuarantinedKey.class));
    }

    /** Opens the state and the metrics in the operator's runtime context. */
    public void open(RuntimeContext context) {
        state = context.getState(stateDescriptor());
        MetricGroup metrics = context.getMetricGroup().addGroup("factstream");
        keysParked = metrics.counter("keysParked");
        inputsParked = metrics.counter("inputsParked");
        keysUnparked = metrics.counter("keysUnparked");
    }

    /** The current key's quarantine; null when it flows. */
    public QuarantinedKey current() throws IOException {
        return state.value();
    }

    /**
     * Parks the current key: its code threw on this input (null when it threw as time passed), at this business
     * time.
     */
    public void park(String key, SpecificRecord input, Instant at, RuntimeException failure, Output out)
            throws IOException {
        QuarantinedKey parked = new QuarantinedKey(at, describe(failure), new ArrayList<>(), 0L);
        keysParked.inc();
        write(key, parked, input, at, stackTrace(failure), out);
    }

    /** Holds one more input of the current key, which is parked. */
    public void hold(String key, SpecificRecord input, Instant at, Output out) throws IOException {
        write(key, state.value(), input, at, null, out);
    }

    /**
     * Ends the current key's quarantine: a redrive handed every held input to the code again. Its record is dated by
     * the last of them (or by the failure, when none was held).
     */
    public void unpark(String key, Output out) throws IOException {
        QuarantinedKey parked = state.value();
        List<Object> held = parked.getHeld();
        Instant at = held.isEmpty() ? parked.getSince() : timeOf(held.get(held.size() - 1));
        state.clear();
        keysUnparked.inc();
        out.write(new ParkedInput(scope, key, ParkStatus.UNPARKED, (long) held.size(), null, at, parked.getError(),
                null));
    }

    /**
     * Keeps the current key parked after a redrive whose code threw again on the first of {@code rest}: those stay
     * held, in order, and the quarantine names the new error.
     */
    public void stillParked(List<Object> rest, RuntimeException failure) throws IOException {
        QuarantinedKey parked = state.value();
        state.update(new QuarantinedKey(parked.getSince(), describe(failure), new ArrayList<>(rest),
                parked.getParked()));
    }

    private void write(String key, QuarantinedKey parked, SpecificRecord input, Instant at, String stackTrace,
                       Output out) throws IOException {
        if (input != null) {
            parked.getHeld().add(input);
        }
        out.write(new ParkedInput(scope, key, ParkStatus.PARKED, parked.getParked(), input, at, parked.getError(),
                stackTrace));
        parked.setParked(parked.getParked() + 1);
        state.update(parked);
        inputsParked.inc();
    }

    private static Instant timeOf(Object input) {
        return input instanceof EventEnvelope event ? event.getCreationTimestamp()
                : ((CommandRejected) input).getCreationTimestamp();
    }

    /** What the code threw, for people: class and message. */
    public static String describe(Throwable failure) {
        return failure.getClass().getName() + ": " + failure.getMessage();
    }

    /** The failure's stack trace, cut to what a parked record keeps. */
    public static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString().substring(0, Math.min(trace.getBuffer().length(), STACK_TRACE_LIMIT));
    }
}
