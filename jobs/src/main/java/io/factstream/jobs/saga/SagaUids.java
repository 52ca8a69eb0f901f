package io.factstream.jobs.saga;

/**
 * The stable uids of a saga job's operators, declared once: savepoints map state to operators by these, and
 * state-tools read the saga state under {@link #processor()}. Never change one of a deployed job.
 *
 * @param saga the saga's name
 */
public record SagaUids(String saga) {

    public String eventsSource() {
        return saga + "-events-source";
    }

    /** The {@link io.factstream.jobs.io.WriterFence} behind the events source. */
    public String fence() {
        return saga + "-writer-fence";
    }

    public String eventsDecoder() {
        return saga + "-events-decoder";
    }

    public String rejectionsSource() {
        return saga + "-rejections-source";
    }

    public String rejectionsDecoder() {
        return saga + "-rejections-decoder";
    }

    /** The source of redrive requests ({@code factstream.redrive}), in live runs. */
    public String redriveSource() {
        return saga + "-redrive-source";
    }

    public String redriveDecoder() {
        return saga + "-redrive-decoder";
    }

    public String clock() {
        return saga + "-clock";
    }

    public String processor() {
        return saga + "-saga";
    }

    public String commandsSink() {
        return saga + "-commands-sink";
    }

    public String deadLetterSink() {
        return saga + "-dlq-sink";
    }

    /** The sink of the inputs held for sagas in quarantine ({@code sagas.parked}). */
    public String parkedSink() {
        return saga + "-parked-sink";
    }
}
