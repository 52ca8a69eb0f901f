package io.factstream.statetools;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.util.Collector;

/**
 * Shows how far a long run has come: every few seconds, on the error stream, the records read so far, the rate,
 * and the share of the input when its size is known. The tools run their Flink jobs in their own JVM, so the job's
 * {@link Counted} steps count into this process.
 */
final class Progress implements AutoCloseable {

    private static final AtomicLong READ = new AtomicLong();
    private static final AtomicLong UNDECODABLE = new AtomicLong();

    private final String what;
    private final long total;
    private final PrintWriter err;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "progress");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param what  what is read, e.g. "records of orders.events"
     * @param total how many there are, or -1 when unknown
     */
    Progress(String what, long total, PrintWriter err, Duration every) {
        this.what = what;
        this.total = total;
        this.err = err;
        READ.set(0);
        UNDECODABLE.set(0);
        reporter.scheduleAtFixedRate(this::report, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Counts the records that pass it. */
    static final class Counted<T> implements MapFunction<T, T> {
        @Override
        public T map(T value) {
            READ.incrementAndGet();
            return value;
        }
    }

    /** Counts the undecodable records that pass it (a job's dead letters) and lets nothing through. */
    static final class Undecodable<T> implements FlatMapFunction<T, T> {
        @Override
        public void flatMap(T value, Collector<T> out) {
            UNDECODABLE.incrementAndGet();
        }
    }

    /** How many records were counted so far. */
    static long read() {
        return READ.get();
    }

    private void report() {
        long read = READ.get();
        String share = total > 0 ? String.format(" of %,d (%d%%)", total, Math.min(100, read * 100 / total)) : "";
        err.printf("  %,d %s%s, %,d records/s%n", read, what, share, rate(read));
        err.flush();
    }

    private long rate(long read) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds <= 0 ? 0 : Math.round(read / seconds);
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        long read = READ.get();
        err.printf("  read %,d %s in %.1f s, %,d records/s%n", read, what, (System.nanoTime() - startNanos) / 1e9,
                rate(read));
        if (UNDECODABLE.get() > 0) {
            err.printf("  left out %,d undecodable records (the jobs sent them to the DLQ)%n", UNDECODABLE.get());
        }
        err.flush();
    }
}
