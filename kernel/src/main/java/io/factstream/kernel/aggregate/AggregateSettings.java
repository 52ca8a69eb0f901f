package io.factstream.kernel.aggregate;

import java.io.Serializable;
import java.time.Duration;

/**
 * How an aggregate job handles commands, beyond its decider: what a replay, a backfill or a fold of the log must
 * use exactly as the live job did, or it decides differently. The one home of their defaults, for the jobs'
 * command lines, state-tools, the tests and the benchmarks.
 *
 * @param dedupWindow  how many recent command ids each aggregate remembers to drop resent commands (see
 *                     {@link CommandHandler})
 * @param maxClockSkew how far a command's {@code creationTimestamp} may be from the time it was written to Kafka;
 *                     at most {@link #CLOCK_SKEW_LIMIT}
 */
public record AggregateSettings(int dedupWindow, Duration maxClockSkew) implements Serializable {

    /** The dedup window unless another is given; a constant, so that command lines can name it as their default. */
    public static final int DEFAULT_DEDUP_WINDOW = 100;
    /** The clock skew allowed unless another is given, ISO-8601. */
    public static final String DEFAULT_MAX_CLOCK_SKEW = "PT5M";
    /**
     * How far ahead of the time its command was written an output may be dated, and so its record stamped: half the
     * default of the broker's {@code message.timestamp.after.max.ms} (1 h), beyond which it refuses a record.
     */
    public static final Duration CLOCK_SKEW_LIMIT = Duration.ofMinutes(30);

    public AggregateSettings {
        if (dedupWindow < 1) {
            throw new IllegalArgumentException("the dedup window must hold at least one command id");
        }
        if (maxClockSkew.isNegative() || maxClockSkew.compareTo(CLOCK_SKEW_LIMIT) > 0) {
            throw new IllegalArgumentException("the allowed clock skew " + maxClockSkew + " is not within 0 and "
                    + CLOCK_SKEW_LIMIT + ": the broker refuses records dated too far in its future");
        }
    }

    /** These settings with another dedup window. */
    public AggregateSettings withDedupWindow(int window) {
        return new AggregateSettings(window, maxClockSkew);
    }

    /** The defaults: {@value #DEFAULT_DEDUP_WINDOW} command ids, {@value #DEFAULT_MAX_CLOCK_SKEW} of skew. */
    public static AggregateSettings standard() {
        return new AggregateSettings(DEFAULT_DEDUP_WINDOW, Duration.parse(DEFAULT_MAX_CLOCK_SKEW));
    }
}
