package io.factstream.jobs;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.runtime.aggregate.Decider;
import io.factstream.runtime.aggregate.Decision;

/**
 * A decider that crashes its task at chosen decisions, counted across restarts in this JVM (the mini cluster's),
 * each chosen decision once; otherwise it decides as the decider it wraps.
 */
public final class FailingDecider<S extends SpecificRecord> implements Decider<S> {

    private static final AtomicInteger DECISIONS = new AtomicInteger();
    private static final Set<Integer> FAIL_AT = ConcurrentHashMap.newKeySet();

    private final Decider<S> decider;

    public FailingDecider(Decider<S> decider) {
        this.decider = decider;
    }

    /** Fail at these decisions, counted from now. */
    public static void failAt(Collection<Integer> decisions) {
        DECISIONS.set(0);
        FAIL_AT.clear();
        FAIL_AT.addAll(decisions);
    }

    /** The chosen failures that have not happened yet. */
    public static Set<Integer> pendingFailures() {
        return Set.copyOf(FAIL_AT);
    }

    @Override
    public BoundedContext context() {
        return decider.context();
    }

    @Override
    public Decision decide(CommandEnvelope command, S state) {
        int decision = DECISIONS.incrementAndGet();
        if (FAIL_AT.remove(decision)) {
            throw new IllegalStateException("injected failure at decision " + decision);
        }
        return decider.decide(command, state);
    }

    @Override
    public S evolve(S state, SpecificRecord event) {
        return decider.evolve(state, event);
    }
}
