package io.factstream.kernel.view;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.avro.specific.SpecificRecord;

import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventUpcasters;
import io.factstream.catalog.views.ViewCatalog;
import io.factstream.views.ViewRow;

/**
 * One view, as the view job runs it: the catalog's view whose rows are records of {@code R}, the projection that
 * folds events into them, and how an event finds its row: its {@link RowKey}, and for events that do not carry the
 * key, a {@link KeyLookup}. A domain registers its views as it registers its deciders; the job, the topics and the
 * tools take them from there.
 *
 * <pre>{@code
 * ViewDefinition.of(CustomerOrdersRow.class, CustomerOrdersProjection::new, CustomerOrdersProjection::keyOfWalletEvent)
 *         .alsoKeyedThrough(new OrderOwners());
 * }</pre>
 *
 * @param <R> the view's Avro row record
 */
public final class ViewDefinition<R extends SpecificRecord> implements Serializable {

    /** Makes a view's projection, on each parallel instance of the operator that holds its rows. */
    @FunctionalInterface
    public interface ProjectionFactory<R extends SpecificRecord> extends Serializable {
        Projection<R> create();
    }

    private final String name;
    private final Class<R> rowType;
    private final ProjectionFactory<R> projection;
    private final RowKey key;
    private final KeyLookup lookup;

    private ViewDefinition(String name, Class<R> rowType, ProjectionFactory<R> projection, RowKey key,
                           KeyLookup lookup) {
        this.name = name;
        this.rowType = rowType;
        this.projection = projection;
        this.key = key;
        this.lookup = lookup;
    }

    /** The catalog's view of these rows; fails when the row type is no view's (the message says what to add). */
    public static <R extends SpecificRecord> ViewDefinition<R> of(Class<R> rowType, ProjectionFactory<R> projection,
                                                                  RowKey key) {
        return new ViewDefinition<>(ViewCatalog.get().viewTypeOf(rowType).name(), rowType, projection, key, null);
    }

    /** This view, with events that carry no key of its rows found through the lookup as well. */
    public ViewDefinition<R> alsoKeyedThrough(KeyLookup lookup) {
        return new ViewDefinition<>(name, rowType, projection, key, lookup);
    }

    /** This view with another projection, e.g. a projection wrapped by a test. */
    public ViewDefinition<R> withProjection(ProjectionFactory<R> other) {
        return new ViewDefinition<>(name, rowType, other, key, lookup);
    }

    /** The view's name, as the catalog has it. */
    public String name() {
        return name;
    }

    public Class<R> rowType() {
        return rowType;
    }

    /** Makes the view's projection. */
    public ProjectionFactory<R> projection() {
        return projection;
    }

    public RowKey key() {
        return key;
    }

    public Optional<KeyLookup> lookup() {
        return Optional.ofNullable(lookup);
    }

    /**
     * The rows the view holds after these events, by key, as the view job folds them: each aggregate's events must
     * come in sequence order; those of different aggregates in any order. Events of superseded versions are
     * folded lifted to the current ones.
     */
    public Map<String, R> fold(Iterable<EventEnvelope> events) {
        RowVersions<R> versions = new RowVersions<>(name, projection.create());
        Map<String, ViewRow> rows = new HashMap<>();
        Map<String, String> looked = new HashMap<>();
        for (EventEnvelope read : events) {
            EventEnvelope event = EventUpcasters.discovered().upcast(read);
            String direct = key.of(event);
            if (direct != null) {
                fold(versions, rows, direct, event);
            }
            if (lookup != null && lookup.concerns(event)) {
                String learnt = lookup.learns(event);
                if (learnt != null) {
                    looked.put(event.getAggregateId(), learnt);
                }
                String owner = looked.get(event.getAggregateId());
                if (owner != null) {
                    fold(versions, rows, owner, event);
                }
                if (lookup.forgets(event)) {
                    looked.remove(event.getAggregateId());
                }
            }
        }
        Map<String, R> result = new TreeMap<>();
        rows.forEach((rowKey, version) -> result.put(rowKey, rowType.cast(version.getRow())));
        return result;
    }

    private static <R extends SpecificRecord> void fold(RowVersions<R> versions,
                                                         Map<String, ViewRow> rows, String key,
                                                         EventEnvelope event) {
        versions.next(rows.get(key), key, event).ifPresent(version -> {
            if (version.getRow() == null) {
                rows.remove(key);
            } else {
                rows.put(key, version);
            }
        });
    }

    @Override
    public String toString() {
        return "view " + name;
    }
}
