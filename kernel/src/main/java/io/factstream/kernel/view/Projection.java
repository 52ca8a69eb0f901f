package io.factstream.kernel.view;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;

/**
 * A view as a pure fold: {@code project(row, event) -> row | delete}. No Flink, no clock. The events of one
 * context reach a row in their order, but those of different contexts in any order, so a projection must give
 * the same row whatever order the contexts' events come in (each part of a row set by one context only, or
 * combined commutatively).
 *
 * @param <R> the view's Avro row record
 */
@FunctionalInterface
public interface Projection<R extends SpecificRecord> {

    /**
     * The row after the event.
     *
     * @param key the row's key
     * @param row the row, or null when the key has none
     * @return the new row; the same row when the event changes nothing; null to delete the row
     */
    R project(String key, R row, EventEnvelope event);
}
