package io.factstream.statetools;

import io.factstream.catalog.BoundedContext;
import picocli.CommandLine.Option;

/** Which aggregate job, and how it remembers command ids: as the job was started. */
final class AggregateOptions {

    @Option(names = "--context", required = true,
            description = "The bounded context whose aggregates: orders, payments, kitchen or delivery.")
    BoundedContext context;

    @Option(names = "--dedup-window", defaultValue = "100",
            description = "The aggregate job's --dedup-window: how many command ids each aggregate remembers "
                    + "(default: ${DEFAULT-VALUE}).")
    int dedupWindow;
}
