package io.factstream.jobs;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.runtime.view.Projection;

/**
 * A projection that crashes its task at chosen folds, counted across restarts and projections in this JVM, each
 * once; otherwise it folds as the projection it wraps.
 */
public final class FailingProjection<R extends SpecificRecord> implements Projection<R> {

    private static final AtomicInteger FOLDS = new AtomicInteger();
    private static final Set<Integer> FAIL_AT = ConcurrentHashMap.newKeySet();

    private final Projection<R> projection;

    public FailingProjection(Projection<R> projection) {
        this.projection = projection;
    }

    /** Fail at these folds, counted from now. */
    public static void failAt(Collection<Integer> folds) {
        FOLDS.set(0);
        FAIL_AT.clear();
        FAIL_AT.addAll(folds);
    }

    /** The chosen failures that have not happened yet. */
    public static Set<Integer> pendingFailures() {
        return Set.copyOf(FAIL_AT);
    }

    @Override
    public String view() {
        return projection.view();
    }

    @Override
    public R project(String key, R row, EventEnvelope event) {
        int fold = FOLDS.incrementAndGet();
        if (FAIL_AT.remove(fold)) {
            throw new IllegalStateException("injected failure at fold " + fold);
        }
        return projection.project(key, row, event);
    }
}
