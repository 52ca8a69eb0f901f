package io.factstream.statetools.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaChangesTest {

    private static final String WRAPPER = """
            {"type": "record", "name": "Snapshot", "namespace": "test", "fields": [
              {"name": "version", "type": "long"},
              {"name": "state", "type": ["null", %s], "default": null}]}""";

    private static Schema snapshot(String wallet) {
        return new Schema.Parser().parse(WRAPPER.formatted(wallet));
    }

    private static final Schema V1 = snapshot("""
            {"type": "record", "name": "Wallet", "fields": [
              {"name": "balanceCents", "type": "long"},
              {"name": "note", "type": "string"}]}""");

    private static final Schema V2 = snapshot("""
            {"type": "record", "name": "Wallet", "fields": [
              {"name": "balanceCents", "type": "long"},
              {"name": "availableCents", "type": "long", "default": 0},
              {"name": "label", "type": "string", "default": "none"}]}""");

    @Test
    void findsTheFieldsAddedInsideAUnionWithTheirDefaults() {
        assertThat(SchemaChanges.added(V1, V2)).containsExactly(
                new SchemaChanges.FieldChange("test.Wallet", "availableCents", "0"),
                new SchemaChanges.FieldChange("test.Wallet", "label", "\"none\""));
        assertThat(SchemaChanges.added(V1, V2).get(0).path()).isEqualTo("test.Wallet.availableCents");
    }

    @Test
    void findsTheFieldsRemoved() {
        assertThat(SchemaChanges.removed(V1, V2)).containsExactly(
                new SchemaChanges.FieldChange("test.Wallet", "note", null));
        assertThat(SchemaChanges.removed(V2, V2)).isEmpty();
    }

    @Test
    void aRenamedFieldWithItsOldNameAsAliasIsNeitherAddedNorRemoved() {
        Schema renamed = snapshot("""
                {"type": "record", "name": "Wallet", "fields": [
                  {"name": "balanceCents", "type": "long"},
                  {"name": "remark", "type": "string", "aliases": ["note"]}]}""");
        assertThat(SchemaChanges.added(V1, renamed)).isEmpty();
        assertThat(SchemaChanges.removed(V1, renamed)).isEmpty();
    }

    @Test
    void namesTheFieldAnIncompatibilityPointsAt() {
        Schema retyped = snapshot("""
                {"type": "record", "name": "Wallet", "fields": [
                  {"name": "balanceCents", "type": "string"},
                  {"name": "note", "type": "string"}]}""");
        assertThat(SchemaChanges.incompatibilities(V1, retyped)).singleElement().asString()
                .startsWith("test.Wallet.balanceCents: ");
        assertThat(SchemaChanges.incompatibilities(V1, V2)).isEmpty();
        assertThat(SchemaChanges.fieldAt(retyped, "/")).isEqualTo("/");
    }
}
