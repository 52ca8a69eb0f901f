package io.factstream.kafka.read;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.EventEnvelope;
import io.factstream.catalog.wire.SingleObjectCodec;
import io.factstream.catalog.wire.UndecodableRecordException;

/**
 * The seed's event-store reader, over the {@code <ctx>.events} topics, reading committed events only:
 *
 * <ul>
 *   <li>{@link #eventsOfStream}: one aggregate's events after a sequence number, in sequence order;</li>
 *   <li>{@link #eventsOfAllStreams}: every aggregate's events after a {@link Position}, with the position after
 *       the last one returned, so that paging neither skips nor repeats an event;</li>
 *   <li>{@link #lastPosition}: the position after every event committed so far.</li>
 * </ul>
 *
 * A stream lives in the partition its key hashes to (Kafka's default partitioner), so reading one stream reads one
 * partition.
 */
public final class EventStoreReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Events and the position after the last of them. */
    public record Page(List<EventEnvelope> events, Position next) {
    }

    private final String bootstrapServers;
    private final SingleObjectCodec<EventEnvelope> codec = SingleObjectCodec.forType(EventEnvelope.class);
    private final CommittedReader streams;

    public EventStoreReader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.streams = new CommittedReader(bootstrapServers, TIMEOUT);
    }

    /** Up to {@code limit} events of one aggregate with a sequence number above {@code afterSequence}, in order. */
    public List<EventEnvelope> eventsOfStream(BoundedContext context, String aggregateId, long afterSequence,
                                              int limit) throws UndecodableRecordException {
        List<EventEnvelope> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : streams.readKey(context.eventsTopic(), aggregateId)) {
            EventEnvelope event = codec.decode(record.value());
            if (event.getSequenceNumber() > afterSequence && events.size() < limit) {
                events.add(event);
            }
        }
        return events;
    }

    /** Up to {@code limit} events of any aggregate after the position, and the position after them. */
    public Page eventsOfAllStreams(Position after, int limit) throws UndecodableRecordException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> from = new TreeMap<>(Position::compare);
            allPartitions(consumer).forEach(p -> from.put(p, after.next(p)));
            Read read = readToEnd(consumer, from, limit);
            List<EventEnvelope> events = new ArrayList<>();
            Map<TopicPartition, Long> next = new HashMap<>(after.nextOffsets());
            for (ConsumerRecord<byte[], byte[]> record : read.records()) {
                events.add(codec.decode(record.value()));
                next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            next.putAll(read.readToTheEnd()); // past the transaction markers that end a partition
            return new Page(events, Position.of(next));
        }
    }

    /** The position after every event committed so far. */
    public Position lastPosition() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(allPartitions(consumer), TIMEOUT);
            return Position.of(ends);
        }
    }

    /**
     * What a read found: the records, and the position of every partition read to its end (which may lie past the
     * last record: a transaction's commit marker takes an offset too).
     */
    private record Read(List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Long> readToTheEnd) {
    }

    /** The records from the given offsets to the current ends, at most {@code limit}, partition after partition. */
    private Read readToEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from, long limit) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<TopicPartition, Long> finished = new HashMap<>();
        Map<TopicPartition, Long> ends = consumer.endOffsets(from.keySet(), TIMEOUT);
        // One partition at a time: a page then ends inside one partition, which its position says exactly.
        for (Map.Entry<TopicPartition, Long> start : from.entrySet()) {
            TopicPartition partition = start.getKey();
            consumer.assign(List.of(partition));
            consumer.seek(partition, start.getValue());
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (records.size() < limit && consumer.position(partition, TIMEOUT) < ends.get(partition)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + partition + " within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (records.size() < limit) {
                        records.add(record);
                    } else {
                        break;
                    }
                }
            }
            if (records.size() >= limit) {
                break;
            }
            finished.put(partition, consumer.position(partition, TIMEOUT));
        }
        return new Read(records, finished);
    }

    private static List<TopicPartition> allPartitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            consumer.partitionsFor(context.eventsTopic(), TIMEOUT)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        return partitions;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return CommittedConsumers.create(bootstrapServers, "factstream-event-store-reader");
    }
}
