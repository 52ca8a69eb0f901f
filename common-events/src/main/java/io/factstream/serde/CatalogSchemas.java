package io.factstream.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every version of the catalog's wire records that a reader must resolve: the current ones, from the generated
 * classes, and the superseded ones, kept as {@code .avsc} resources so that records written before a schema change
 * stay readable. Single-object encoding names the writer's schema by fingerprint; a decoder looks it up here.
 *
 * <p>When a wire record's schema changes, its previous full schema is added under
 * {@value #SUPERSEDED_DIRECTORY} as {@code <Record>-v<n>.avsc} and listed in {@link #SUPERSEDED_FILES}.
 */
public final class CatalogSchemas {

    static final String SUPERSEDED_DIRECTORY = "/io/factstream/catalog/superseded/";

    /** Superseded wire schemas, oldest first. Version 2 added delivery instructions to orders and deliveries. */
    static final List<String> SUPERSEDED_FILES = List.of(
            "CommandEnvelope-v1.avsc",
            "EventEnvelope-v1.avsc");

    private static final List<Schema> SUPERSEDED = SUPERSEDED_FILES.stream().map(CatalogSchemas::parse).toList();

    private CatalogSchemas() {
    }

    /** The superseded versions of the record with this full name, oldest first; empty when it never changed. */
    public static List<Schema> superseded(String fullName) {
        return SUPERSEDED.stream().filter(s -> s.getFullName().equals(fullName)).toList();
    }

    /**
     * A store that resolves the current schema and every superseded version of the same record, and nothing else:
     * bytes of another record type fail as an unknown fingerprint instead of being misread.
     */
    public static SchemaStore versionsOf(Schema current) {
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(current);
        superseded(current.getFullName()).forEach(store::addSchema);
        return store;
    }

    private static Schema parse(String file) {
        try (InputStream in = CatalogSchemas.class.getResourceAsStream(SUPERSEDED_DIRECTORY + file)) {
            if (in == null) {
                throw new IllegalStateException("superseded schema " + file + " is missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read superseded schema " + file, e);
        }
    }
}
