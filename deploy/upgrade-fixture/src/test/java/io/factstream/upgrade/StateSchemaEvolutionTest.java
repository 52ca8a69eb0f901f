package io.factstream.upgrade;

import static io.factstream.upgrade.OrderDeciderV2Test.CONFIRMED_LARGE;
import static io.factstream.upgrade.OrderDeciderV2Test.PLACED_LARGE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot;
import org.apache.flink.util.StringUtils;
import org.junit.jupiter.api.Test;

import io.factstream.state.AggregateSnapshot;
import io.factstream.state.OrderState;

/**
 * Version 2 of the aggregate state reads what version 1 wrote, the way Flink restores the orders job from a
 * savepoint of version 1: the Avro serializer's snapshot in the savepoint names the schema the state was written
 * with. Version 1 is the catalog module's {@code state.avsc}, as it is in the source tree.
 */
class StateSchemaEvolutionTest {

    private static final Schema.Parser VERSION_1 = version1Schemas();
    private static final Schema SNAPSHOT_V1 = VERSION_1.getTypes().get(AggregateSnapshot.getClassSchema().getFullName());
    private static final Schema ORDER_V1 = VERSION_1.getTypes().get(OrderState.getClassSchema().getFullName());

    @Test
    void version2IsVersion1WithThePizzaCount() {
        List<String> version2 = fieldNames(OrderState.getClassSchema());

        assertThat(version2.subList(0, version2.size() - 1)).isEqualTo(fieldNames(ORDER_V1));
        assertThat(version2).last().isEqualTo("pizzaCount");
        assertThat(OrderState.getClassSchema().getField("pizzaCount").defaultVal()).isEqualTo(0);
    }

    @Test
    void flinkMigratesVersion1StateOnRestore() throws IOException {
        TypeSerializerSchemaCompatibility<AggregateSnapshot> compatibility =
                new AvroSerializer<>(AggregateSnapshot.class).snapshotConfiguration()
                        .resolveSchemaCompatibility(version1SerializerSnapshot());

        assertThat(compatibility.isCompatibleAfterMigration()).as(compatibility.toString()).isTrue();
    }

    @Test
    void restoresAVersion1OrderWithAPizzaCountOf0() throws IOException {
        AggregateSnapshot written = AggregateSnapshot.newBuilder()
                .setVersion(2)
                .setRecentCommandIds(List.of("place", "confirm"))
                .setState(OrderDeciderV2Test.version1State(PLACED_LARGE, CONFIRMED_LARGE))
                .build();
        DataOutputSerializer savepoint = new DataOutputSerializer(512);
        new AvroSerializer<>(GenericRecord.class, SNAPSHOT_V1).serialize(written, savepoint);

        AggregateSnapshot restored = version1SerializerSnapshot().restoreSerializer()
                .deserialize(new DataInputDeserializer(savepoint.getCopyOfBuffer()));

        assertThat(restored).isEqualTo(written);
        assertThat(((OrderState) restored.getState()).getPizzaCount()).isZero();
    }

    /**
     * The serializer snapshot that version 1 of the job keeps in its savepoints for this state, read back as Flink
     * reads it on restore: the state's class and the schema it was written with, in
     * {@link AvroSerializerSnapshot#writeSnapshot}'s layout.
     */
    private static TypeSerializerSnapshot<AggregateSnapshot> version1SerializerSnapshot() throws IOException {
        DataOutputSerializer written = new DataOutputSerializer(4096);
        StringUtils.writeString(AggregateSnapshot.class.getName(), written);
        StringUtils.writeString(SNAPSHOT_V1.toString(), written);
        AvroSerializerSnapshot<AggregateSnapshot> snapshot = new AvroSerializerSnapshot<>();
        snapshot.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(written.getCopyOfBuffer()),
                StateSchemaEvolutionTest.class.getClassLoader());
        return snapshot;
    }

    private static List<String> fieldNames(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    /** Version 1's state types, with the catalog types they name (the pom says where the files are). */
    private static Schema.Parser version1Schemas() {
        File directory = new File(System.getProperty("factstream.v1-schemas"));
        Schema.Parser parser = new Schema.Parser();
        try {
            parser.parse(new File(directory, "common.avsc"));
            // The envelopes, which state names too (a quarantine holds events), name every context's types and the
            // superseded event versions.
            for (String folder : List.of("contexts", "superseded")) {
                File[] files = new File(directory, folder).listFiles((dir, name) -> name.endsWith(".avsc"));
                Arrays.sort(files);
                for (File file : files) {
                    parser.parse(file);
                }
            }
            parser.parse(new File(directory, "envelopes.avsc"));
            parser.parse(new File(directory, "state.avsc"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read version 1 of the schemas in " + directory, e);
        }
        return parser;
    }
}
