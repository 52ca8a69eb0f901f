package io.factstream.topics;

import static org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_COMPACT;
import static org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_CONFIG;
import static org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_DELETE;
import static org.apache.kafka.common.config.TopicConfig.RETENTION_BYTES_CONFIG;
import static org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;

import io.factstream.catalog.BoundedContext;

/**
 * The one source of truth for every topic of the platform: per context {@code <ctx>.commands},
 * {@code <ctx>.events}, {@code <ctx>.rejections} and {@code <ctx>.dlq}; per view {@code views.<view>.history} and
 * {@code views.<view>.latest}. Jobs, tools, tests and deployment manifests take names and settings from here.
 *
 * <p>Retention: events are the event store and are kept forever; commands are inputs, kept a week for replays of
 * recent traffic; rejections, dead letters and view history are kept a month; the latest view rows are compacted.
 */
public final class TopicCatalog {

    /** The read models kept by the view jobs, by name. */
    public static final List<String> VIEWS = List.of("order-status", "customer-orders", "kitchen-queue");

    public static final int DEFAULT_PARTITIONS = 4;
    public static final short DEFAULT_REPLICATION_FACTOR = 1;

    private static final String FOREVER = "-1";
    private static final String ONE_WEEK = String.valueOf(Duration.ofDays(7).toMillis());
    private static final String ONE_MONTH = String.valueOf(Duration.ofDays(30).toMillis());

    private final List<TopicSpec> topics;

    private TopicCatalog(int partitions, short replicationFactor) {
        List<TopicSpec> specs = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            String aggregate = context.aggregateType();
            specs.add(new TopicSpec(context.commandsTopic(),
                    "Commands to " + aggregate + " aggregates, keyed by aggregate id.",
                    partitions, replicationFactor, retention(ONE_WEEK)));
            specs.add(new TopicSpec(context.eventsTopic(),
                    "The event store of " + aggregate + " aggregates, keyed by aggregate id, kept forever.",
                    partitions, replicationFactor,
                    Map.of(CLEANUP_POLICY_CONFIG, CLEANUP_POLICY_DELETE, RETENTION_MS_CONFIG, FOREVER,
                            RETENTION_BYTES_CONFIG, FOREVER)));
            specs.add(new TopicSpec(context.rejectionsTopic(),
                    "One CommandRejected per rejected " + context.id() + " command, keyed by aggregate id.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
            specs.add(new TopicSpec(context.deadLetterTopic(),
                    "Undecodable " + context.id() + " records, original bytes, headers saying why and where from.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
        }
        for (String view : VIEWS) {
            specs.add(new TopicSpec(viewHistoryTopic(view),
                    "Every version of every " + view + " row, keyed by view key.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
            specs.add(new TopicSpec(viewLatestTopic(view),
                    "The latest version of each " + view + " row, compacted; a tombstone when a row is deleted.",
                    partitions, replicationFactor, Map.of(CLEANUP_POLICY_CONFIG, CLEANUP_POLICY_COMPACT)));
        }
        this.topics = List.copyOf(specs);
    }

    /** The catalog with {@value #DEFAULT_PARTITIONS} partitions and one replica per topic. */
    public static TopicCatalog standard() {
        return new TopicCatalog(DEFAULT_PARTITIONS, DEFAULT_REPLICATION_FACTOR);
    }

    /** The catalog sized for a cluster: every topic with these partitions and replicas. */
    public static TopicCatalog sized(int partitions, short replicationFactor) {
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("partitions and replication factor must be at least 1, got "
                    + partitions + " and " + replicationFactor);
        }
        return new TopicCatalog(partitions, replicationFactor);
    }

    /** The history topic of a view: every version of every row. */
    public static String viewHistoryTopic(String view) {
        return "views." + view + ".history";
    }

    /** The latest topic of a view: compacted, the latest version of each row. */
    public static String viewLatestTopic(String view) {
        return "views." + view + ".latest";
    }

    /** Every topic, contexts first, then views. */
    public List<TopicSpec> topics() {
        return topics;
    }

    /** The topic of this name; fails when the catalog has none. */
    public TopicSpec topic(String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no topic '" + name + "' in the catalog"));
    }

    /** Admin requests that create every topic. */
    public List<NewTopic> newTopics() {
        return topics.stream().map(TopicSpec::toNewTopic).toList();
    }

    private static Map<String, String> retention(String millis) {
        return Map.of(CLEANUP_POLICY_CONFIG, CLEANUP_POLICY_DELETE, RETENTION_MS_CONFIG, millis);
    }
}
