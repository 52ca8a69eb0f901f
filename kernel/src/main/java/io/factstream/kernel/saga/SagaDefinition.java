package io.factstream.kernel.saga;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;

/**
 * A saga (process manager) as a pure state machine: {@code react(state, input) -> (state, commands, timeouts to set
 * or clear)}. No Flink, no clock: time arrives as the inputs' times. The {@link SagaEngine} decides in which order
 * inputs reach it and what waits; the Flink operator stores the state and timers.
 *
 * @param <S> the saga's Avro state record
 */
public interface SagaDefinition<S extends SpecificRecord> {

    /** The saga's name: the user id of its commands and part of their ids. */
    String name();

    /** Whether the event starts a new saga (when none exists for its correlation id). */
    boolean starts(EventEnvelope event);

    /**
     * The reaction to an input.
     *
     * @param state the saga's state, or null for the input that starts it
     */
    Reaction<S> react(S state, SagaInput input);

    /**
     * Whether the saga ends once the answers to its last commands have arrived: it has nothing left to do.
     */
    boolean isClosing(S state);

    /** How the saga ended, for metrics and summaries, e.g. {@code CANCELLED KITCHEN_TIMEOUT}. */
    String outcome(S state);
}
