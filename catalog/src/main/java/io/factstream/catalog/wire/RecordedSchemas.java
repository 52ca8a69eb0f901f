package io.factstream.catalog.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandRejected;
import io.factstream.catalog.EventEnvelope;
import io.factstream.log.ParkedInput;
import io.factstream.log.ParkedRecord;
import io.factstream.log.RedriveRequest;
import io.factstream.log.WriterLease;
import io.factstream.state.AggregateSnapshot;
import io.factstream.state.ParkedAggregate;
import io.factstream.state.QuarantinedKey;
import io.factstream.state.SagaSnapshot;
import io.factstream.views.ViewRow;

/**
 * Every version ever released of the records that outlive a release: the wire records, which stay on the topics
 * (the event store keeps them forever), and the state records, which stay in savepoints. Each version is kept as a
 * full schema, {@code <Record>-v<n>.avsc} under {@value #DIRECTORY}, the latest equal to the generated class, so
 * that a schema change can never lose the version before it: {@code RecordedSchemasTest} fails until the new
 * version is recorded, and says how.
 *
 * <p>Single-object encoding names the writer's schema by fingerprint; a decoder looks it up among a wire record's
 * versions ({@link #versionsOf}). Flink keeps the writer's schema of a state record in the savepoint; the recorded
 * versions of state records are what a new version of the jobs must be able to read.
 */
public final class RecordedSchemas {

    static final String DIRECTORY = "/io/factstream/catalog/versions/";

    /** The records written to Kafka in single-object encoding, as their current classes have them. */
    public static final List<Schema> WIRE = List.of(CommandEnvelope.getClassSchema(),
            EventEnvelope.getClassSchema(), CommandRejected.getClassSchema(), ViewRow.getClassSchema(),
            WriterLease.getClassSchema(), ParkedRecord.getClassSchema(), ParkedInput.getClassSchema(),
            RedriveRequest.getClassSchema());

    /** The records the jobs keep in Flink state (a view's rows are wire records too). */
    public static final List<Schema> STATE = List.of(AggregateSnapshot.getClassSchema(),
            ParkedAggregate.getClassSchema(), QuarantinedKey.getClassSchema(), SagaSnapshot.getClassSchema(),
            ViewRow.getClassSchema());

    private static final Map<String, List<Schema>> VERSIONS = new ConcurrentHashMap<>();

    private RecordedSchemas() {
    }

    /** The recorded versions of the record with this full name, oldest first; empty when none is recorded. */
    public static List<Schema> versions(String fullName) {
        return VERSIONS.computeIfAbsent(fullName, RecordedSchemas::load);
    }

    /** The resource that holds a version of a record. */
    static String file(String fullName, int version) {
        return fullName.substring(fullName.lastIndexOf('.') + 1) + "-v" + version + ".avsc";
    }

    /**
     * A store that resolves the current schema and every recorded version of the same record, and nothing else:
     * bytes of another record type fail as an unknown fingerprint instead of being misread.
     */
    public static SchemaStore versionsOf(Schema current) {
        SchemaStore.Cache store = new SchemaStore.Cache();
        versions(current.getFullName()).forEach(store::addSchema);
        store.addSchema(current);
        return store;
    }

    private static List<Schema> load(String fullName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String file = file(fullName, version);
            try (InputStream in = RecordedSchemas.class.getResourceAsStream(DIRECTORY + file)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                Schema schema = new Schema.Parser().parse(in);
                if (!schema.getFullName().equals(fullName)) {
                    throw new IllegalStateException(file + " holds " + schema.getFullName() + ", not " + fullName);
                }
                versions.add(schema);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read recorded schema " + file, e);
            }
        }
    }
}
