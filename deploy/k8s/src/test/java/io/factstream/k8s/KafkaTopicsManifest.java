package io.factstream.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;

/**
 * Writes {@code deploy/k8s/kafka/topics.yaml}: one Strimzi {@code KafkaTopic} per topic of the {@link TopicCatalog},
 * sized for a production cluster. {@code ManifestsTest} fails when the committed file is not what this writes.
 *
 * <p>Run: {@code mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests}.
 */
public final class KafkaTopicsManifest {

    /** The Strimzi {@code Kafka} resource the topics belong to. */
    public static final String CLUSTER = "factstream";

    /**
     * Partitions of every topic: the most subtasks that can read one, and fixed once records exist (a key's
     * partition must not move). 12 lets the jobs run at 1, 2, 3, 4, 6 or 12 subtasks with even shares.
     */
    public static final int PARTITIONS = 12;

    /** Replicas of every partition: survives a broker lost, with {@code min.insync.replicas: 2} on the brokers. */
    public static final short REPLICATION_FACTOR = 3;

    private KafkaTopicsManifest() {
    }

    /** The catalog as the cluster holds it. */
    public static TopicCatalog catalog() {
        return TopicCatalog.sized(PARTITIONS, REPLICATION_FACTOR);
    }

    /** The manifest's text: a YAML stream of {@code KafkaTopic} documents, in catalog order. */
    public static String render() {
        StringBuilder yaml = new StringBuilder()
                .append("# Generated from io.factstream.catalog.topics.TopicCatalog by "
                        + "io.factstream.k8s.KafkaTopicsManifest; do not edit.\n")
                .append("# Regenerate: mvn -q -pl deploy/k8s -am process-test-classes -Pmanifests\n");
        for (TopicSpec topic : catalog().topics()) {
            yaml.append("---\n")
                    .append("# ").append(topic.purpose()).append('\n')
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaTopic\n")
                    .append("metadata:\n")
                    .append("  name: ").append(topic.name()).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: ").append(CLUSTER).append('\n')
                    .append("spec:\n")
                    .append("  partitions: ").append(topic.partitions()).append('\n')
                    .append("  replicas: ").append(topic.replicationFactor()).append('\n')
                    .append("  config:\n");
            for (Map.Entry<String, String> config : new TreeMap<>(topic.configs()).entrySet()) {
                yaml.append("    ").append(config.getKey()).append(": \"").append(config.getValue()).append("\"\n");
            }
        }
        return yaml.toString();
    }

    /** Writes the manifest to the file given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: KafkaTopicsManifest <topics.yaml>");
        }
        Files.writeString(Path.of(args[0]), render(), StandardCharsets.UTF_8);
    }
}
