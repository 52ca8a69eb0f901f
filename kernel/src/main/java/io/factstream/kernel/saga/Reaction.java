package io.factstream.kernel.saga;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a saga does in reaction to one input.
 *
 * @param state          the saga's state afterwards
 * @param commands       the commands to send, in order
 * @param timeoutsToSet  timeouts to set, by name, each due this long after the input's time
 * @param timeoutsToClear timeouts to clear, by name (cleared before any is set)
 */
public record Reaction<S>(S state, List<SagaCommand> commands, Map<String, Duration> timeoutsToSet,
                          Set<String> timeoutsToClear) {

    public Reaction {
        commands = List.copyOf(commands);
        timeoutsToSet = Map.copyOf(timeoutsToSet);
        timeoutsToClear = Set.copyOf(timeoutsToClear);
    }

    /** Nothing happens: the input does not concern the saga in its current state. */
    public static <S> Reaction<S> none(S state) {
        return new Reaction<>(state, List.of(), Map.of(), Set.of());
    }
}
