package io.factstream.kernel.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A saga's state machine as a table of {@link Transition}s, used both to react and to document: {@link #react}
 * finds the row for the saga's phase and the input's trigger (no row: the input is ignored), runs its action and
 * applies the declared phase and timeouts; {@link #markdownTable()} and {@link #mermaidDiagram()} render the same
 * rows for people.
 *
 * @param <S> the saga's state
 * @param <P> the saga's phase enum
 */
public final class TransitionTable<S, P extends Enum<P>> {

    private final Class<P> phases;
    private final List<Transition<S, P>> transitions;
    private final Function<S, P> phaseOf;
    private final BiFunction<S, P, S> withPhase;
    private final Map<String, Duration> timeouts;
    private final Map<String, Transition<S, P>> byPhaseAndTrigger = new HashMap<>();

    /**
     * @param phaseOf   reads a state's phase
     * @param withPhase a state with another phase
     * @param timeouts  each timeout's duration, by name
     */
    public TransitionTable(Class<P> phases, List<Transition<S, P>> transitions, Function<S, P> phaseOf,
                           BiFunction<S, P, S> withPhase, Map<String, Duration> timeouts) {
        this.phases = phases;
        this.transitions = List.copyOf(transitions);
        this.phaseOf = phaseOf;
        this.withPhase = withPhase;
        this.timeouts = Map.copyOf(timeouts);
        for (Transition<S, P> transition : transitions) {
            if (transition.setsTimeout() != null && !timeouts.containsKey(transition.setsTimeout())) {
                throw new IllegalArgumentException("no duration for the " + transition.setsTimeout() + " timeout");
            }
            for (String phase : transition.from().isEmpty() ? Set.of("") : names(transition.from())) {
                if (byPhaseAndTrigger.put(phase + "/" + transition.on(), transition) != null) {
                    throw new IllegalArgumentException("two transitions from " + phase + " on " + transition.on());
                }
            }
        }
    }

    /** The rows of the table, in order. */
    public List<Transition<S, P>> transitions() {
        return transitions;
    }

    /** The reaction of a saga in {@code state} (null: not started) to an input; none when no row matches. */
    public Reaction<S> react(S state, SagaInput input) {
        String phase = state == null ? "" : phaseOf.apply(state).name();
        Transition<S, P> transition = byPhaseAndTrigger.get(phase + "/" + input.trigger());
        if (transition == null) {
            return Reaction.none(state);
        }
        Transition.Step<S> step = transition.action().apply(state, input);
        List<String> sent = step.commands().stream().map(c -> c.data().getSchema().getName()).toList();
        if (!sent.equals(transition.sends())) {
            throw new IllegalStateException("the transition from " + phase + " on " + input.trigger()
                    + " declares " + transition.sends() + " but sent " + sent);
        }
        Map<String, Duration> toSet = transition.setsTimeout() == null ? Map.of()
                : Map.of(transition.setsTimeout(), timeouts.get(transition.setsTimeout()));
        return new Reaction<>(withPhase.apply(step.state(), transition.to()), step.commands(), toSet,
                transition.clearsTimeouts());
    }

    /** The table as Markdown: one row per transition. */
    public String markdownTable() {
        StringBuilder out = new StringBuilder("| from | on | sends | timeouts | to | what happens |\n"
                + "|---|---|---|---|---|---|\n");
        for (Transition<S, P> t : transitions) {
            List<String> timers = new ArrayList<>();
            t.clearsTimeouts().stream().sorted().forEach(name -> timers.add("clears " + name));
            if (t.setsTimeout() != null) {
                timers.add("sets " + t.setsTimeout() + " (" + readable(timeouts.get(t.setsTimeout())) + ")");
            }
            out.append("| ").append(t.from().isEmpty() ? "(start)" : String.join(", ", names(t.from())))
                    .append(" | ").append(t.on())
                    .append(" | ").append(t.sends().isEmpty() ? "-" : String.join(", ", t.sends()))
                    .append(" | ").append(timers.isEmpty() ? "-" : String.join(", ", timers))
                    .append(" | ").append(t.to())
                    .append(" | ").append(t.does()).append(" |\n");
        }
        return out.toString();
    }

    /** The table as a Mermaid state diagram; the closing phases lead to the end. */
    public String mermaidDiagram(Set<P> closing) {
        StringBuilder out = new StringBuilder("stateDiagram-v2\n");
        for (Transition<S, P> t : transitions) {
            String label = t.on() + (t.sends().isEmpty() ? "" : " / " + String.join(", ", t.sends()));
            for (String from : t.from().isEmpty() ? Set.of("[*]") : names(t.from())) {
                out.append("    ").append(from).append(" --> ").append(t.to()).append(" : ").append(label)
                        .append('\n');
            }
        }
        EnumSet.copyOf(closing).forEach(p -> out.append("    ").append(p).append(" --> [*] : all answers in\n"));
        return out.toString();
    }

    private static String readable(Duration duration) {
        return duration.toSecondsPart() == 0 && duration.toMillisPart() == 0 ? duration.toMinutes() + " min"
                : duration.toMillis() + " ms";
    }

    private Set<String> names(Set<P> set) {
        Set<String> ordered = new LinkedHashSet<>();
        for (P phase : phases.getEnumConstants()) {
            if (set.contains(phase)) {
                ordered.add(phase.name());
            }
        }
        return ordered;
    }
}
