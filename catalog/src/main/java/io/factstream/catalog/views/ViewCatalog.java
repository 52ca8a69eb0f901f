package io.factstream.catalog.views;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

import io.factstream.views.ViewRow;

/**
 * The read models of the catalog, as data. The single source is the Avro schema: each branch of
 * {@code ViewRow.row} is the row record of one view, and names it with its {@code view} property
 * ({@code "view": "order-status"}); the view's topics are named after it. The definitions that fold events into
 * rows register against these names.
 */
public final class ViewCatalog {

    /**
     * A view of the catalog.
     *
     * @param name the view's name, e.g. {@code order-status}: its topics are {@code views.<name>.history} and
     *             {@code views.<name>.latest}
     * @param row  the schema of its rows; its doc says what a row holds and what its key is
     */
    public record ViewType(String name, Schema row) {

        /** What a row of the view holds. */
        public String doc() {
            return row.getDoc();
        }
    }

    private static final ViewCatalog REFERENCE = load(ViewRow.getClassSchema());

    private final Map<String, ViewType> views;

    private ViewCatalog(Map<String, ViewType> views) {
        this.views = Collections.unmodifiableMap(views);
    }

    /** The views of the generated {@link ViewRow}. */
    public static ViewCatalog get() {
        return REFERENCE;
    }

    /** Reads and checks the views of a {@code ViewRow} schema: every row record names its view, each view once. */
    static ViewCatalog load(Schema viewRow) {
        Map<String, ViewType> views = new LinkedHashMap<>();
        for (Schema row : viewRow.getField("row").schema().getTypes()) {
            if (row.getType() == Schema.Type.NULL) {
                continue;
            }
            String name = row.getProp("view");
            if (name == null || !name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
                throw new IllegalStateException("view row " + row.getFullName() + " needs the property 'view': the "
                        + "view's name in lower-case words joined by '-', e.g. \"view\": \"order-status\"");
            }
            if (row.getDoc() == null || row.getDoc().isBlank()) {
                throw new IllegalStateException("view row " + row.getFullName() + " has no doc");
            }
            if (views.put(name, new ViewType(name, row)) != null) {
                throw new IllegalStateException("two view rows name the view '" + name + "'");
            }
        }
        return new ViewCatalog(views);
    }

    /** Every view, in the order of {@code ViewRow.row}. */
    public List<ViewType> viewTypes() {
        return List.copyOf(views.values());
    }

    /** The names of every view, in catalog order. */
    public List<String> names() {
        return new ArrayList<>(views.keySet());
    }

    /** The view of this name; fails when the catalog has none. */
    public ViewType viewType(String name) {
        ViewType view = views.get(name);
        if (view == null) {
            throw new IllegalArgumentException("no view '" + name + "' in the catalog; the views are " + names());
        }
        return view;
    }

    /** The view whose rows are records of this generated class; fails with what to add when there is none. */
    public ViewType viewTypeOf(Class<?> rowType) {
        Schema schema = SpecificData.get().getSchema(rowType);
        return views.values().stream().filter(v -> v.row().getFullName().equals(schema.getFullName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(schema.getFullName() + " is the row of no view: add "
                        + "it to ViewRow.row in views.avsc, with the property \"view\": \"<name>\""));
    }
}
