package io.factstream.jobs.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.wire.RandomRecords;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.log.DeadLetter;

class CatalogRecordDeserializerTest {

    private final CatalogRecordDeserializer<CommandEnvelope> deserializer =
            CatalogRecordDeserializer.forType(CommandEnvelope.class);

    @Test
    void aValidRecordIsDecoded() throws Exception {
        CommandEnvelope command = new RandomRecords(7).commandEnvelope(
                EventCatalog.get().commandType("TopUpWallet").schema());
        byte[] value = SingleObjectCodec.forType(CommandEnvelope.class).encode(command);

        List<Either<DeadLetter, CommandEnvelope>> out = deserialize(consumed("wallet-1".getBytes(UTF_8), value));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isRight()).isTrue();
        assertThat(out.get(0).right()).isEqualTo(command);
    }

    @Test
    void garbageBecomesADeadLetterWithTheOriginalBytesAndItsSource() throws Exception {
        byte[] key = "order-7".getBytes(UTF_8);
        byte[] value = "{\"not\": \"avro\"}".getBytes(UTF_8);

        List<Either<DeadLetter, CommandEnvelope>> out = deserialize(consumed(key, value));

        assertThat(out).hasSize(1);
        DeadLetter letter = out.get(0).left();
        assertThat(letter.getSourceTopic()).isEqualTo("orders.commands");
        assertThat(letter.getSourcePartition()).isEqualTo(3);
        assertThat(letter.getSourceOffset()).isEqualTo(42L);
        assertThat(letter.getSourceTimestamp().toEpochMilli()).isEqualTo(1_767_225_600_000L);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getReason()).startsWith("not Avro single-object encoded");
        assertThat(letter.getErrorType()).isEqualTo("org.apache.avro.message.BadHeaderException");
    }

    @Test
    void aTombstoneBecomesADeadLetter() throws Exception {
        DeadLetter letter = deserialize(consumed(null, null)).get(0).left();

        assertThat(letter.getKey()).isNull();
        assertThat(letter.getValue()).isNull();
        assertThat(letter.getErrorType()).isEqualTo("NO_VALUE");
    }

    @Test
    void anEventKeyedByItsAggregateIsDecodedAndOneKeyedOtherwiseIsADeadLetterSayingSo() {
        EventEnvelope event = new RandomRecords(11).eventEnvelope(
                EventCatalog.get().eventType("OrderPlaced").schema());
        byte[] value = SingleObjectCodec.forType(EventEnvelope.class).encode(event);
        CatalogRecordDeserializer<EventEnvelope> events = CatalogRecordDeserializer.events();

        Either<DeadLetter, EventEnvelope> keyed = events.decode(consumed(event.getAggregateId().getBytes(UTF_8),
                value));
        Either<DeadLetter, EventEnvelope> otherwise = events.decode(consumed("someone-else".getBytes(UTF_8), value));
        Either<DeadLetter, EventEnvelope> unkeyed = events.decode(consumed(null, value));

        assertThat(keyed.right()).isEqualTo(event);
        assertThat(otherwise.left().getErrorType()).isEqualTo(CatalogRecordDeserializer.KEY_MISMATCH);
        assertThat(otherwise.left().getReason()).isEqualTo("the record's key 'someone-else' is not its aggregateId '"
                + event.getAggregateId() + "': the records about one aggregate must share its key, and so its "
                + "partition and its order");
        assertThat(otherwise.left().getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(unkeyed.left().getReason()).startsWith("the record has no key");
    }

    @Test
    void theProducedTypeNeedsNoKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeInformation<Either<DeadLetter, CommandEnvelope>> type = deserializer.getProducedType();

        assertThatCode(() -> type.createSerializer(config)).doesNotThrowAnyException();
    }

    private List<Either<DeadLetter, CommandEnvelope>> deserialize(ConsumerRecord<byte[], byte[]> record)
            throws Exception {
        deserializer.open(null);
        List<Either<DeadLetter, CommandEnvelope>> out = new ArrayList<>();
        deserializer.deserialize(record, new Collector<>() {
            @Override
            public void collect(Either<DeadLetter, CommandEnvelope> element) {
                out.add(element);
            }

            @Override
            public void close() {
            }
        });
        return out;
    }

    private static ConsumerRecord<byte[], byte[]> consumed(byte[] key, byte[] value) {
        return new ConsumerRecord<>("orders.commands", 3, 42L, 1_767_225_600_000L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }
}
