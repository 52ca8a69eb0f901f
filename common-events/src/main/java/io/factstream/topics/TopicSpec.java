package io.factstream.topics;

import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

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

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** The topic's {@code cleanup.policy}: {@code delete} (retention) or {@code compact}. */
    public String cleanupPolicy() {
        return configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    }

    /** The topic's {@code retention.ms}, when the platform sets one (-1: kept forever). */
    public Optional<Long> retentionMs() {
        return Optional.ofNullable(configs.get(TopicConfig.RETENTION_MS_CONFIG)).map(Long::valueOf);
    }

    /** The admin request that creates this topic. */
    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
}
