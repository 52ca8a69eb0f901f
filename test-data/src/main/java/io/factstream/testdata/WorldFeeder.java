package io.factstream.testdata;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandEnvelope;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;
import io.factstream.kafka.clients.KafkaConnection;

/**
 * Plays a world's script into the {@code <ctx>.commands} topics in real time: a command without an awaited event
 * is sent at its offset from the start; one with an awaited event is sent its offset after that event appears on
 * the events topics. Each command gets the moment it is sent as its {@code creationTimestamp}, as a real client's
 * would. Every send is checked.
 */
public final class WorldFeeder {

    /**
     * What the feeder did.
     *
     * @param sent       commands sent
     * @param neverSent  commands whose awaited event never appeared, as {@code <eventType> of <aggregateId>}
     */
    public record Report(int sent, List<String> neverSent) {
    }

    private static final SingleObjectCodec<CommandEnvelope> COMMANDS = SingleObjectCodec.forType(CommandEnvelope.class);
    private static final SingleObjectCodec<EventEnvelope> EVENTS = SingleObjectCodec.forType(EventEnvelope.class);

    private final String bootstrapServers;

    public WorldFeeder(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Feeds the world and returns once every command is sent, or once nothing was due for {@code patience} while
     * commands still waited for their events.
     */
    public Report feed(World world, Duration patience) throws Exception {
        List<ScriptedCommand> script = world.script();
        Map<String, List<Integer>> waiting = new HashMap<>();
        PriorityQueue<Due> due = new PriorityQueue<>(Comparator.comparingLong(Due::at).thenComparingInt(Due::index));
        Instant start = Instant.now();
        for (int i = 0; i < script.size(); i++) {
            ScriptedCommand entry = script.get(i);
            if (entry.getAfterEventType() == null) {
                due.add(new Due(start.toEpochMilli() + entry.getOffsetMillis(), i));
            } else {
                waiting.computeIfAbsent(trigger(entry.getAfterEventType(), entry.getAfterAggregateId()),
                        k -> new ArrayList<>()).add(i);
            }
        }
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        int sent = 0;
        try (KafkaConsumer<byte[], byte[]> events = eventsReader();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            Instant lastProgress = Instant.now();
            while (!due.isEmpty() || !waiting.isEmpty()) {
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : events.poll(Duration.ofMillis(20))) {
                    EventEnvelope event = decode(record.value());
                    List<Integer> triggered = event == null ? null
                            : waiting.remove(trigger(event.getEventType(), event.getAggregateId()));
                    if (triggered != null) {
                        triggered.forEach(i -> due.add(new Due(now + script.get(i).getOffsetMillis(), i)));
                    }
                }
                while (!due.isEmpty() && due.peek().at() <= System.currentTimeMillis()) {
                    sends.add(send(producer, script.get(due.poll().index())));
                    sent++;
                    lastProgress = Instant.now();
                }
                if (due.isEmpty() && Duration.between(lastProgress, Instant.now()).compareTo(patience) > 0) {
                    break;
                }
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(); // a lost command would make the world's plan a lie
            }
        }
        List<String> neverSent = new ArrayList<>();
        waiting.forEach((trigger, entries) -> entries.forEach(i -> neverSent.add(trigger)));
        return new Report(sent, neverSent);
    }

    private record Due(long at, int index) {
    }

    private static Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, ScriptedCommand entry)
            throws UndecodableRecordException {
        CommandEnvelope command = COMMANDS.decode(entry.getCommand().array());
        command.setCreationTimestamp(Instant.now());
        String topic = EventCatalog.get().commandType(command.getCommandType()).context().commandsTopic();
        return producer.send(new ProducerRecord<>(topic, command.getSubjectId().getBytes(UTF_8),
                COMMANDS.encode(command)));
    }

    private static String trigger(String eventType, String aggregateId) {
        return eventType + " of " + aggregateId;
    }

    private static EventEnvelope decode(byte[] value) {
        try {
            return EVENTS.decode(value);
        } catch (UndecodableRecordException e) {
            return null; // not the feeder's business: the auditor reports it
        }
    }

    private KafkaConsumer<byte[], byte[]> eventsReader() {
        KafkaConsumer<byte[], byte[]> consumer = KafkaConnection.to(bootstrapServers).consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            consumer.partitionsFor(context.eventsTopic())
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions); // only what happens from now on concerns this world
        partitions.forEach(consumer::position);
        return consumer;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return KafkaConnection.to(bootstrapServers).producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"));
    }
}
