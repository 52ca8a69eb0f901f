package io.factstream.jobs;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.runtime.saga.Reaction;
import io.factstream.runtime.saga.SagaDefinition;
import io.factstream.runtime.saga.SagaInput;

/**
 * A saga that crashes its task at chosen reactions, counted across restarts in this JVM, each once; otherwise it
 * reacts as the saga it wraps.
 */
public final class FailingSaga<S extends SpecificRecord> implements SagaDefinition<S> {

    private static final AtomicInteger REACTIONS = new AtomicInteger();
    private static final Set<Integer> FAIL_AT = ConcurrentHashMap.newKeySet();

    private final SagaDefinition<S> saga;

    public FailingSaga(SagaDefinition<S> saga) {
        this.saga = saga;
    }

    /** Fail at these reactions, counted from now. */
    public static void failAt(Collection<Integer> reactions) {
        REACTIONS.set(0);
        FAIL_AT.clear();
        FAIL_AT.addAll(reactions);
    }

    /** The chosen failures that have not happened yet. */
    public static Set<Integer> pendingFailures() {
        return Set.copyOf(FAIL_AT);
    }

    @Override
    public String name() {
        return saga.name();
    }

    @Override
    public boolean starts(EventEnvelope event) {
        return saga.starts(event);
    }

    @Override
    public Reaction<S> react(S state, SagaInput input) {
        int reaction = REACTIONS.incrementAndGet();
        if (FAIL_AT.remove(reaction)) {
            throw new IllegalStateException("injected failure at reaction " + reaction);
        }
        return saga.react(state, input);
    }

    @Override
    public boolean isClosing(S state) {
        return saga.isClosing(state);
    }

    @Override
    public String outcome(S state) {
        return saga.outcome(state);
    }
}
