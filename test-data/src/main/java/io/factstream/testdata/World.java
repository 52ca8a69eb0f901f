package io.factstream.testdata;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated world: its parameters and its script of commands, in the order they were generated.
 *
 * @param parameters what generated it (seed, sizes, timings), enough to generate it again
 * @param script     the commands of customers, cooks and couriers
 */
public record World(Map<String, String> parameters, List<ScriptedCommand> script) {

    public World {
        // Sorted: the parameters make the log file's metadata and sync marker, which must not vary between JVMs.
        parameters = Collections.unmodifiableSortedMap(new TreeMap<>(parameters));
        script = List.copyOf(script);
    }
}
