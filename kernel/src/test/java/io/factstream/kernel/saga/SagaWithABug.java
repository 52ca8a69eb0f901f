package io.factstream.kernel.saga;

import java.util.function.BiPredicate;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;

/**
 * A saga whose reaction throws where a bug would: for the inputs the predicate picks, given the saga's state (null
 * before it starts); otherwise it is the fixed saga. For tests of the quarantine.
 *
 * @param <S> the saga's Avro state record
 */
public final class SagaWithABug<S extends SpecificRecord> implements SagaDefinition<S> {

    private final SagaDefinition<S> fixed;
    private final BiPredicate<S, SagaInput> bug;
    private final String error;

    /** @param error the message of the {@link IllegalStateException} the bug throws */
    public SagaWithABug(SagaDefinition<S> fixed, BiPredicate<S, SagaInput> bug, String error) {
        this.fixed = fixed;
        this.bug = bug;
        this.error = error;
    }

    @Override
    public String name() {
        return fixed.name();
    }

    @Override
    public boolean starts(EventEnvelope event) {
        return fixed.starts(event);
    }

    @Override
    public Reaction<S> react(S state, SagaInput input) {
        if (bug.test(state, input)) {
            throw new IllegalStateException(error);
        }
        return fixed.react(state, input);
    }

    @Override
    public boolean isClosing(S state) {
        return fixed.isClosing(state);
    }

    @Override
    public String outcome(S state) {
        return fixed.outcome(state);
    }
}
