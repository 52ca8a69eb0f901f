package io.factstream.kernel.saga;

import java.util.Optional;

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

    /**
     * The version of this definition: new instances start under it and keep it in their snapshot. A change of the
     * process (a step added, a state removed) is a new version, so that instances in flight are not handed to
     * transitions they were never planned for.
     */
    default int version() {
        return 1;
    }

    /**
     * The definition of an earlier version, under which the instances that started under it finish, unless
     * {@link #moveToCurrent} takes them over. A definition of version 1 has none.
     *
     * @throws IllegalArgumentException for a version this definition does not run
     */
    default SagaDefinition<S> earlierVersion(int version) {
        throw new IllegalArgumentException("the " + name() + " saga at version " + version() + " does not run "
                + "version " + version);
    }

    /**
     * The explicit mapping of an instance in flight under an earlier version to this one: its state as this version
     * has it, or empty to let the instance finish under its own version (the default). Called before the instance
     * handles its next input.
     */
    default Optional<S> moveToCurrent(int fromVersion, S state) {
        return Optional.empty();
    }
}
