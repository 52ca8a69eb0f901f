package io.factstream.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.factstream.catalog.Address;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.CommandEnvelopes;
import io.factstream.log.LoggedCommand;
import io.factstream.catalog.OrderLine;
import io.factstream.catalog.PizzaSize;
import io.factstream.catalog.orders.PlaceOrder;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.jobs.io.AvroRecordSerializer;

/**
 * What a command record costs to decode from Kafka and to send between two operators, the way the jobs did (Avro's
 * resolving reader, Flink's {@code AvroSerializer} a byte at a time through its data views) and the way they do
 * (Avro's fast reader, {@link AvroRecordSerializer} on a byte array). The fork runs without the TaskManagers'
 * {@code org.apache.avro.fastread}, so that the first way is measured as it was.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dorg.apache.avro.fastread=false")
public class RecordCodecBenchmark {

    private final SingleObjectCodec<CommandEnvelope> codec = SingleObjectCodec.forType(CommandEnvelope.class);
    private final BinaryMessageDecoder<CommandEnvelope> resolvingDecoder = new BinaryMessageDecoder<>(
            SpecificData.getForClass(CommandEnvelope.class), CommandEnvelope.getClassSchema());
    private final TypeSerializer<LoggedCommand> flinkSerializer = new AvroSerializer<>(LoggedCommand.class);
    private final TypeSerializer<LoggedCommand> recordSerializer = new AvroRecordSerializer<>(LoggedCommand.class);
    private final DataOutputSerializer out = new DataOutputSerializer(4096);
    private final DataInputDeserializer in = new DataInputDeserializer();

    private byte[] encoded;
    private LoggedCommand logged;

    @Setup
    public void setUp() {
        CommandEnvelope command = CommandEnvelopes.builder(new PlaceOrder("customer-1", List.of(
                        new OrderLine("MARGHERITA", PizzaSize.LARGE, 2), new OrderLine("DIAVOLA", PizzaSize.SMALL, 1)),
                        new Address("Via Roma 1", "Napoli", "80100"), null))
                .setCommandId(UUID.nameUUIDFromBytes("order-1/0".getBytes(UTF_8)).toString())
                .setSubjectId("order-1")
                .setUserId("customer-1")
                .setCreationTimestamp(Instant.parse("2026-11-26T12:00:00Z"))
                .setRoles(List.of("CUSTOMER"))
                .setCorrelationId("order-1")
                .build();
        encoded = codec.encode(command);
        logged = new LoggedCommand(command, Instant.parse("2026-11-26T12:00:00.010Z"), 1234L, "order-1", null);
    }

    @Benchmark
    public CommandEnvelope decodeWithTheResolvingReader() throws IOException {
        return resolvingDecoder.decode(encoded);
    }

    @Benchmark
    public CommandEnvelope decodeWithTheFastReader() throws Exception {
        return codec.decode(encoded);
    }

    @Benchmark
    public LoggedCommand betweenOperatorsWithFlinksAvroSerializer() throws IOException {
        return roundTrip(flinkSerializer);
    }

    @Benchmark
    public LoggedCommand betweenOperatorsWithTheRecordSerializer() throws IOException {
        return roundTrip(recordSerializer);
    }

    private LoggedCommand roundTrip(TypeSerializer<LoggedCommand> serializer) throws IOException {
        out.clear();
        serializer.serialize(logged, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }
}
