package io.factstream.jobs;

import java.time.Duration;

import io.factstream.jobs.topology.EventTime;
import picocli.CommandLine.Option;

/** The command line of {@link EventTime}, for the jobs that work in business time. */
public final class EventTimeOptions {

    @Option(names = "--max-out-of-orderness", defaultValue = "PT5S",
            description = "How far inputs may come out of time order; above the aggregate jobs' end-to-end latency, "
                    + "or inputs come late (default: ${DEFAULT-VALUE}).")
    Duration maxOutOfOrderness;

    @Option(names = "--idle-timeout", defaultValue = "PT5S",
            description = "A topic partition quiet this long no longer holds the watermark back "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--clock-interval", defaultValue = "PT1S",
            description = "How often the clock ticks (default: ${DEFAULT-VALUE}).")
    Duration clockInterval;

    public EventTime eventTime() {
        return new EventTime(maxOutOfOrderness, idleTimeout, clockInterval);
    }
}
