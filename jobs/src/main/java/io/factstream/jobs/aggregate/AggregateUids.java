package io.factstream.jobs.aggregate;

import io.factstream.catalog.BoundedContext;

/**
 * The stable uids of an aggregate job's operators, declared once: savepoints map state to operators by these, and
 * state-tools read and write the aggregate state under {@link #processor()}. Never change one of a deployed job.
 *
 * @param context the job's bounded context
 */
public record AggregateUids(BoundedContext context) {

    public String source() {
        return context.id() + "-commands-source";
    }

    /** The {@link io.factstream.jobs.io.WriterFence} behind the source. */
    public String fence() {
        return context.id() + "-writer-fence";
    }

    public String decoder() {
        return context.id() + "-commands-decoder";
    }

    public String processor() {
        return context.id() + "-aggregate";
    }

    public String eventsSink() {
        return context.id() + "-events-sink";
    }

    public String rejectionsSink() {
        return context.id() + "-rejections-sink";
    }

    public String parkedSink() {
        return context.id() + "-parked-sink";
    }

    public String deadLetterSink() {
        return context.id() + "-dlq-sink";
    }
}
