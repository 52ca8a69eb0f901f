package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.log.LoggedCommand;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.CancelOrder;
import io.factstream.catalog.orders.CancellationReason;
import io.factstream.catalog.orders.PlaceOrder;

/**
 * Flink's own contract for serializers (copies, duplicates, snapshots and their restore, reading what another
 * instance wrote, skipping), on command records with the unions, nulls, arrays and timestamps the envelopes have;
 * and a record read back is the record Flink's {@code AvroSerializer} reads back, in fewer bytes.
 */
class AvroRecordSerializerTest extends SerializerTestBase<LoggedCommand> {

    @Override
    protected TypeSerializer<LoggedCommand> createSerializer() {
        return new AvroRecordSerializer<>(LoggedCommand.class);
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<LoggedCommand> getTypeClass() {
        return LoggedCommand.class;
    }

    @Override
    protected LoggedCommand[] getTestData() {
        CommandEnvelope place = command("order-1", new PlaceOrder("ada", List.of(
                new OrderLine("MARGHERITA", PizzaSize.LARGE, 2), new OrderLine("DIAVOLA", PizzaSize.SMALL, 1)),
                new Address("Via Roma 1", "Napoli", "80100"), null));
        CommandEnvelope cancel = command("order-2", new CancelOrder(CancellationReason.CUSTOMER_REQUEST, "changed my mind"));
        cancel.setExpectedVersion(3L);
        return new LoggedCommand[] {
                new LoggedCommand(place, Instant.parse("2026-11-26T12:00:00.010Z"), 0L, "order-1", null),
                new LoggedCommand(cancel, Instant.parse("2026-11-26T12:01:00Z"), 42L, null, 7L),
        };
    }

    @Test
    void aRecordMeansWhatFlinksAvroSerializerMakesOfIt() throws Exception {
        for (LoggedCommand record : getTestData()) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            createSerializer().serialize(record, out);
            DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());

            LoggedCommand read = createSerializer().deserialize(in);

            DataOutputSerializer flinks = new DataOutputSerializer(256);
            AvroSerializer<LoggedCommand> flinkSerializer = new AvroSerializer<>(LoggedCommand.class);
            flinkSerializer.serialize(record, flinks);
            LoggedCommand readByFlink = flinkSerializer.deserialize(
                    new DataInputDeserializer(flinks.getSharedBuffer(), 0, flinks.length()));
            assertThat(read).isEqualTo(record).isEqualTo(readByFlink);
            // Avro's own varints, where Flink's encoder writes numbers at full width.
            assertThat(out.length()).isLessThan(flinks.length());
        }
    }

    @Test
    void theTypeNeedsNoKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        assertThat(new AvroRecordTypeInfo<>(LoggedCommand.class).createSerializer(config))
                .isEqualTo(createSerializer());
    }

    private static CommandEnvelope command(String subject, org.apache.avro.specific.SpecificRecord data) {
        return CommandEnvelopes.builder(data)
                .setCommandId(UUID.nameUUIDFromBytes((subject + data).getBytes(UTF_8)).toString())
                .setSubjectId(subject)
                .setUserId("ada")
                .setCreationTimestamp(Instant.parse("2026-11-26T12:00:00Z"))
                .setRoles(List.of("CUSTOMER"))
                .setCorrelationId(subject)
                .build();
    }
}
