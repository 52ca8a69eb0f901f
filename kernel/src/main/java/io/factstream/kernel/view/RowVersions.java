package io.factstream.kernel.view;

import java.util.Objects;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventUpcasters;
import io.factstream.views.ViewRow;

/**
 * The last-versioned way to keep a view's rows: folds an event into a row's latest version and makes the next
 * version, 1, 2, 3, ... per key; an event that changes nothing makes none. The version's {@code updatedAt} and
 * {@code eventId} are those of the latest event folded so far (by time, then id), so they do not depend on the
 * order in which events of different aggregates arrive. A deleted row's last version carries a null row.
 *
 * @param <R> the view's Avro row record
 */
public final class RowVersions<R extends SpecificRecord> {

    private final String view;
    private final Projection<R> projection;

    public RowVersions(String view, Projection<R> projection) {
        this.view = view;
        this.projection = projection;
    }

    /**
     * The row's next version after the event; empty when the event changes nothing. An event of a superseded
     * version (one that state kept from before an upgrade) is folded lifted to the current version.
     *
     * @param current the row's latest version, or null when the key has no row
     */
    public Optional<ViewRow> next(ViewRow current, String key, EventEnvelope event) {
        @SuppressWarnings("unchecked")
        R row = current == null ? null : (R) current.getRow();
        R next = projection.project(key, row, EventUpcasters.discovered().upcast(event));
        if (Objects.equals(next, row)) {
            return Optional.empty();
        }
        boolean newest = current == null || isLater(event, current);
        return Optional.of(new ViewRow(view, key, current == null ? 1 : current.getVersion() + 1,
                newest ? event.getCreationTimestamp() : current.getUpdatedAt(),
                newest ? event.getEventId() : current.getEventId(), next));
    }

    /** Whether an event is later than the latest one folded into a row: by time, then by id. */
    private static boolean isLater(EventEnvelope event, ViewRow row) {
        int byTime = event.getCreationTimestamp().compareTo(row.getUpdatedAt());
        return byTime > 0 || byTime == 0 && event.getEventId().compareTo(row.getEventId()) > 0;
    }
}
