package io.factstream.kafka.read;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;

/**
 * A position in the event store, across all streams. Kafka has no single sequence over all events: each partition
 * of each {@code <ctx>.events} topic is its own ordered log. A position is therefore the next offset to read in
 * every partition (a vector), written as {@code orders.events/0:17,orders.events/1:9,...}; partitions it does not
 * name are read from their beginning. The ordering guarantee is per partition, and so per aggregate (an aggregate's
 * events are keyed by its id and share a partition): in sequence-number order. Across aggregates there is no order
 * beyond what each partition gives.
 *
 * @param nextOffsets the next offset to read, per partition
 */
public record Position(SortedMap<TopicPartition, Long> nextOffsets) {

    /** The position before every event. */
    public static final Position START = of(Map.of());

    public Position {
        TreeMap<TopicPartition, Long> sorted = new TreeMap<>(Position::compare);
        sorted.putAll(nextOffsets);
        nextOffsets = sorted;
    }

    /** The position with these next offsets. */
    public static Position of(Map<TopicPartition, Long> nextOffsets) {
        TreeMap<TopicPartition, Long> sorted = new TreeMap<>(Position::compare);
        sorted.putAll(nextOffsets);
        return new Position(sorted);
    }

    /** The next offset to read in a partition: 0 unless the position names it. */
    public long next(TopicPartition partition) {
        return nextOffsets.getOrDefault(partition, 0L);
    }

    /** This position moved past an event read at this offset of this partition. */
    public Position after(TopicPartition partition, long offset) {
        Map<TopicPartition, Long> moved = new HashMap<>(nextOffsets);
        moved.put(partition, offset + 1);
        return of(moved);
    }

    /** Reads a position from its written form; an empty text is {@link #START}. */
    public static Position parse(String text) {
        if (text == null || text.isBlank()) {
            return START;
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String part : text.split(",")) {
            int slash = part.lastIndexOf('/');
            int colon = part.lastIndexOf(':');
            if (slash < 1 || colon < slash) {
                throw new IllegalArgumentException("'" + part + "' is not <topic>/<partition>:<offset>");
            }
            offsets.put(new TopicPartition(part.substring(0, slash), Integer.parseInt(part.substring(slash + 1, colon))),
                    Long.parseLong(part.substring(colon + 1)));
        }
        return of(offsets);
    }

    @Override
    public String toString() {
        return nextOffsets.entrySet().stream()
                .map(e -> e.getKey().topic() + "/" + e.getKey().partition() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /** The order of partitions in a position and in reading: by topic, then partition. */
    static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }
}
