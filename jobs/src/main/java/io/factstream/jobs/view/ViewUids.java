package io.factstream.jobs.view;

/**
 * The stable uids of the view job's operators, declared once: savepoints map state to operators by these, and
 * state-tools read a view's rows under {@link #processor(String)}. Never change one of a deployed job.
 */
public final class ViewUids {

    private ViewUids() {
    }

    public static String eventsSource() {
        return "views-events-source";
    }

    /** The {@link io.factstream.jobs.io.WriterFence} behind the events source. */
    public static String fence() {
        return "views-writer-fence";
    }

    public static String eventsDecoder() {
        return "views-events-decoder";
    }

    /** The source of redrive requests ({@code factstream.redrive}), in live runs. */
    public static String redriveSource() {
        return "views-redrive-source";
    }

    public static String redriveDecoder() {
        return "views-redrive-decoder";
    }

    /** The operator turning events into the inputs of one view. */
    public static String keys(String view) {
        return "views-" + view + "-keys";
    }

    /** The operator keeping the row keys of a {@link io.factstream.kernel.view.KeyLookup}, by its name. */
    public static String lookup(String name) {
        return "views-" + name;
    }

    /** The operator holding one view's rows. */
    public static String processor(String view) {
        return "views-" + view;
    }

    public static String historySink() {
        return "views-history-sink";
    }

    public static String latestSink() {
        return "views-latest-sink";
    }

    public static String deadLetterSink() {
        return "views-dlq-sink";
    }

    /** The sink of the events held for rows in quarantine ({@code views.parked}). */
    public static String parkedSink() {
        return "views-parked-sink";
    }
}
