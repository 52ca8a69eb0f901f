package io.factstream.kernel.view;

import java.io.Serializable;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;

/** A view whose projection throws where a bug would; otherwise it is the fixed view. For tests of the quarantine. */
public final class ViewWithABug {

    /** Which fold the bug hits: a row's key and the event folded into it. */
    @FunctionalInterface
    public interface Bug extends Serializable {
        boolean hits(String key, EventEnvelope event);
    }

    private ViewWithABug() {
    }

    /**
     * The view, with a projection that throws an {@link IllegalStateException} with this message where the bug
     * hits.
     */
    public static <R extends SpecificRecord> ViewDefinition<R> of(ViewDefinition<R> fixed, Bug bug, String error) {
        return fixed.withProjection(() -> {
            Projection<R> projection = fixed.projection().create();
            return (key, row, event) -> {
                if (bug.hits(key, event)) {
                    throw new IllegalStateException(error);
                }
                return projection.project(key, row, event);
            };
        });
    }
}
