package io.factstream.kernel.aggregate;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;

/**
 * An aggregate as a pure decider: given its current state, {@link #decide} what a command does (the events it
 * causes, or why it is rejected), and {@link #evolve} the state by one event. The state before an aggregate's
 * first event is {@code null}: the aggregate does not exist yet.
 *
 * <p>Both functions are pure: no clock, no randomness, no I/O, no Flink. Time and identity come from the command
 * (its {@code creationTimestamp}, {@code userId}, {@code roles}), so that replaying a command log yields the same
 * decisions. What every aggregate checks alike (envelope consistency, allowed roles from the catalog, expected
 * version, duplicates) is done by the {@link CommandHandler} before {@code decide} is called.
 *
 * @param <S> the aggregate's Avro state record
 */
public interface Decider<S extends SpecificRecord> {

    /** The bounded context whose commands this decider handles. */
    BoundedContext context();

    /**
     * Decides what the command does to the aggregate.
     *
     * @param command a command of this context whose sender holds one of its allowed roles
     * @param state   the aggregate's state, or {@code null} when it does not exist
     * @return at least one event, or a rejection; never an empty acceptance (a command that would change nothing is
     *         rejected with the reason)
     */
    Decision decide(CommandEnvelope command, S state);

    /**
     * The state after one of this aggregate's events.
     *
     * @param state the state before the event, or {@code null} before the first event
     */
    S evolve(S state, SpecificRecord event);
}
