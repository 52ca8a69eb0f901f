package io.factstream.kernel.view;

import java.io.Serializable;

import io.factstream.catalog.EventEnvelope;

/** Which row of a view an event concerns: its key, or null when it concerns none. */
@FunctionalInterface
public interface RowKey extends Serializable {

    String of(EventEnvelope event);
}
