package io.factstream.jobs;

import java.time.Duration;

import io.factstream.kernel.aggregate.AggregateSettings;
import picocli.CommandLine.Option;

/**
 * The command line of {@link AggregateSettings}: the aggregate jobs take it, and so do the tools that fold an
 * aggregate's log, which must fold with the job's exact settings.
 */
public final class AggregateOptions {

    @Option(names = "--dedup-window", defaultValue = "" + AggregateSettings.DEFAULT_DEDUP_WINDOW,
            description = "Recent command ids each aggregate remembers to drop duplicates; a tool folding the log "
                    + "takes the job's (default: ${DEFAULT-VALUE}).")
    int dedupWindow;

    @Option(names = "--max-clock-skew", defaultValue = AggregateSettings.DEFAULT_MAX_CLOCK_SKEW,
            description = "How far a command's creationTimestamp may be from the time it was written to Kafka "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration maxClockSkew;

    public AggregateSettings settings() {
        return new AggregateSettings(dedupWindow, maxClockSkew);
    }
}
