package io.factstream.local;

import java.util.Arrays;
import java.util.List;

import io.factstream.jobs.AggregateJob;
import io.factstream.jobs.SagaJob;
import io.factstream.jobs.ViewJob;

/**
 * The six jobs of the platform as the local launcher runs them: each a Flink job of its own, so that each can be
 * stopped, upgraded and replayed alone. The id is what the runbooks take ({@code savepoint orders}).
 */
public enum PlatformJob {
    ORDERS(AggregateJob.class, "--context", "orders"),
    PAYMENTS(AggregateJob.class, "--context", "payments"),
    KITCHEN(AggregateJob.class, "--context", "kitchen"),
    DELIVERY(AggregateJob.class, "--context", "delivery"),
    SAGA(SagaJob.class),
    VIEWS(ViewJob.class);

    private final String entryClass;
    private final List<String> args;

    PlatformJob(Class<?> entryClass, String... args) {
        this.entryClass = entryClass.getName();
        this.args = List.of(args);
    }

    public String id() {
        return name().toLowerCase();
    }

    public String entryClass() {
        return entryClass;
    }

    /** The job's own arguments (which context), before the platform's. */
    public List<String> args() {
        return args;
    }

    /** The job whose id this is; the message lists the ids when there is none. */
    public static PlatformJob byId(String id) {
        return Arrays.stream(values()).filter(job -> job.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no job '" + id + "'; the jobs are "
                        + Arrays.stream(values()).map(PlatformJob::id).toList()));
    }
}
