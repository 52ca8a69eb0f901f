package io.factstream.kernel.saga;

import java.util.List;
import java.util.Set;

/**
 * One row of a saga's transition table: in one of the {@code from} phases (none: the saga does not exist yet), on
 * the trigger {@code on}, the saga does {@code does}, sends the commands named in {@code sends}, sets and clears
 * timeouts, and moves to phase {@code to}. The action computes the commands; the table checks that they are
 * exactly those declared, so the documentation made from the table cannot drift from what the saga does.
 *
 * @param from           the phases the transition leaves; empty for the transition that starts the saga
 * @param on             the trigger: an event type, {@code <CommandType> rejected}, or {@code <name> timeout}
 * @param to             the phase afterwards
 * @param sends          the types of the commands sent, in order
 * @param setsTimeout    the timeout set, or null
 * @param clearsTimeouts the timeouts cleared
 * @param does           what happens, for people
 * @param action         computes the state's other changes and the commands
 * @param <S>            the saga's state
 * @param <P>            the saga's phase enum
 */
public record Transition<S, P extends Enum<P>>(Set<P> from, String on, P to, List<String> sends, String setsTimeout,
                                                Set<String> clearsTimeouts, String does, Action<S> action) {

    public Transition {
        from = Set.copyOf(from);
        sends = List.copyOf(sends);
        clearsTimeouts = Set.copyOf(clearsTimeouts);
    }

    /** Computes a transition's effect: the next state (before its phase is set) and the commands. */
    @FunctionalInterface
    public interface Action<S> {
        Step<S> apply(S state, SagaInput input);
    }

    /** The state after an action (its phase is set by the table) and the commands it sends. */
    public record Step<S>(S state, List<SagaCommand> commands) {
        public Step {
            commands = List.copyOf(commands);
        }
    }
}
