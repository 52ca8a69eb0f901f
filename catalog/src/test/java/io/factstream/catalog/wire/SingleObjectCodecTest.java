package io.factstream.catalog.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.EventType;
import io.factstream.catalog.EventUpcaster;
import io.factstream.catalog.EventUpcasters;
import io.factstream.catalog.orders.OrderPlaced;
import io.factstream.catalog.payments.PaymentAuthorized;

class SingleObjectCodecTest {

    private static final long SEED = 20261126L;

    private final SingleObjectCodec<CommandEnvelope> commands = SingleObjectCodec.forType(CommandEnvelope.class);
    private final SingleObjectCodec<EventEnvelope> events = SingleObjectCodec.forType(EventEnvelope.class);

    static List<CommandType> commandTypes() {
        return EventCatalog.get().commandTypes();
    }

    static List<EventType> eventTypes() {
        return EventCatalog.get().eventTypes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandTypes")
    void everyCommandTypeRoundTrips(CommandType type) throws Exception {
        RandomRecords random = new RandomRecords(SEED + type.name().hashCode());
        for (int i = 0; i < 20; i++) {
            CommandEnvelope envelope = random.commandEnvelope(type.schema());

            byte[] bytes = commands.encode(envelope);

            assertSingleObjectHeader(bytes, CommandEnvelope.getClassSchema());
            assertThat(commands.decode(bytes)).isEqualTo(envelope);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventTypes")
    void everyEventTypeRoundTrips(EventType type) throws Exception {
        RandomRecords random = new RandomRecords(SEED + type.name().hashCode());
        for (int i = 0; i < 20; i++) {
            EventEnvelope envelope = random.eventEnvelope(type.schema());

            byte[] bytes = events.encode(envelope);

            assertSingleObjectHeader(bytes, EventEnvelope.getClassSchema());
            assertThat(events.decode(bytes)).isEqualTo(envelope);
        }
    }

    @Test
    void anEventOfASupersededVersionThatNoUpcasterLiftsIsUndecodableWithItsName() {
        byte[] bytes = events.encode(new RandomRecords(SEED).eventEnvelope(PaymentAuthorized.getClassSchema()));

        UndecodableRecordException e = catchThrowableOfType(UndecodableRecordException.class,
                () -> SingleObjectCodec.forType(EventEnvelope.class, EventUpcasters.of(List.of())).decode(bytes));

        assertThat(e.errorType()).isEqualTo(SingleObjectCodec.NO_UPCASTER);
        assertThat(e).hasMessage("cannot lift a superseded event: PaymentAuthorized version 1 "
                + "(io.factstream.catalog.payments.PaymentAuthorized) has no upcaster on the class path");
    }

    @Test
    void anUpcasterThatFailsMakesTheEventUndecodableInsteadOfFailingItsReader() {
        byte[] bytes = events.encode(new RandomRecords(SEED).eventEnvelope(PaymentAuthorized.getClassSchema()));
        var current = io.factstream.catalog.payments.v2.PaymentAuthorized.class;
        EventUpcaster<PaymentAuthorized, io.factstream.catalog.payments.v2.PaymentAuthorized> broken =
                new EventUpcaster<>(PaymentAuthorized.class, current) {
                    @Override
                    public io.factstream.catalog.payments.v2.PaymentAuthorized upcast(PaymentAuthorized event) {
                        throw new ArithmeticException("a bug");
                    }
                };

        UndecodableRecordException e = catchThrowableOfType(UndecodableRecordException.class,
                () -> SingleObjectCodec.forType(EventEnvelope.class, EventUpcasters.of(List.of(broken))).decode(bytes));

        assertThat(e.errorType()).isEqualTo(ArithmeticException.class.getName());
        assertThat(e).hasMessage("the upcaster of a superseded event failed: java.lang.ArithmeticException: a bug");
    }

    @Test
    void readsAnEventWrittenWithTheSupersededVersion() throws Exception {
        Schema v1 = RecordedSchemas.versions(EventEnvelope.getClassSchema().getFullName()).get(0);
        Schema orderPlacedV1 = v1.getField("eventData").schema().getTypes().stream()
                .filter(s -> s.getName().equals("OrderPlaced")).findFirst().orElseThrow();
        assertThat(orderPlacedV1.getField("deliveryInstructions")).as("v1 predates the field").isNull();
        GenericRecord line = new GenericData.Record(
                orderPlacedV1.getField("lines").schema().getElementType());
        line.put("pizza", "MARGHERITA");
        line.put("size", new GenericData.EnumSymbol(line.getSchema().getField("size").schema(), "LARGE"));
        line.put("quantity", 2);
        line.put("unitPriceCents", 1250L);
        line.put("lineTotalCents", 2500L);
        GenericRecord address = new GenericData.Record(orderPlacedV1.getField("deliveryAddress").schema());
        address.put("street", "Via Roma 1");
        address.put("city", "Napoli");
        address.put("postalCode", "80100");
        GenericRecord placed = new GenericData.Record(orderPlacedV1);
        placed.put("customerId", "customer-1");
        placed.put("lines", List.of(line));
        placed.put("totalCents", 2500L);
        placed.put("deliveryAddress", address);
        GenericRecord envelope = new GenericData.Record(v1);
        envelope.put("eventId", "3f1c7d2e-0000-5000-8000-000000000001");
        envelope.put("aggregateId", "order-1");
        envelope.put("sequenceNumber", 1L);
        envelope.put("creationTimestamp", 1_767_225_600_000L);
        envelope.put("correlationId", "order-1");
        envelope.put("eventType", "OrderPlaced");
        envelope.put("aggregateType", "Order");
        envelope.put("causationId", "command-1");
        envelope.put("userId", "customer-1");
        envelope.put("schemaVersion", 1);
        envelope.put("eventData", placed);
        ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(envelope);

        EventEnvelope read = events.decode(toArray(written));

        assertThat(read.getSchemaVersion()).isEqualTo(1);
        OrderPlaced data = (OrderPlaced) read.getEventData();
        assertThat(data.getTotalCents()).isEqualTo(2500L);
        assertThat(data.getLines().get(0).getPizza()).isEqualTo("MARGHERITA");
        assertThat(data.getDeliveryAddress().getCity()).isEqualTo("Napoli");
        assertThat(data.getDeliveryInstructions()).as("default of the field added in v2").isNull();
    }

    @Test
    void randomBytesFailAsUndecodable() {
        Random random = new Random(SEED);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length >= 2) {
                bytes[0] = (byte) 0xC3; // get past the marker check half of the time
                bytes[1] = 0x01;
            }
            assertUndecodable(bytes);
        }
    }

    @Test
    void everyTruncationOfAValidRecordFailsAsUndecodable() {
        byte[] valid = commands.encode(new RandomRecords(SEED).commandEnvelope(
                EventCatalog.get().commandType("PlaceOrder").schema()));
        for (int length = 0; length < valid.length; length++) {
            assertUndecodable(Arrays.copyOf(valid, length));
        }
    }

    @Test
    void corruptBodiesDecodeOrFailAsUndecodableButNeverThrowAnythingElse() {
        Random random = new Random(SEED);
        RandomRecords records = new RandomRecords(SEED);
        List<CommandType> types = commandTypes();
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = commands.encode(records.commandEnvelope(types.get(i % types.size()).schema()));
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int position = 10 + random.nextInt(bytes.length - 10); // keep the header: corrupt the body
                bytes[position] = (byte) random.nextInt(256);
            }
            try {
                commands.decode(bytes);
            } catch (UndecodableRecordException expected) {
                assertThat(expected.getMessage()).startsWith("corrupt CommandEnvelope body");
            }
        }
    }

    @Test
    void anotherRecordTypeIsAnUnknownFingerprint() {
        byte[] eventBytes = events.encode(new RandomRecords(SEED).eventEnvelope(
                EventCatalog.get().eventType("OrderPlaced").schema()));

        UndecodableRecordException e = catchThrowableOfType(UndecodableRecordException.class,
                () -> commands.decode(eventBytes));

        assertThat(e.getMessage()).startsWith("unknown schema fingerprint")
                .endsWith("not a known version of io.factstream.catalog.CommandEnvelope");
    }

    @Test
    void nullIsNoValue() {
        assertThatThrownBy(() -> commands.decode(null))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageStartingWith("no value (null)")
                .extracting(e -> ((UndecodableRecordException) e).errorType()).isEqualTo("NO_VALUE");
    }

    private void assertUndecodable(byte[] bytes) {
        assertThatThrownBy(() -> commands.decode(bytes))
                .as("decoding %d bytes %s", bytes.length, Arrays.toString(bytes))
                .isInstanceOf(UndecodableRecordException.class);
    }

    private static void assertSingleObjectHeader(byte[] bytes, Schema schema) {
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(schema));
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
