package io.factstream.statetools;

import io.factstream.catalog.BoundedContext;
import io.factstream.kernel.aggregate.AggregateSettings;
import picocli.CommandLine.Option;

/** Which aggregate job, and how it remembers command ids: as the job was started. */
final class AggregateOptions {

    @Option(names = "--context", required = true,
            description = "The bounded context whose aggregates: orders, payments, kitchen or delivery.")
    BoundedContext context;

    @Option(names = "--dedup-window", defaultValue = "" + AggregateSettings.DEFAULT_DEDUP_WINDOW,
            description = "The aggregate job's --dedup-window: how many command ids each aggregate remembers "
                    + "(default: ${DEFAULT-VALUE}).")
    int dedupWindow;

    /** The job's settings, as far as a fold of its log needs them (the clock skew was checked when it decided). */
    AggregateSettings settings() {
        return AggregateSettings.standard().withDedupWindow(dedupWindow);
    }
}
