package io.factstream.kafka.park;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.clients.KafkaConnection;
import io.factstream.kafka.read.CommittedReader;
import io.factstream.log.ParkStatus;
import io.factstream.log.ParkedInput;
import io.factstream.log.ParkedRecord;
import io.factstream.log.RedriveRequest;

/**
 * What is in quarantine, and the way out once a fixed version runs.
 *
 * <p>Aggregates: the aggregates of a context in quarantine are read from {@code <ctx>.parked}; {@link #redrive}
 * writes each waiting command again to {@code <ctx>.commands}, in its
 * parked order, keyed by its aggregate, with its original write time as the record's timestamp (so that it is
 * checked and its events are stamped as they would have been), a command id of its own (the original one has its
 * {@code QUARANTINED} answer), and the header {@value #HEADER} giving its index. The aggregate handles a redriven
 * command only in its turn, so running a redrive twice changes nothing more: the copies of commands already redriven
 * are answered as out of turn. When the last parked command has been handled, the aggregate job writes
 * {@code UNPARKED}, and the aggregate flows again.
 *
 * <p>Sagas and view rows: the keys in quarantine are read from {@code sagas.parked} and {@code views.parked}; the job
 * holds their inputs in its own state, so {@link #redriveKeys} only writes a {@code RedriveRequest} per key to
 * {@code factstream.redrive}. The job hands the held inputs to its code again, in order, and writes
 * {@code UNPARKED} when they all went through; a request for a key that is not parked changes nothing.
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

    /**
     * A saga or view row in quarantine.
     *
     * @param scope the saga's or view's name
     * @param key   the saga id or row key
     * @param error what the code threw
     * @param held  how many of its inputs are held (none when its code failed as time passed)
     * @param since the business time of the input the code failed on
     */
    public record ParkedKey(String scope, String key, String error, int held, Instant since) {
        /** One line for people. */
        @Override
        public String toString() {
            return scope + " " + key + ": " + held + " held input" + (held == 1 ? "" : "s") + " since " + since
                    + " (" + error + ")";
        }
    }

    private static final SingleObjectCodec<ParkedInput> PARKED_INPUTS = SingleObjectCodec.forType(ParkedInput.class);
    private static final SingleObjectCodec<RedriveRequest> REQUESTS = SingleObjectCodec.forType(RedriveRequest.class);

    private final KafkaConnection connection;
    private final Duration timeout;

    /** Redrives on the cluster with the client properties this process is configured with. */
    public Redrive(String bootstrapServers, Duration timeout) {
        this(KafkaConnection.to(bootstrapServers), timeout);
    }

    public Redrive(KafkaConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    /** The aggregates of the context in quarantine now, in the order they were parked. */
    public List<Parked> parked(BoundedContext context) {
        Map<String, List<ParkedRecord>> waiting = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(connection, timeout)
                .readAll(List.of(context.parkedTopic()))) {
            ParkedRecord parked = decode(PARKED, record, "a parked command");
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
        List<ProducerRecord<byte[], byte[]>> copies = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Parked aggregate : parked) {
            aggregate.waiting().forEach(waiting -> copies.add(copy(context, waiting, run)));
            lines.add("redrove " + aggregate.waiting().size() + " parked command"
                    + (aggregate.waiting().size() == 1 ? "" : "s") + " of " + aggregate.aggregateId());
        }
        send(copies, "redriven command");
        return lines;
    }

    /** The saga or view keys in quarantine now, as a parked topic ({@code sagas.parked}, {@code views.parked}) says. */
    public List<ParkedKey> parkedKeys(String parkedTopic) {
        Map<String, List<ParkedInput>> held = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : new CommittedReader(connection, timeout)
                .readAll(List.of(parkedTopic))) {
            ParkedInput parked = decode(PARKED_INPUTS, record, "a parked input");
            String id = parked.getScope() + "/" + parked.getKey();
            if (parked.getStatus() == ParkStatus.UNPARKED) {
                held.remove(id);
            } else {
                held.computeIfAbsent(id, k -> new ArrayList<>()).add(parked);
            }
        }
        return held.values().stream().map(records -> new ParkedKey(records.get(0).getScope(), records.get(0).getKey(),
                records.get(0).getError(), (int) records.stream().filter(r -> r.getInput() != null).count(),
                records.get(0).getAt())).toList();
    }

    /**
     * Asks the job that keeps them to redrive the keys in quarantine on a parked topic (or the one given, in every
     * scope it is parked in); returns a line per key.
     */
    public List<String> redriveKeys(String parkedTopic, Optional<String> key) {
        List<ParkedKey> parked = parkedKeys(parkedTopic).stream()
                .filter(p -> key.isEmpty() || p.key().equals(key.get())).toList();
        if (parked.isEmpty()) {
            return List.of(key.map(k -> k + " is not parked").orElse("nothing is parked on " + parkedTopic));
        }
        List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (ParkedKey waiting : parked) {
            RedriveRequest request = new RedriveRequest(waiting.scope(), waiting.key(), Instant.now());
            requests.add(new ProducerRecord<>(TopicCatalog.REDRIVE, null, request.getRequestedAt().toEpochMilli(),
                    (waiting.scope() + "/" + waiting.key()).getBytes(UTF_8), REQUESTS.encode(request)));
            lines.add("asked " + waiting.scope() + " to redrive " + waiting.held() + " held input"
                    + (waiting.held() == 1 ? "" : "s") + " of " + waiting.key());
        }
        send(requests, "redrive request");
        return lines;
    }

    /** Whether the saga or view key is out of quarantine in every scope, as the parked topic says by now. */
    public boolean keyFlows(String parkedTopic, String key) {
        return parkedKeys(parkedTopic).stream().noneMatch(p -> p.key().equals(key));
    }

    /** Writes the records, idempotently, and waits until the broker has them all. */
    private void send(List<ProducerRecord<byte[], byte[]>> records, String what) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            records.forEach(record -> sends.add(producer.send(record)));
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused a " + what + ": " + e.getCause().getMessage(), e);
        }
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
        return connection.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestTimeout)));
    }

    private static <T extends SpecificRecord> T decode(SingleObjectCodec<T> codec,
                                                     ConsumerRecord<byte[], byte[]> record, String what) {
        try {
            return codec.decode(record.value());
        } catch (UndecodableRecordException e) {
            throw new IllegalStateException("record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " is not " + what + ": " + e.getMessage(), e);
        }
    }

    /** Whether the aggregate is out of quarantine, as {@code <ctx>.parked} says by now. */
    public boolean flows(BoundedContext context, String aggregateId) {
        return parked(context).stream().noneMatch(p -> p.aggregateId().equals(aggregateId));
    }
}
