package io.factstream.kafka.park;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.log.ParkStatus;
import io.factstream.log.ParkedRecord;

/**
 * The aggregates of a context in quarantine, read from {@code <ctx>.parked}, and the way out: once a fixed version
 * of the aggregate job runs, {@link #redrive} writes each waiting command again to {@code <ctx>.commands}, in its
 * parked order, keyed by its aggregate, with its original write time as the record's timestamp (so that it is
 * checked and its events are stamped as they would have been), a command id of its own (the original one has its
 * {@code QUARANTINED} answer), and the header {@value #HEADER} giving its index. The aggregate handles a redriven
 * command only in its turn, so running a redrive twice changes nothing more: the copies of commands already redriven
 * are answered as out of turn. When the last parked command has been handled, the aggregate job writes
 * {@code UNPARKED}, and the aggregate flows again.
 */
public final class Redrive {

    /** The header that marks a redriven command, with the index of the parked command it stands for. */
    public static final String HEADER = "factstream.redrive";

    private static final SingleObjectCodec<ParkedRecord> PARKED = SingleObjectCodec.forType(ParkedRecord.class);
    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);

    /**
     * An aggregate in quarantine.
     *
     * @param aggregateId the aggregate
     * @param error       what its code threw
     * @param waiting     its parked commands, in the order to redrive them
     */
    public record Parked(String aggregateId, String error, List<ParkedRecord> waiting) {
        /** One line for people. */
        @Override
        public String toString() {
            return aggregateId + ": " + waiting.size() + " parked command" + (waiting.size() == 1 ? "" : "s")
                    + " since " + waiting.get(0).getCommand().getCreationTimestamp() + " (" + error + ")";
        }
    }

    private final String bootstrapServers;
    private final Duration timeout;

    public Redrive(String bootstrapServers, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** The aggregates of the context in quarantine now, in the order they were parked. */
    public List<Parked> parked(BoundedContext context) {
        Map<String, List<ParkedRecord>> waiting = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(bootstrapServers, timeout)
                .readAll(List.of(context.parkedTopic()))) {
            ParkedRecord parked = decode(record);
            if (parked.getStatus() == ParkStatus.UNPARKED) {
                waiting.remove(parked.getAggregateId());
            } else {
                waiting.computeIfAbsent(parked.getAggregateId(), id -> new ArrayList<>()).add(parked);
            }
        }
        return waiting.values().stream().map(records -> new Parked(records.get(0).getAggregateId(),
                records.get(0).getError(), List.copyOf(records))).toList();
    }

    /**
     * Writes the waiting commands of the context's aggregates in quarantine (or of one of them) again, in order;
     * returns a line per aggregate.
     */
    public List<String> redrive(BoundedContext context, Optional<String> aggregateId) {
        List<Parked> parked = parked(context).stream()
                .filter(p -> aggregateId.isEmpty() || p.aggregateId().equals(aggregateId.get())).toList();
        if (parked.isEmpty()) {
            return List.of(aggregateId.map(id -> id + " is not parked").orElse("no " + context.id()
                    + " aggregate is parked"));
        }
        String run = UUID.randomUUID().toString(); // copies of each run are commands of their own
        List<String> lines = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Parked aggregate : parked) {
                for (ParkedRecord waiting : aggregate.waiting()) {
                    sends.add(producer.send(copy(context, waiting, run)));
                }
                lines.add("redrove " + aggregate.waiting().size() + " parked command"
                        + (aggregate.waiting().size() == 1 ? "" : "s") + " of " + aggregate.aggregateId());
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while redriving", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused a redriven command: " + e.getCause().getMessage(), e);
        }
        return lines;
    }

    /** The record that redrives one parked command. */
    static ProducerRecord<byte[], byte[]> copy(BoundedContext context, ParkedRecord parked, String run) {
        CommandEnvelope original = parked.getCommand();
        CommandEnvelope copy = CommandEnvelope.newBuilder(original)
                .setCommandId(UUID.nameUUIDFromBytes(("redrive/" + run + "/" + original.getCommandId())
                        .getBytes(UTF_8)).toString())
                .build();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(context.commandsTopic(), null,
                parked.getWrittenAt().toEpochMilli(), original.getSubjectId().getBytes(UTF_8), COMMANDS.encode(copy));
        record.headers().add(new RecordHeader(HEADER, Long.toString(parked.getIndex()).getBytes(UTF_8)));
        return record;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000);
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestTimeout)),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ParkedRecord decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return PARKED.decode(record.value());
        } catch (UndecodableRecordException e) {
            throw new IllegalStateException("record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " is not a parked command: " + e.getMessage(), e);
        }
    }

    /** Whether the aggregate is out of quarantine, as {@code <ctx>.parked} says by now. */
    public boolean flows(BoundedContext context, String aggregateId) {
        return parked(context).stream().noneMatch(p -> p.aggregateId().equals(aggregateId));
    }
}
