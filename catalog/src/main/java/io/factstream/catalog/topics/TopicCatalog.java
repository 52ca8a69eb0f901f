package io.factstream.catalog.topics;

import static io.factstream.catalog.topics.TopicSpec.CLEANUP_POLICY;
import static io.factstream.catalog.topics.TopicSpec.COMPACT;
import static io.factstream.catalog.topics.TopicSpec.DELETE;
import static io.factstream.catalog.topics.TopicSpec.RETENTION_BYTES;
import static io.factstream.catalog.topics.TopicSpec.RETENTION_MS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.views.ViewCatalog;

/**
 * The one source of truth for every topic of the platform: per context {@code <ctx>.commands},
 * {@code <ctx>.events}, {@code <ctx>.rejections}, {@code <ctx>.dlq} and {@code <ctx>.parked}; per view
 * {@code views.<view>.history} and {@code views.<view>.latest}; the quarantines of the sagas and views,
 * {@value #SAGAS_PARKED} and {@value #VIEWS_PARKED}; and {@value #REDRIVE} and {@value #WRITERS}. Jobs, tools, tests
 * and deployment manifests take names and settings from here.
 *
 * <p>Retention: events are the event store and are kept forever; commands are inputs, kept a week for replays of
 * recent traffic, and so are redrive requests; rejections, dead letters and view history are kept a month; parked
 * inputs are kept until an operator redrives them, forever; the latest view rows and the writer leases are
 * compacted.
 */
public final class TopicCatalog {

    /** The read models of the catalog, by name (see {@link ViewCatalog}). */
    public static final List<String> VIEWS = ViewCatalog.get().names();

    /**
     * Which instance of each job writes its outputs ({@code WriterLease} records, compacted): the guard that keeps
     * a second instance of a job from writing what the first wrote. One partition, so that a lease is read whole.
     */
    public static final String WRITERS = "factstream.writers";

    /** The inputs the sagas hold back for a saga in quarantine ({@code ParkedInput} records, keyed saga/id). */
    public static final String SAGAS_PARKED = "sagas.parked";

    /** The events the view job holds back for a row in quarantine ({@code ParkedInput} records, keyed view/key). */
    public static final String VIEWS_PARKED = "views.parked";

    /**
     * Requests that a saga or view job hand the inputs it holds for a parked key to its code again
     * ({@code RedriveRequest} records). One partition: they are few, and read by every instance.
     */
    public static final String REDRIVE = "factstream.redrive";

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
                    Map.of(CLEANUP_POLICY, DELETE, RETENTION_MS, FOREVER,
                            RETENTION_BYTES, FOREVER)));
            specs.add(new TopicSpec(context.rejectionsTopic(),
                    "One CommandRejected per rejected " + context.id() + " command, keyed by aggregate id.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
            specs.add(new TopicSpec(context.deadLetterTopic(),
                    "Undecodable " + context.id() + " records, original bytes, headers saying why and where from.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
            specs.add(new TopicSpec(context.parkedTopic(),
                    "The commands of " + aggregate + " aggregates in quarantine, in order, with the error, until "
                            + "redriven; kept forever, as a fix may take long.",
                    partitions, replicationFactor, Map.of(CLEANUP_POLICY, DELETE, RETENTION_MS, FOREVER)));
        }
        for (String view : VIEWS) {
            specs.add(new TopicSpec(viewHistoryTopic(view),
                    "Every version of every " + view + " row, keyed by view key.",
                    partitions, replicationFactor, retention(ONE_MONTH)));
            specs.add(new TopicSpec(viewLatestTopic(view),
                    "The latest version of each " + view + " row, compacted; a tombstone when a row is deleted.",
                    partitions, replicationFactor, Map.of(CLEANUP_POLICY, COMPACT)));
        }
        specs.add(new TopicSpec(SAGAS_PARKED, "The inputs of sagas in quarantine, in order, with the error, until "
                + "redriven; keyed saga/id, kept forever.", partitions, replicationFactor,
                Map.of(CLEANUP_POLICY, DELETE, RETENTION_MS, FOREVER)));
        specs.add(new TopicSpec(VIEWS_PARKED, "The events of view rows in quarantine, in order, with the error, until "
                + "redriven; keyed view/key, kept forever.", partitions, replicationFactor,
                Map.of(CLEANUP_POLICY, DELETE, RETENTION_MS, FOREVER)));
        specs.add(new TopicSpec(REDRIVE, "Requests to redrive a parked saga or view row, for the job that keeps it.",
                1, replicationFactor, retention(ONE_WEEK)));
        specs.add(new TopicSpec(WRITERS, "The writer lease of each job (by job name and transactional-id prefix), "
                + "compacted: which instance writes its outputs, up to which checkpoint.", 1, replicationFactor,
                Map.of(CLEANUP_POLICY, COMPACT)));
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

    /** Every topic: contexts first, then views, then the quarantines of sagas and views, redrives, writer leases. */
    public List<TopicSpec> topics() {
        return topics;
    }

    /** The topic of this name; fails when the catalog has none. */
    public TopicSpec topic(String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no topic '" + name + "' in the catalog"));
    }

    private static Map<String, String> retention(String millis) {
        return Map.of(CLEANUP_POLICY, DELETE, RETENTION_MS, millis);
    }
}
