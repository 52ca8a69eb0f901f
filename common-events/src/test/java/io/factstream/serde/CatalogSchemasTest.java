package io.factstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;

class CatalogSchemasTest {

    static List<Schema> currentWireSchemas() {
        return List.of(CommandEnvelope.getClassSchema(), EventEnvelope.getClassSchema());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentWireSchemas")
    void everySupersededVersionIsReadableByTheCurrentSchemaAndHasItsOwnFingerprint(Schema current) {
        List<Schema> superseded = CatalogSchemas.superseded(current.getFullName());

        assertThat(superseded).as("kept versions of %s", current.getName()).isNotEmpty();
        for (Schema old : superseded) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            assertThat(SchemaNormalization.parsingFingerprint64(old))
                    .isNotEqualTo(SchemaNormalization.parsingFingerprint64(current));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentWireSchemas")
    void theStoreResolvesExactlyTheVersionsOfOneRecord(Schema current) {
        var store = CatalogSchemas.versionsOf(current);

        assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(current))).isEqualTo(current);
        for (Schema old : CatalogSchemas.superseded(current.getFullName())) {
            assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(old))).isEqualTo(old);
        }
        Schema other = current.equals(CommandEnvelope.getClassSchema())
                ? EventEnvelope.getClassSchema() : CommandEnvelope.getClassSchema();
        assertThat(store.findByFingerprint(SchemaNormalization.parsingFingerprint64(other))).isNull();
    }
}
