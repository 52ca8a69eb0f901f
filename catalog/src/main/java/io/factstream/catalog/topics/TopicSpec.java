package io.factstream.catalog.topics;

import java.util.Map;
import java.util.Optional;

/**
 * One topic of the platform as it must exist on the broker.
 *
 * @param name              the topic name, e.g. {@code orders.events}
 * @param purpose           what the topic holds, for people
 * @param partitions        the partition count; fixed once records exist, because a key's partition must not move
 * @param replicationFactor the number of replicas of each partition
 * @param configs           the topic configs the platform relies on, e.g. {@code cleanup.policy}
 */
public record TopicSpec(String name, String purpose, int partitions, short replicationFactor,
                        Map<String, String> configs) {

    /** Kafka's topic config that says whether old records are deleted or compacted away. */
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE = "delete";
    public static final String COMPACT = "compact";
    /** Kafka's topic configs of how long and how much a deleting topic keeps; -1 for ever. */
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** The topic's {@code cleanup.policy}: {@code delete} (retention) or {@code compact}. */
    public String cleanupPolicy() {
        return configs.getOrDefault(CLEANUP_POLICY, DELETE);
    }

    /** The topic's {@code retention.ms}, when the platform sets one (-1: kept forever). */
    public Optional<Long> retentionMs() {
        return Optional.ofNullable(configs.get(RETENTION_MS)).map(Long::valueOf);
    }
}
